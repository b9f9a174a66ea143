import { createTable } from "../table/create-table.js"
import type { CommandSpec } from "./command.js"
import { clientFor, connectionFrom, CONNECTION_USAGE, connectionOptions, TABLE_NAME_USAGE, tableNameOptions, tableNameOptionsFrom } from "./table-flags.js"

export const createTableCommand: CommandSpec = {
  name: "create-table",
  summary: "Create the table (pk/sk, GSI1, on-demand, TTL on expires) and wait until it is ACTIVE.",
  usage: `create-table ${TABLE_NAME_USAGE} ${CONNECTION_USAGE}`,
  options: { ...tableNameOptions, ...connectionOptions },
  async run(values, out) {
    const client = clientFor(connectionFrom(values))
    try {
      const result = await createTable(client, tableNameOptionsFrom(values))
      const n = result.names
      if (result.status === "created") {
        out(`Created table "${n.tableName}" (${n.partitionKey}/${n.sortKey}, index ${n.indexName} on ${n.indexPartitionKey}/${n.indexSortKey}, on-demand billing).`)
      } else {
        out(`Table "${n.tableName}" already exists with the right schema: nothing to create.`)
      }
      out(result.ttl === "enabled" ? `Enabled TTL on "${n.ttlAttribute}".` : `TTL on "${n.ttlAttribute}" was already enabled.`)
      return 0
    } finally {
      client.destroy()
    }
  },
}
