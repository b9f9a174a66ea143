/**
 * What the code above the client says to DynamoDB: items, keys, expressions,
 * writes and queries, and the `ItemTable` contract that `TableClient` (which
 * sends them) and a transaction's `BufferedTable` (which collects them)
 * both fulfil. Types only, so that everything can depend on them without
 * depending on the client.
 */
import type { Logger } from "../logger.js"
import type { KeyBuilder } from "../../table/entities.js"
import type { TableNames } from "../../table/names.js"

export type Item = Record<string, unknown>
export type Key = Record<string, string>

/** A condition or update expression with its own placeholders. */
export interface Expression {
  expression: string
  names?: Record<string, string>
  values?: Record<string, unknown>
}

/** One write, as a TransactWriteItems action or a standalone request. */
export type WriteAction =
  | { kind: "put"; item: Item; condition?: Expression; label: string }
  | { kind: "delete"; key: Key; condition?: Expression; label: string }
  | { kind: "update"; key: Key; update: Expression; condition?: Expression; label: string }
  | { kind: "check"; key: Key; condition: Expression; label: string }

export interface QueryRequest {
  index?: "table" | "gsi"
  keyCondition: Expression
  filter?: Expression
  limit?: number
  scanForward?: boolean
  consistent?: boolean
  startKey?: Item
}

/** One page of a Scan; `segment` splits the table for parallel scans. */
export interface ScanRequest {
  filter?: Expression
  limit?: number
  startKey?: Item
  segment?: { index: number; total: number }
  /** Default true. A long maintenance scan can read eventually consistent at half the cost. */
  consistent?: boolean
}

export type BatchWriteAction = { kind: "put"; item: Item } | { kind: "delete"; key: Key }

/**
 * What the stores and the planner need from the table. `TableClient` sends
 * each call to DynamoDB; a transaction is another implementation whose writes
 * are buffered (and whose reads see them) until it commits in one
 * TransactWriteItems. Code written against this interface works in both.
 */
export interface ItemTable {
  readonly names: TableNames
  readonly keysOf: KeyBuilder
  readonly logger: Logger
  get(key: Key, what: string, consistent?: boolean): Promise<Item | undefined>
  write(action: WriteAction, what: string): Promise<Item | undefined>
  queryPage(request: QueryRequest, what: string): Promise<{ items: Item[]; lastKey: Item | undefined }>
  queryAll(request: QueryRequest, what: string, max?: number): Promise<Item[]>
  scanAll(filter: Expression | undefined, what: string, max?: number): Promise<Item[]>
  batchGet(keys: Key[], what: string): Promise<Item[]>
  batchWrite(actions: BatchWriteAction[], what: string): Promise<void>
  transactWrite(actions: WriteAction[], what: string, clientRequestToken?: string): Promise<void>
}
