/**
 * Tables a test file creates by name on DynamoDB Local (through `createTable`,
 * the CLI or raw CreateTable, not `createTestTable`), all deleted when the
 * file is done.
 */
import { CreateTableCommand, DeleteTableCommand, UpdateTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb"
import { afterAll } from "vitest"
import { localClient, uniqueTableName } from "./test-table.js"

export interface ScratchTables {
  /** One client on DynamoDB Local for the whole file, destroyed after it. */
  readonly client: DynamoDBClient
  /** A unique table name, remembered so that the table (if one gets created) is deleted after the file. */
  name(prefix: string): string
  /** Creates a table with another schema than the library's: partition key `id` alone, no sort key, no index. */
  createKeyedById(tableName: string): Promise<void>
}

/** Registers the file's `afterAll` clean-up; call it once at the top of the file. */
export function useScratchTables(): ScratchTables {
  const client = localClient()
  const created: string[] = []
  afterAll(async () => {
    for (const TableName of created) {
      // Tables made the documented ways have deletion protection on.
      await client.send(new UpdateTableCommand({ TableName, DeletionProtectionEnabled: false })).catch(() => {})
      await client.send(new DeleteTableCommand({ TableName })).catch(() => {})
    }
    client.destroy()
  })
  return {
    client,
    name(prefix) {
      const tableName = uniqueTableName(prefix)
      created.push(tableName)
      return tableName
    },
    async createKeyedById(tableName) {
      await client.send(
        new CreateTableCommand({
          TableName: tableName,
          BillingMode: "PAY_PER_REQUEST",
          AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
          KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
        }),
      )
    },
  }
}
