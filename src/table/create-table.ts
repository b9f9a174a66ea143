import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  type DynamoDBClient,
  type TableDescription,
} from "@aws-sdk/client-dynamodb"
import { translateClientError } from "../core/client/aws-errors.js"
import { DynamoAuthAdapterError } from "../core/errors.js"
import { planDeclareLegacy, planMarkLookupsComplete } from "../core/identity/table-mode.js"
import { isConditionFailure } from "../core/identity/transactions.js"
import { TableClient } from "../core/client/table-client.js"
import { createTableInput, type CreateTableInputOptions } from "./create-table-input.js"
import { resolveTableNames, type TableNameOptions, type TableNames } from "./names.js"
import { describeSchemaDifferences } from "./schema-differences.js"

export interface CreateTableResult {
  /** `"created"` when this call made the table, `"exists"` when it was already there with the right schema. */
  status: "created" | "exists"
  /** Whether this call switched TTL on (`"enabled"`) or found it on (`"already-enabled"`). */
  ttl: "enabled" | "already-enabled"
  names: TableNames
}

export interface CreateTableOptions extends TableNameOptions, CreateTableInputOptions {
  /** Longest wait for the table to become ACTIVE, in seconds. Default 120. */
  maxWaitSeconds?: number
  /**
   * On a table this call creates, write the metadata item saying every item
   * has its lookup items (so the adapters never fall back to GSI1 or a Scan
   * on a lookup miss). Default true. Pass false when `@auth/dynamodb-adapter`
   * will also write to the new table: the metadata item then declares that
   * (`lookups: "legacy"`), so no adapter marks the table complete when it
   * finds it empty, until `backfill --mark-complete`. A table that already
   * existed is never marked: it may hold the official adapter's items (see
   * `backfill --mark-complete`).
   */
  markLookupsComplete?: boolean
}

/** Reads the table's description; `undefined` when there is no such table. */
export async function describeTable(client: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }))
    return Table
  } catch (error) {
    if (error instanceof ResourceNotFoundException || (error as { name?: string }).name === "ResourceNotFoundException") {
      return undefined
    }
    throw await translateClientError(error, client, resolveTableNames({ tableName }), `describe table ${tableName}`)
  }
}

async function ensureTimeToLive(client: DynamoDBClient, names: TableNames): Promise<CreateTableResult["ttl"]> {
  const { TimeToLiveDescription } = await client.send(new DescribeTimeToLiveCommand({ TableName: names.tableName }))
  const status = TimeToLiveDescription?.TimeToLiveStatus
  if ((status === "ENABLED" || status === "ENABLING") && TimeToLiveDescription?.AttributeName === names.ttlAttribute) {
    return "already-enabled"
  }
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: names.tableName,
      TimeToLiveSpecification: { AttributeName: names.ttlAttribute, Enabled: true },
    }),
  )
  return "enabled"
}

/**
 * Creates the table (on-demand, `GSI1` projecting ALL), waits until it is
 * ACTIVE and switches TTL on for `expires`. Idempotent: a table that already
 * has the right schema is left as it is (TTL is still switched on if it was
 * off); one with another schema throws `TABLE_SCHEMA_MISMATCH` naming every
 * difference, and nothing is changed.
 */
export async function createTable(client: DynamoDBClient, options: CreateTableOptions = {}): Promise<CreateTableResult> {
  const names = resolveTableNames(options)
  try {
    return await createTableNamed(client, names, options)
  } catch (error) {
    // An unreachable endpoint or refused credentials become UNAVAILABLE / CREDENTIALS naming the endpoint, not a raw SDK error.
    throw await translateClientError(error, client, names, `create-table ${names.tableName}`)
  }
}

async function createTableNamed(client: DynamoDBClient, names: TableNames, options: CreateTableOptions): Promise<CreateTableResult> {
  const existing = await describeTable(client, names.tableName)
  if (existing) {
    const differences = describeSchemaDifferences(existing, names)
    if (differences.length > 0) {
      throw new DynamoAuthAdapterError(
        "TABLE_SCHEMA_MISMATCH",
        `Table "${names.tableName}" exists with another schema: ${differences.join("; ")}. ` +
          "Use another table name, or pass the key and index names this table uses (partitionKey, sortKey, indexName, indexPartitionKey, indexSortKey).",
        { details: { differences } },
      )
    }
    return { status: "exists", ttl: await ensureTimeToLive(client, names), names }
  }

  let createdHere = true
  try {
    await client.send(new CreateTableCommand(createTableInput(names, options)))
  } catch (error) {
    // Someone else created it between our describe and create: fall through to the wait.
    if ((error as { name?: string }).name !== "ResourceInUseException") throw error
    createdHere = false
  }
  await waitUntilTableExists(
    { client, maxWaitTime: options.maxWaitSeconds ?? 120, minDelay: 1, maxDelay: 5 },
    { TableName: names.tableName },
  )
  const ttl = await ensureTimeToLive(client, names)
  // Only a table made here is known to be empty; one someone else created may already hold legacy items.
  if (createdHere) await writeTableMeta(client, names, options.markLookupsComplete !== false)
  return { status: "created", ttl, names }
}

/** The new table's metadata item: lookups complete, or the declaration that the official adapter writes to it too. */
async function writeTableMeta(client: DynamoDBClient, names: TableNames, complete: boolean): Promise<void> {
  const table = new TableClient({ names, client })
  try {
    await table.write(complete ? planMarkLookupsComplete(table, "create-table") : planDeclareLegacy(table), "write the new table's metadata item")
  } catch (error) {
    // An adapter marked the empty table first: the first item stands.
    if (!isConditionFailure(error)) throw error
  }
}
