/**
 * Structural comparison of two normalized values: every path where they
 * differ, with both sides' values. `null` and absent are different values.
 */

export const ABSENT = "<absent>"

export interface Difference {
  path: string
  sqlite: unknown
  dynamodb: unknown
}

/** `.field`, or `["member-3"]` for a key that is not an identifier. */
function step(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
}

export function differences(sqlite: unknown, dynamodb: unknown, path = "$"): Difference[] {
  if (Array.isArray(sqlite) && Array.isArray(dynamodb)) {
    const out: Difference[] = []
    if (sqlite.length !== dynamodb.length) out.push({ path: `${path}.length`, sqlite: sqlite.length, dynamodb: dynamodb.length })
    for (let i = 0; i < Math.max(sqlite.length, dynamodb.length); i++) {
      if (i >= sqlite.length) out.push({ path: `${path}[${i}]`, sqlite: ABSENT, dynamodb: dynamodb[i] })
      else if (i >= dynamodb.length) out.push({ path: `${path}[${i}]`, sqlite: sqlite[i], dynamodb: ABSENT })
      else out.push(...differences(sqlite[i], dynamodb[i], `${path}[${i}]`))
    }
    return out
  }
  if (isRecord(sqlite) && isRecord(dynamodb)) {
    const out: Difference[] = []
    const keys = [...new Set([...Object.keys(sqlite), ...Object.keys(dynamodb)])].sort()
    for (const key of keys) {
      const inS = key in sqlite
      const inD = key in dynamodb
      if (!inS || !inD) out.push({ path: `${path}${step(key)}`, sqlite: inS ? sqlite[key] : ABSENT, dynamodb: inD ? dynamodb[key] : ABSENT })
      else out.push(...differences(sqlite[key], dynamodb[key], `${path}${step(key)}`))
    }
    return out
  }
  return Object.is(sqlite, dynamodb) ? [] : [{ path, sqlite, dynamodb }]
}

/** The id a listed record is known by: its own, or its session's (multi-session device sessions). */
function listedId(row: unknown): string {
  if (isRecord(row) && typeof row.id === "string") return row.id
  if (isRecord(row) && isRecord(row.session) && typeof row.session.id === "string") return row.session.id
  return JSON.stringify(row)
}

/**
 * Rows of a model keyed by id, so a row one side lacks shows as one absent
 * row (`$rows.member["member-3"]`), not as every later row shifted.
 */
export function rowsById(rows: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const row of sortRows(rows)) out[listedId(row)] = row
  return out
}

/** Rows of a model in a stable order (by id, else by content), so storage order is not a difference. */
export function sortRows(rows: unknown[]): unknown[] {
  return [...rows].sort((a, b) => naturalCompare(listedId(a), listedId(b)))
}

/**
 * Every list of records in a result, sorted by id: for steps whose listing
 * Better Auth requests without an order (SQL returns it in insertion order
 * by accident, DynamoDB in key order), so only the members are compared.
 */
export function sortListings(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(sortListings)
    return items.every((item) => isRecord(item)) ? sortRows(items) : items
  }
  if (isRecord(value) && !(value instanceof Date)) {
    const out: Record<string, unknown> = {}
    for (const [key, v] of Object.entries(value)) out[key] = sortListings(v)
    return out
  }
  return value
}

/** `member-2` before `member-10`. */
function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, "en", { numeric: true })
}

export function formatDifference(flow: string, step: string, d: Difference): string {
  const show = (v: unknown) => (v === ABSENT ? ABSENT : JSON.stringify(v))
  return `${flow} › ${step} › ${d.path}: sqlite ${show(d.sqlite)}, dynamodb ${show(d.dynamodb)}`
}
