import { compareValues } from "./evaluate.js"
import type { WhereRecord } from "./types.js"

export interface SortSpec {
  field: string
  direction: "asc" | "desc"
}

/**
 * A stable sort: nulls (and missing fields) first in ascending order, last in
 * descending; numbers numerically, strings by code unit, Dates by time.
 */
export function sortRecords<T extends WhereRecord>(records: readonly T[], sort: SortSpec): T[] {
  const sign = sort.direction === "desc" ? -1 : 1
  return [...records].sort((a, b) => {
    const x = a[sort.field] ?? null
    const y = b[sort.field] ?? null
    if (x === null && y === null) return 0
    if (x === null) return -sign
    if (y === null) return sign
    return (compareValues(x, y) ?? String(x).localeCompare(String(y))) * sign
  })
}
