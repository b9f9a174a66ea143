/**
 * The examples' database: the DynamoDB at `endpoint` (or `DYNAMODB_ENDPOINT`),
 * else an embedded DynamoDB Local (data in memory, or in `dataDir`), with the
 * table created when it is missing.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb"
import { createTable } from "../../src/table/create-table.js"
import { localClientConfig, startDynamoDBLocal } from "../../test/support/dynamodb-local.js"

export interface ExampleTableOptions {
  /** A client to use as it is (not destroyed on stop); `endpoint` and `dataDir` are then ignored. */
  client?: DynamoDBClient
  /** A running DynamoDB (Local); when absent, `DYNAMODB_ENDPOINT`, else one is started. */
  endpoint?: string
  /** Keep DynamoDB Local's data in this folder (only when this process starts it). */
  dataDir?: string
  /** Default `next-auth`, the table name `@auth/dynamodb-adapter` uses. */
  tableName?: string
}

export interface ExampleTable {
  endpoint: string
  tableName: string
  client: DynamoDBClient
  /** A second client to the same DynamoDB, for the page's look into the table (not counted with the frameworks' requests). */
  inspector: DynamoDBClient
  /** True when the table did not exist and was created now. */
  created: boolean
  /** True when this process started DynamoDB Local. */
  startedDynamoDB: boolean
  stop(): Promise<void>
}

export async function openExampleTable(options: ExampleTableOptions = {}): Promise<ExampleTable> {
  if (options.client) {
    const result = await createTable(options.client, { tableName: options.tableName ?? "next-auth" })
    const configured = await options.client.config.endpoint?.()
    const inspector = new DynamoDBClient({
      region: await options.client.config.region(),
      credentials: options.client.config.credentials,
      ...(configured ? { endpoint: configured } : {}),
    })
    return {
      endpoint: configured ? `${configured.protocol}//${configured.hostname}${configured.port ? `:${configured.port}` : ""}${configured.path}` : "(the given client)",
      tableName: result.names.tableName,
      client: options.client,
      inspector,
      created: result.status === "created",
      startedDynamoDB: false,
      stop: async () => inspector.destroy(),
    }
  }
  const database = options.endpoint
    ? { endpoint: options.endpoint, owned: false, stop: async () => {} }
    : await startDynamoDBLocal(options.dataDir ? { dataDir: options.dataDir } : {})
  const client = new DynamoDBClient(localClientConfig(database.endpoint))
  const inspector = new DynamoDBClient(localClientConfig(database.endpoint))
  try {
    const result = await createTable(client, { tableName: options.tableName ?? "next-auth" })
    return {
      endpoint: database.endpoint,
      tableName: result.names.tableName,
      client,
      inspector,
      created: result.status === "created",
      startedDynamoDB: database.owned,
      async stop() {
        client.destroy()
        inspector.destroy()
        await database.stop()
      },
    }
  } catch (error) {
    client.destroy()
    inspector.destroy()
    await database.stop()
    throw error
  }
}
