/**
 * How values are written to and read from DynamoDB, the same way
 * `@auth/dynamodb-adapter` does it so that tables stay interchangeable:
 * dates as ISO-8601 strings, except the TTL attribute `expires`, which holds
 * epoch seconds (DynamoDB TTL requires a number).
 */

// Same pattern Auth.js uses (`isDate` in @auth/core/adapters): the official
// adapter turns every attribute that matches it back into a Date on read.
const ISO_DATE =
  /(\d{4}-[01]\d-[0-3]\dT[0-2]\d:[0-5]\d:[0-5]\d\.\d+([+-][0-2]\d:[0-5]\d|Z))|(\d{4}-[01]\d-[0-3]\dT[0-2]\d:[0-5]\d:[0-5]\d([+-][0-2]\d:[0-5]\d|Z))|(\d{4}-[01]\d-[0-3]\dT[0-2]\d:[0-5]\d([+-][0-2]\d:[0-5]\d|Z))/

export function isIsoDateString(value: unknown): value is string {
  return typeof value === "string" && ISO_DATE.test(value) && !Number.isNaN(Date.parse(value))
}

export function toIsoString(value: Date): string {
  return value.toISOString()
}

/** Reads a stored date: an ISO string, epoch seconds, or a Date passed through. */
export function fromStoredDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null
  if (value instanceof Date) return value
  if (typeof value === "number") return fromEpochSeconds(value)
  if (typeof value === "string") {
    const time = Date.parse(value)
    return Number.isNaN(time) ? null : new Date(time)
  }
  return null
}

/**
 * Epoch seconds for the TTL attribute. Kept exact (fractional when the Date
 * has milliseconds), as the official adapter writes `getTime() / 1000`, so
 * that a round trip returns the very same instant.
 */
export function toEpochSeconds(value: Date): number {
  return value.getTime() / 1000
}

/** Tolerates integer and fractional seconds; rounds to whole milliseconds. */
export function fromEpochSeconds(value: number): Date {
  return new Date(Math.round(value * 1000))
}

/** Epoch seconds of `now`, for comparisons against the TTL attribute. */
export function nowInEpochSeconds(now: Date = new Date()): number {
  return toEpochSeconds(now)
}
