/**
 * Decides whether a record matches a where clause, with the semantics of
 * Better Auth's official adapters:
 * - the clause is `AND(every AND condition) AND OR(every OR condition)` (the
 *   OR group counts only when it has members), as in the SQL and Mongo
 *   adapters;
 * - `eq null` matches null or a missing field, `ne null` anything else;
 * - `contains`, `starts_with`, `ends_with` are literal (no wildcards, no regex);
 * - `insensitive` lower-cases strings on both sides and is ignored for
 *   values that are not strings;
 * - `gt`/`gte`/`lt`/`lte` never match null; numbers compare as numbers,
 *   strings by code unit (ISO dates therefore chronologically), Dates by time.
 */
import type { WhereCondition, WhereRecord } from "./types.js"

function comparable(value: unknown): unknown {
  return value instanceof Date ? value.getTime() : value
}

function sameValue(a: unknown, b: unknown, insensitive: boolean): boolean {
  if (insensitive && typeof a === "string" && typeof b === "string") return a.toLowerCase() === b.toLowerCase()
  if (a instanceof Date || b instanceof Date) {
    const x = a instanceof Date ? a.getTime() : typeof a === "string" ? Date.parse(a) : a
    const y = b instanceof Date ? b.getTime() : typeof b === "string" ? Date.parse(b) : b
    return x === y
  }
  return a === b
}

/** -1, 0 or 1; undefined when the two cannot be ordered (null, or different types). */
export function compareValues(a: unknown, b: unknown): number | undefined {
  const x = comparable(a)
  const y = comparable(b)
  if (x === null || x === undefined || y === null || y === undefined) return undefined
  if (typeof x === "number" && typeof y === "number") return x < y ? -1 : x > y ? 1 : 0
  if (typeof x === "string" && typeof y === "string") return x < y ? -1 : x > y ? 1 : 0
  if (typeof x === "boolean" && typeof y === "boolean") return x === y ? 0 : x ? 1 : -1
  return undefined
}

function isInsensitive(condition: WhereCondition): boolean {
  if (condition.mode !== "insensitive") return false
  const value = condition.value
  return typeof value === "string" || (Array.isArray(value) && value.every((v) => typeof v === "string"))
}

/** Whether one condition holds for a record. */
export function matchesCondition(record: WhereRecord, condition: WhereCondition): boolean {
  const actual = record[condition.field] ?? null
  const expected = condition.value
  const insensitive = isInsensitive(condition)
  const lower = (s: string) => (insensitive ? s.toLowerCase() : s)
  switch (condition.operator) {
    case "eq":
      return expected === null ? actual === null : sameValue(actual, expected, insensitive)
    case "ne":
      return expected === null ? actual !== null : !sameValue(actual, expected, insensitive)
    case "in":
    case "not_in": {
      const list = Array.isArray(expected) ? expected : [expected]
      const found = list.some((candidate) => (candidate === null ? actual === null : sameValue(actual, candidate, insensitive)))
      return condition.operator === "in" ? found : !found
    }
    case "contains":
      return typeof actual === "string" && typeof expected === "string" && lower(actual).includes(lower(expected))
    case "starts_with":
      return typeof actual === "string" && typeof expected === "string" && lower(actual).startsWith(lower(expected))
    case "ends_with":
      return typeof actual === "string" && typeof expected === "string" && lower(actual).endsWith(lower(expected))
    case "gt":
    case "gte":
    case "lt":
    case "lte": {
      const order = compareValues(actual, expected)
      if (order === undefined) return false
      if (condition.operator === "gt") return order > 0
      if (condition.operator === "gte") return order >= 0
      if (condition.operator === "lt") return order < 0
      return order <= 0
    }
  }
}

/** Whether a record matches the whole clause. An empty clause matches everything. */
export function matchesWhere(record: WhereRecord, where: readonly WhereCondition[]): boolean {
  let anyOr = false
  let orHolds = false
  for (const condition of where) {
    if (condition.connector === "OR") {
      anyOr = true
      if (!orHolds && matchesCondition(record, condition)) orHolds = true
    } else if (!matchesCondition(record, condition)) {
      return false
    }
  }
  return !anyOr || orHolds
}

/**
 * The conditions every match must satisfy (the AND group), which are the
 * only ones a key can be chosen from. With an OR group of one member, that
 * member is required too.
 */
export function requiredConditions(where: readonly WhereCondition[]): WhereCondition[] {
  const ands = where.filter((c) => c.connector !== "OR")
  const ors = where.filter((c) => c.connector === "OR")
  return ors.length === 1 ? [...ands, ...ors] : ands
}
