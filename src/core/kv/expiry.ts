/**
 * Expiry of key-value entries and rate-limit windows, through the table's TTL
 * attribute (`expires`, epoch seconds).
 *
 * DynamoDB's TTL deletes an expired item lazily, up to days later, so the
 * attribute is also the truth about liveness: an entry is live while
 * `expires` is absent or later than now, and every read and conditional
 * write tests it against the caller's clock (`now`, epoch milliseconds).
 */
import { DynamoAuthAdapterError } from "../errors.js"
import type { Expression } from "../client/requests.js"
import type { TableNames } from "../../table/names.js"

/** Milliseconds since the epoch; a store is given one so tests can move time. */
export type Clock = () => number

/**
 * The `expires` value (whole epoch seconds) of an entry written at `now` that
 * lives `ttlSeconds`, or undefined for no expiry (`undefined` or 0, as in
 * Better Auth's Redis example). Rounded up: an entry lives at least its TTL,
 * less than a second more.
 */
export function expiresAfter(now: number, ttlSeconds: number | undefined, what: string): number | undefined {
  if (ttlSeconds === undefined || ttlSeconds === 0) return undefined
  if (typeof ttlSeconds !== "number" || !Number.isFinite(ttlSeconds) || ttlSeconds < 0) {
    throw new DynamoAuthAdapterError(
      "INVALID_INPUT",
      `${what}: a TTL must be a finite number of seconds ≥ 0 (0 or none: no expiry), got ${String(ttlSeconds)}. Nothing was written.`,
    )
  }
  return Math.ceil((now + ttlSeconds * 1000) / 1000)
}

/** Whether an item read at `now` is still live (its `expires` absent or later than now). */
export function isLive(item: Record<string, unknown>, names: TableNames, now: number): boolean {
  const expires = item[names.ttlAttribute]
  return typeof expires !== "number" || expires * 1000 > now
}

/** The condition "the item is absent, or present and live with an expiry": what a create-or-increment may act on. */
export function absentOrExpiringLater(names: TableNames, now: number): Expression {
  return {
    expression: "attribute_not_exists(#pk) OR #expires > :now",
    names: { "#pk": names.partitionKey, "#expires": names.ttlAttribute },
    values: { ":now": now / 1000 },
  }
}

/** The condition "the item is present and expired" (not yet deleted by TTL). */
export function expired(names: TableNames, now: number): Expression {
  return { expression: "#expires <= :now", names: { "#expires": names.ttlAttribute }, values: { ":now": now / 1000 } }
}

/** The condition "the item is present and never expires". */
export function presentWithoutExpiry(names: TableNames): Expression {
  return {
    expression: "attribute_exists(#pk) AND attribute_not_exists(#expires)",
    names: { "#pk": names.partitionKey, "#expires": names.ttlAttribute },
  }
}
