/**
 * The only place that sends requests to DynamoDB. Everything above it (the
 * stores, the planner, both front-ends) describes what it wants in terms of
 * items and keys; this module sends it, guards item size and turns AWS
 * errors into typed ones. It is also the one place that retries on top of the
 * SDK (`client/retry.ts`): unprocessed batch items, single writes that meet a
 * transaction in flight, transactions cancelled for conflicts or throttling.
 */
import { randomUUID } from "node:crypto"
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
  type ScanCommandInput,
} from "@aws-sdk/lib-dynamodb"
import type { BatchWriteAction, Expression, Item, ItemTable, Key, QueryRequest, ScanRequest, WriteAction } from "./requests.js"
import { translateAwsError, translateClientError } from "./aws-errors.js"
import { backoffDelay, retryPolicy, sleep, withRetry, type RetryOptions, type RetryPolicy } from "./retry.js"
import { toDocumentClient, type DynamoClientInput } from "./dynamo-client.js"
import { DynamoAuthAdapterError } from "../errors.js"
import { assertItemFits } from "../item-size.js"
import { assertKeysFit } from "../key-size.js"
import { assertWriteFits } from "../write-limits.js"
import type { Logger } from "../logger.js"
import { silentLogger } from "../logger.js"
import { capacityUnitsOf, requestLogDetails, type RequestDescription } from "./request-log.js"
import { createEntities, createKeyBuilder, type CoreEntities, type KeyBuilder } from "../../table/entities.js"
import type { TableNames } from "../../table/names.js"

export interface TableClientOptions {
  names: TableNames
  client: DynamoClientInput
  /** Warnings, and debug output when `logRequests` is on (see `resolveDebugLogs` in `debug-logs.ts`). */
  logger?: Logger
  /** Log every request at debug level (command, table, index, expressions with names only, consumed capacity). Default false. */
  logRequests?: boolean
  /** The retry policy (`client/retry.ts`); for tests. Default `DEFAULT_RETRY_POLICY`: 8 attempts, 25 ms base, 2 s cap. */
  retry?: Partial<RetryPolicy>
}

/** Deep copy without `undefined` values: DynamoDB rejects them whatever the document client's options. */
export function withoutUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.filter((v) => v !== undefined).map(withoutUndefined) as T
  if (value && typeof value === "object" && !(value instanceof Date) && !(value instanceof Uint8Array) && !(value instanceof Set)) {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) if (v !== undefined) out[k] = withoutUndefined(v)
    return out as T
  }
  return value
}

function mergeExpressionAttributes(...expressions: (Expression | undefined)[]) {
  const names: Record<string, string> = {}
  const values: Record<string, unknown> = {}
  for (const e of expressions) {
    if (!e) continue
    Object.assign(names, e.names)
    Object.assign(values, e.values)
  }
  return {
    ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
    ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
  }
}

const MAX_TRANSACTION_ACTIONS = 100



export type { BatchWriteAction, Expression, Item, ItemTable, Key, QueryRequest, ScanRequest, WriteAction } from "./requests.js"

export class TableClient implements ItemTable {
  readonly names: TableNames
  readonly document: DynamoDBDocumentClient
  readonly entities: CoreEntities
  readonly keysOf: KeyBuilder
  readonly logger: Logger
  private readonly retry: RetryPolicy
  private readonly logRequests: boolean
  /** Asks DynamoDB for consumed capacity only when it will be logged. */
  private readonly capacity: { ReturnConsumedCapacity?: "TOTAL" }

  constructor(options: TableClientOptions) {
    this.names = options.names
    this.document = toDocumentClient(options.client)
    this.entities = createEntities(options.names, this.document)
    this.keysOf = createKeyBuilder(this.entities)
    this.logger = options.logger ?? silentLogger
    this.retry = retryPolicy(options.retry)
    this.logRequests = options.logRequests === true
    this.capacity = this.logRequests ? { ReturnConsumedCapacity: "TOTAL" } : {}
  }

  private async send<T extends { ConsumedCapacity?: unknown; Items?: unknown[] }>(
    what: string,
    request: Omit<RequestDescription, "table">,
    run: () => Promise<T>,
  ): Promise<T> {
    const started = this.logRequests ? performance.now() : 0
    try {
      const output = await run()
      if (this.logRequests) this.logRequest(what, request, started, output)
      return output
    } catch (error) {
      if (this.logRequests) this.logRequest(what, request, started, undefined, error)
      throw await translateClientError(error, this.document, this.names, what)
    }
  }

  private logRequest(
    what: string,
    request: Omit<RequestDescription, "table">,
    started: number,
    output: { ConsumedCapacity?: unknown; Items?: unknown[] } | undefined,
    error?: unknown,
  ): void {
    const consumedCapacity = capacityUnitsOf(output?.ConsumedCapacity as Parameters<typeof capacityUnitsOf>[0])
    const details = requestLogDetails({ ...request, table: this.tableName }, what, {
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      ...(consumedCapacity !== undefined ? { consumedCapacity } : {}),
      ...(output?.Items ? { items: output.Items.length } : {}),
      // The error's name only: AWS messages can quote the request's values.
      ...(error ? { error: String((error as { name?: unknown }).name ?? "Error") } : {}),
    })
    this.logger.debug(`${request.command} ${this.tableName}${request.index ? ` (${request.index})` : ""}: ${what}`, details)
  }

  get tableName(): string {
    return this.names.tableName
  }

  async get(key: Key, what: string, consistent = true): Promise<Item | undefined> {
    assertKeysFit(key, this.names, what)
    const output = await this.send(what, { command: "GetItem" }, () =>
      this.document.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: consistent, ...this.capacity })),
    )
    return output.Item
  }

  /** Sends one write outside a transaction. Returns the old item for deletes and puts, the new one for updates. */
  async write(action: WriteAction, what: string): Promise<Item | undefined> {
    const TableName = this.tableName
    switch (action.kind) {
      case "put": {
        const item = withoutUndefined(action.item)
        this.assertFits({ ...action, item })
        const output = await this.sendWrite(what, { command: "PutItem", ...(action.condition ? { condition: action.condition } : {}) }, () =>
          this.document.send(
            new PutCommand({
              TableName,
              Item: item,
              ReturnValues: "ALL_OLD",
              ...this.capacity,
              ...(action.condition ? { ConditionExpression: action.condition.expression } : {}),
              ...mergeExpressionAttributes(action.condition),
            }),
          ),
        )
        return output.Attributes
      }
      case "delete": {
        this.assertFits(action)
        const output = await this.sendWrite(what, { command: "DeleteItem", ...(action.condition ? { condition: action.condition } : {}) }, () =>
          this.document.send(
            new DeleteCommand({
              TableName,
              Key: action.key,
              ReturnValues: "ALL_OLD",
              ...this.capacity,
              ...(action.condition ? { ConditionExpression: action.condition.expression } : {}),
              ...mergeExpressionAttributes(action.condition),
            }),
          ),
        )
        return output.Attributes
      }
      case "update": {
        this.assertFits(action)
        const description = { command: "UpdateItem", update: action.update, ...(action.condition ? { condition: action.condition } : {}) }
        const output = await this.sendWrite(what, description, () =>
          this.document.send(
            new UpdateCommand({
              TableName,
              Key: action.key,
              UpdateExpression: action.update.expression,
              ReturnValues: "ALL_NEW",
              ...this.capacity,
              ...(action.condition ? { ConditionExpression: action.condition.expression } : {}),
              ...mergeExpressionAttributes(action.update, action.condition),
            }),
          ),
        )
        return output.Attributes
      }
      case "check":
        throw new DynamoAuthAdapterError("INVALID_INPUT", "A condition check only exists inside a transaction.")
    }
  }

  /**
   * `send` for a single write, retried while the item is held by a
   * transaction in flight (TransactionConflictException: the write was
   * refused, not applied, and the SDK does not retry it).
   */
  private sendWrite<T extends { ConsumedCapacity?: unknown }>(what: string, request: Omit<RequestDescription, "table">, run: () => Promise<T>): Promise<T> {
    return withRetry(() => this.send(what, request, run), this.retryOptions(what))
  }

  private retryOptions(what: string): RetryOptions {
    const options: RetryOptions = { what, policy: this.retry }
    // Each failed request is logged already (with its error's name); this adds the wait before the next one.
    if (this.logRequests) {
      options.onRetry = ({ attempt, kind, delayMs }) =>
        this.logger.debug(`${what}: retrying after a ${kind} (attempt ${attempt} of ${this.retry.attempts} failed) in ${Math.round(delayMs)} ms`)
    }
    return options
  }

  private assertFits(action: WriteAction): void {
    assertWriteFits(action, this.names)
  }

  /** One page of a Query. */
  async queryPage(request: QueryRequest, what: string): Promise<{ items: Item[]; lastKey: Item | undefined }> {
    const input: QueryCommandInput = {
      TableName: this.tableName,
      KeyConditionExpression: request.keyCondition.expression,
      ...(request.index === "gsi" ? { IndexName: this.names.indexName } : {}),
      ...(request.filter ? { FilterExpression: request.filter.expression } : {}),
      ...(request.limit !== undefined ? { Limit: request.limit } : {}),
      ...(request.scanForward === false ? { ScanIndexForward: false } : {}),
      // GSIs cannot be read consistently; the base table always is, here.
      ...(request.index !== "gsi" && request.consistent !== false ? { ConsistentRead: true } : {}),
      ...(request.startKey ? { ExclusiveStartKey: request.startKey } : {}),
      ...mergeExpressionAttributes(request.keyCondition, request.filter),
      ...this.capacity,
    }
    const description = {
      command: "Query",
      ...(request.index === "gsi" ? { index: this.names.indexName } : {}),
      keyCondition: request.keyCondition,
      ...(request.filter ? { filter: request.filter } : {}),
    }
    const output = await this.send(what, description, () => this.document.send(new QueryCommand(input)))
    return { items: (output.Items ?? []) as Item[], lastKey: output.LastEvaluatedKey }
  }

  /** Every item a Query matches, page after page; stops early once `max` items are collected. */
  async queryAll(request: QueryRequest, what: string, max = Number.POSITIVE_INFINITY): Promise<Item[]> {
    const items: Item[] = []
    let startKey = request.startKey
    do {
      const page = await this.queryPage({ ...request, ...(startKey ? { startKey } : {}) }, what)
      items.push(...page.items)
      startKey = page.lastKey
    } while (startKey && items.length < max)
    return items.length > max ? items.slice(0, max) : items
  }

  /** One page of a Scan (or of one segment of a parallel Scan); `scanned` counts items read before the filter. */
  async scanPage(request: ScanRequest, what: string): Promise<{ items: Item[]; lastKey: Item | undefined; scanned: number }> {
    const input: ScanCommandInput = {
      TableName: this.tableName,
      ConsistentRead: request.consistent !== false,
      ...(request.filter ? { FilterExpression: request.filter.expression } : {}),
      ...(request.limit !== undefined ? { Limit: request.limit } : {}),
      ...(request.segment ? { Segment: request.segment.index, TotalSegments: request.segment.total } : {}),
      ...(request.startKey ? { ExclusiveStartKey: request.startKey } : {}),
      ...mergeExpressionAttributes(request.filter),
      ...this.capacity,
    }
    const description = {
      command: "Scan",
      ...(request.filter ? { filter: request.filter } : {}),
      ...(request.segment ? { segment: request.segment } : {}),
    }
    const output = await this.send(what, description, () => this.document.send(new ScanCommand(input)))
    const items = (output.Items ?? []) as Item[]
    return { items, lastKey: output.LastEvaluatedKey, scanned: output.ScannedCount ?? items.length }
  }

  /** Every item a Scan matches (the planner's last resort), page after page. */
  async scanAll(filter: Expression | undefined, what: string, max = Number.POSITIVE_INFINITY): Promise<Item[]> {
    const items: Item[] = []
    let startKey: Item | undefined
    do {
      const page = await this.scanPage({ ...(filter ? { filter } : {}), ...(startKey ? { startKey } : {}) }, what)
      items.push(...page.items)
      startKey = page.lastKey
    } while (startKey && items.length < max)
    return items.length > max ? items.slice(0, max) : items
  }

  /** Reads many items by key (100 per request), retrying unprocessed keys; order follows `keys`, missing ones omitted. */
  async batchGet(keys: Key[], what: string): Promise<Item[]> {
    const found = new Map<string, Item>()
    const id = (key: Record<string, unknown>) => `${String(key[this.names.partitionKey])}\u0000${String(key[this.names.sortKey])}`
    const unique = [...new Map(keys.map((k) => [id(k), k])).values()]
    for (const key of unique) assertKeysFit(key, this.names, what)
    for (let start = 0; start < unique.length; start += 100) {
      let pending: Record<string, unknown>[] = unique.slice(start, start + 100)
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt >= this.retry.attempts) {
          throw new DynamoAuthAdapterError(
            "THROTTLED",
            `${what}: ${pending.length} keys were still unprocessed after ${attempt} attempts. Raise the table's capacity (or use on-demand billing), or retry the call later.`,
          )
        }
        if (attempt > 0) await sleep(backoffDelay(attempt, this.retry))
        const output = await this.send(what, { command: "BatchGetItem" }, () =>
          this.document.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } }, ...this.capacity })),
        )
        for (const item of (output.Responses?.[this.tableName] ?? []) as Item[]) found.set(id(item), item)
        pending = (output.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Record<string, unknown>[]
      }
    }
    return keys.map((k) => found.get(id(k))).filter((item): item is Item => item !== undefined)
  }

  /** Puts and deletes in batches of 25 (not atomic), retrying UnprocessedItems with backoff until none are left. */
  async batchWrite(actions: BatchWriteAction[], what: string): Promise<void> {
    const requests = actions.map((action) => {
      if (action.kind === "put") {
        const item = withoutUndefined(action.item)
        assertItemFits(item, what)
        assertKeysFit(item, this.names, what)
        return { PutRequest: { Item: item } }
      }
      assertKeysFit(action.key, this.names, what)
      return { DeleteRequest: { Key: action.key } }
    })
    for (let start = 0; start < requests.length; start += 25) {
      let pending: typeof requests = requests.slice(start, start + 25)
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt >= this.retry.attempts) {
          throw new DynamoAuthAdapterError(
            "THROTTLED",
            `${what}: ${pending.length} writes were still unprocessed after ${attempt} attempts. Raise the table's capacity (or use on-demand billing), ` +
              "or retry the call later (the writes already made are not undone).",
          )
        }
        if (attempt > 0) await sleep(backoffDelay(attempt, this.retry))
        const output = await this.send(what, { command: "BatchWriteItem" }, () =>
          this.document.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending }, ...this.capacity })),
        )
        pending = (output.UnprocessedItems?.[this.tableName] ?? []) as typeof requests
      }
    }
  }

  /**
   * Sends the actions as one TransactWriteItems: all or nothing. A
   * cancellation by conflicts or throttling alone is retried (`client/retry.ts`),
   * each retry with a fresh ClientRequestToken when one was given. Any other
   * cancellation throws `TRANSACTION_FAILED` with the reason of each action
   * (and the action's label); `THROTTLED` or `TRANSACTION_FAILED` when the
   * retries run out.
   */
  async transactWrite(actions: WriteAction[], what: string, clientRequestToken?: string): Promise<void> {
    if (actions.length === 0) return
    if (actions.length > MAX_TRANSACTION_ACTIONS) {
      throw new DynamoAuthAdapterError(
        "TRANSACTION_TOO_LARGE",
        `${what}: ${actions.length} writes in one transaction; DynamoDB allows ${MAX_TRANSACTION_ACTIONS}. Nothing was written. Split the work into smaller transactions.`,
      )
    }
    const TableName = this.tableName
    const items = actions.map((action) => {
      const condition = action.condition ? { ConditionExpression: action.condition.expression } : {}
      if (action.kind !== "put") this.assertFits(action)
      switch (action.kind) {
        case "put": {
          const item = withoutUndefined(action.item)
          this.assertFits({ ...action, item })
          return { Put: { TableName, Item: item, ...condition, ...mergeExpressionAttributes(action.condition) } }
        }
        case "delete":
          return { Delete: { TableName, Key: action.key, ...condition, ...mergeExpressionAttributes(action.condition) } }
        case "update":
          return {
            Update: {
              TableName,
              Key: action.key,
              UpdateExpression: action.update.expression,
              ...condition,
              ...mergeExpressionAttributes(action.update, action.condition),
            },
          }
        case "check":
          return {
            ConditionCheck: { TableName, Key: action.key, ConditionExpression: action.condition.expression, ...mergeExpressionAttributes(action.condition) },
          }
      }
    })
    const kinds = items.map((item) => Object.keys(item)[0]!)
    await withRetry(async (attempt) => {
      // The caller's token makes the first attempt idempotent across the SDK's own resends. A retry follows a cancellation,
      // which wrote nothing: it is a new request, and gets a token of its own rather than one DynamoDB has seen cancelled.
      const token = clientRequestToken === undefined ? undefined : attempt === 1 ? clientRequestToken : randomUUID()
      try {
        await this.send(what, { command: "TransactWriteItems", actions: kinds }, () =>
          this.document.send(new TransactWriteCommand({ TransactItems: items, ...(token ? { ClientRequestToken: token } : {}), ...this.capacity })),
        )
      } catch (error) {
        throw cancellationError(error, actions, what) ?? translateAwsError(error, this.names, what)
      }
    }, this.retryOptions(what))
  }
}

/** A TransactionCanceledException as `TRANSACTION_FAILED`, naming each action's reason by its label; undefined for any other error. */
function cancellationError(error: unknown, actions: WriteAction[], what: string): DynamoAuthAdapterError | undefined {
  const cancelled = error as { name?: string; CancellationReasons?: { Code?: string; Message?: string }[] }
  if (cancelled?.name !== "TransactionCanceledException") return undefined
  const reasons = (cancelled.CancellationReasons ?? []).map((reason, index) => ({
    index,
    code: reason.Code ?? "Unknown",
    ...(reason.Message ? { message: reason.Message } : {}),
    action: actions[index]?.label ?? `action ${index}`,
  }))
  const failed = reasons.filter((r) => r.code !== "None")
  return new DynamoAuthAdapterError(
    "TRANSACTION_FAILED",
    `${what}: the transaction was cancelled and nothing was written: ` +
      (failed.length ? failed.map((r) => `${r.action}: ${r.code}`).join("; ") : "no reason given") +
      ". A ConditionalCheckFailed names a write whose precondition no longer held: read the items again before deciding what to write.",
    { cause: error, reasons },
  )
}
