/**
 * A fresh table per test file (or per test), on the DynamoDB the global setup
 * started, so files run in parallel without seeing each other's data.
 */
import { randomUUID } from "node:crypto"
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb"
import { DynamoDBDocument, ScanCommand } from "@aws-sdk/lib-dynamodb"
import { afterAll, beforeAll, inject } from "vitest"
import { createTable } from "../../src/table/create-table.js"
import { resolveTableNames, type TableNameOptions, type TableNames } from "../../src/table/names.js"
import { countRequests, type RequestCounter } from "../../src/core/client/request-counter.js"
import { localClientConfig } from "./dynamodb-local.js"

export interface TestTable {
  names: TableNames
  tableName: string
  client: DynamoDBClient
  /** A DynamoDBDocument configured as the official adapter's docs recommend. */
  document: DynamoDBDocument
  counter: RequestCounter
  /**
   * Every item in the table, sorted by pk then sk, except the table metadata
   * item (pk = sk = `TABLE#META`, written by createTable): assertions are about
   * auth data. Read that one with `document.get`.
   */
  scanAll(): Promise<Record<string, unknown>[]>
  drop(): Promise<void>
}

export function endpoint(): string {
  return inject("dynamodbEndpoint")
}

export function localClient(): DynamoDBClient {
  return new DynamoDBClient(localClientConfig(endpoint()))
}

export function uniqueTableName(prefix = "test"): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`
}

export interface TestTableOptions extends TableNameOptions {
  /**
   * A table as `@auth/dynamodb-adapter` users have it: created without the
   * "lookups complete" marker, so lookup misses fall back to GSI1 (or a Scan).
   * For tests that seed items through the official adapter.
   */
  legacy?: boolean
}

export async function createTestTable(options: TestTableOptions = {}): Promise<TestTable> {
  const { legacy, ...nameOptions } = options
  const client = localClient()
  const names = resolveTableNames({ tableName: uniqueTableName(), ...nameOptions })
  await createTable(client, { ...names, markLookupsComplete: legacy !== true, deletionProtection: false })
  const document = DynamoDBDocument.from(client, {
    marshallOptions: { convertEmptyValues: true, removeUndefinedValues: true, convertClassInstanceToMap: true },
  })
  const counter = countRequests(client)
  // Inspection goes through its own client so that it never shows up in request counts.
  const inspectorClient = localClient()
  const inspector = DynamoDBDocument.from(inspectorClient)
  return {
    names,
    tableName: names.tableName,
    client,
    document,
    counter,
    async scanAll() {
      const items: Record<string, unknown>[] = []
      let ExclusiveStartKey: Record<string, unknown> | undefined
      do {
        const page = await inspector.send(new ScanCommand({ TableName: names.tableName, ExclusiveStartKey, ConsistentRead: true }))
        items.push(...((page.Items ?? []) as Record<string, unknown>[]).filter((item) => item.type !== "TABLE_META"))
        ExclusiveStartKey = page.LastEvaluatedKey
      } while (ExclusiveStartKey)
      const key = (item: Record<string, unknown>) => `${String(item[names.partitionKey])}\u0000${String(item[names.sortKey])}`
      return items.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))
    },
    async drop() {
      counter.detach()
      await client.send(new DeleteTableCommand({ TableName: names.tableName }))
      client.destroy()
      inspectorClient.destroy()
    },
  }
}

/** A table with the next-auth key schema but no GSI1, for MISSING_INDEX tests. The caller deletes it. */
export async function createTableWithoutIndex(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [
        { AttributeName: "pk", AttributeType: "S" },
        { AttributeName: "sk", AttributeType: "S" },
      ],
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
    }),
  )
}

export interface TableWithClient {
  readonly table: TestTable
  /** A client of its own, for the code under test (the table's `client` is the counted one). */
  readonly client: DynamoDBClient
}

/**
 * Registers `beforeAll`/`afterAll` that make a fresh table and a client of
 * its own for the file or `describe` block, and drop them; the fields are
 * readable from inside tests and later hooks.
 */
export function useTableWithClient(options: TestTableOptions = {}): TableWithClient {
  let table: TestTable | undefined
  let client: DynamoDBClient | undefined
  beforeAll(async () => {
    table = await createTestTable(options)
    client = localClient()
  })
  afterAll(async () => {
    client?.destroy()
    await table?.drop()
  })
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("useTableWithClient: read inside a test or a later hook, once beforeAll has run")
    return value
  }
  return {
    get table() {
      return ready(table)
    },
    get client() {
      return ready(client)
    },
  }
}
