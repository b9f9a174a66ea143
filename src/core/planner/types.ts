import type { SortSpec } from "../where/sort.js"
import type { WhereCondition } from "../where/types.js"

/** A record as the planner returns it: field name → value, in the caller's naming. */
export type PlannedRecord = Record<string, unknown>

/** How far a read may stop early: only given when the path's own order and the key answer the query exactly. */
export interface FetchHint {
  /** Stop after this many records. */
  limit?: number
  /** Read in this order of the path's `orderedBy` field. */
  direction?: "asc" | "desc"
}

/**
 * One way to read a model's records, cheapest first: a GetItem, a
 * BatchGetItem, a Query on the table or GSI1, a listing of the model's own
 * records (a Query of its partition: every record of the model, nothing
 * else), or a Scan (every item of the table).
 */
export interface AccessPath {
  kind: "get" | "batchGet" | "query" | "list" | "scan"
  /** For logs and tests: "GetItem VERIFICATION#<id>", "Query GSI1 identifier". */
  description: string
  /** Fields that need a required, case-sensitive `eq` on a non-null value (or, for batchGet, `in`). */
  keyFields: readonly string[]
  /**
   * Key fields the path finds whatever their case (an email: its claim is
   * keyed by the normalized form), so an `eq` with `mode: "insensitive"` on
   * one is answered by the path instead of a Scan. Candidates are re-checked
   * as always: a sensitive `eq` (Better Auth's default) stays exact.
   */
  caseInsensitiveKeys?: readonly string[]
  /**
   * A range path also needs a required `lt`/`lte` on this field (a string
   * or number value); the fetch gets `{ operator, value }` under its name.
   */
  rangeField?: string
  /** A query path's records come ordered by this field (ascending), so sorting by it can be pushed down. */
  orderedBy?: string
  /**
   * The path reads GSI1, which lags behind writes on DynamoDB: a read that
   * must see every committed write (a cascade's lookup) skips it.
   */
  eventuallyConsistent?: boolean
  /**
   * A list path that holds every record only on some tables (the user
   * directory: complete where the table says so) answers whether it does
   * now; when it does not, the plan's Scan answers instead, under the same
   * `scans` policy as any Scan.
   */
  complete?(): Promise<boolean>
  /** What to do so that `complete` holds, for the Scan's warning or refusal. */
  incompleteAdvice?: string
  /** Reads the candidates for these key values (a list for batchGet). Candidates are filtered afterwards. */
  fetch(keys: Readonly<Record<string, unknown>>, hint: FetchHint): Promise<PlannedRecord[]>
}

export interface QueryOptions {
  sortBy?: SortSpec
  limit?: number
  offset?: number
}

export interface QueryPlan {
  model: string
  path: AccessPath
  /** The key values taken from the where clause. */
  keys: Record<string, unknown>
  /** Every condition, re-checked on every candidate: none is ever dropped. */
  where: readonly WhereCondition[]
  /** Given when the key alone answers the where clause and the path's order answers the sort. */
  hint: FetchHint
  options: QueryOptions
  /**
   * For a path that may be incomplete (`complete`): the Scan that answers
   * when it is, and `guard`, which warns about that Scan or refuses it
   * (SCAN_REFUSED) as the `scans` policy says.
   */
  fallback?: { path: AccessPath; guard(): void }
}
