import { DynamoDBClient } from "@aws-sdk/client-dynamodb"
import { createTable } from "../table/create-table.js"
import type { CommandSpec } from "./command.js"

export const createTableCommand: CommandSpec = {
  name: "create-table",
  summary: "Create the table (pk/sk, GSI1, on-demand, TTL on expires) and wait until it is ACTIVE.",
  usage: "create-table [--table NAME] [--endpoint URL] [--region REGION] [--partition-key pk] [--sort-key sk] [--index-name GSI1] [--index-partition-key GSI1PK] [--index-sort-key GSI1SK]",
  options: {
    table: { type: "string" },
    endpoint: { type: "string" },
    region: { type: "string" },
    "partition-key": { type: "string" },
    "sort-key": { type: "string" },
    "index-name": { type: "string" },
    "index-partition-key": { type: "string" },
    "index-sort-key": { type: "string" },
  },
  async run(values, out) {
    const endpoint = (values.endpoint as string | undefined) ?? process.env.DYNAMODB_ENDPOINT
    const region = values.region as string | undefined
    const client = new DynamoDBClient({ ...(endpoint ? { endpoint } : {}), ...(region ? { region } : {}) })
    try {
      const result = await createTable(client, {
        ...(values.table ? { tableName: values.table as string } : {}),
        ...(values["partition-key"] ? { partitionKey: values["partition-key"] as string } : {}),
        ...(values["sort-key"] ? { sortKey: values["sort-key"] as string } : {}),
        ...(values["index-name"] ? { indexName: values["index-name"] as string } : {}),
        ...(values["index-partition-key"] ? { indexPartitionKey: values["index-partition-key"] as string } : {}),
        ...(values["index-sort-key"] ? { indexSortKey: values["index-sort-key"] as string } : {}),
      })
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
