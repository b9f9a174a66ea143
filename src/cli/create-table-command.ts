import { createTable } from "../table/create-table.js"
import type { CommandSpec } from "./command.js"
import { clientFor, connectionFrom, CONNECTION_USAGE, connectionOptions, TABLE_NAME_USAGE, tableNameOptions, tableNameOptionsFrom } from "./table-flags.js"

export const createTableCommand: CommandSpec = {
  name: "create-table",
  summary: "Create the table (pk/sk, GSI1, on-demand, TTL on expires, deletion protection) and wait until it is ACTIVE.",
  usage:
    `create-table ${TABLE_NAME_USAGE} ${CONNECTION_USAGE} [--official-adapter] [--without-deletion-protection]\n\n` +
    "  --official-adapter             @auth/dynamodb-adapter will also write to the new table (a rolling deploy): the table's\n" +
    "                                 metadata item says so, and the adapters stay on the legacy lookups until\n" +
    "                                 backfill --mark-complete. Without it the new table is marked lookups complete.\n" +
    "  --without-deletion-protection  leave DynamoDB's deletion protection off (throw-away tables: tests, previews)",
  options: { ...tableNameOptions, ...connectionOptions, "official-adapter": { type: "boolean" }, "without-deletion-protection": { type: "boolean" } },
  async run(values, out) {
    const client = clientFor(connectionFrom(values))
    try {
      const result = await createTable(client, {
        ...tableNameOptionsFrom(values),
        ...(values["official-adapter"] === true ? { markLookupsComplete: false } : {}),
        ...(values["without-deletion-protection"] === true ? { deletionProtection: false } : {}),
      })
      const n = result.names
      if (result.status === "created") {
        out(
          `Created table "${n.tableName}" (${n.partitionKey}/${n.sortKey}, index ${n.indexName} on ${n.indexPartitionKey}/${n.indexSortKey}, on-demand billing, ` +
            `deletion protection ${values["without-deletion-protection"] === true ? "off" : "on"}).`,
        )
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
