/**
 * Rate limiting on the auth table: at most `max` requests per key in each
 * fixed window of `window` seconds, decided by ONE conditional UpdateItem per
 * request.
 *
 * Layout: one item per (key, window length, window start), pk = sk =
 * `RATE_LIMIT_WINDOW#<length ms>#<start ms>#<key>` (`rateLimitWindowOf`),
 * `type: "RATE_LIMIT_WINDOW"`, the requests counted so far in `count`, and
 * `expires` (the TTL attribute) at the window's end. Windows are aligned to
 * multiples of their length since the epoch, on the caller's clock: a new
 * window is a new item, so no request ever has to reset an old count, and an
 * old window's item is never read again (TTL removes it).
 *
 * The request: `ADD count 1`, condition `attribute_not_exists(count) OR
 * count < max`. Allowed when the write applies; refused when its condition
 * fails, and then nothing is written.
 *
 * Interleavings (why N concurrent requests let exactly min(N, max) through):
 * DynamoDB applies the writes to one item one at a time, testing each one's
 * condition against the item as the writes before it left it; nothing is
 * read before the write, so no decision rests on a count that another
 * request has since changed. Whatever order DynamoDB picks, by induction
 * after j applied writes `count` = j: the next write applies iff j < max. So
 * the first `max` writes in DynamoDB's order apply and every later one is
 * refused, and a refused one leaves `count` at `max`: for any interleaving of
 * any number of requests, at most `max` are allowed per window, and exactly
 * `max` once at least `max` came. (A "read count, then write count + 1"
 * design loses updates: two requests that both read `max - 1` both pass.)
 *
 * Limits, said plainly:
 * - Fixed windows, like Better Auth's own secondary-storage limiter: a burst
 *   across a boundary can pass up to 2 × max within less than one window.
 *   Better Auth's memory and database limiters count from the last allowed
 *   request instead; that needs a read or a second write to reset the count,
 *   so it is not what one conditional write can do.
 * - App servers whose clocks differ by d put a request near a boundary into
 *   different windows for up to d.
 * - The SDK retries a request whose answer was lost; if DynamoDB had applied
 *   it, that request is counted twice (more refusals, never more passes).
 */
import { DynamoAuthAdapterError } from "../errors.js"
import type { ItemTable } from "../client/requests.js"
import { isConditionFailure } from "../identity/transactions.js"
import { ITEM_TYPES, rateLimitWindowOf } from "../../table/entities.js"
import type { Clock } from "./expiry.js"

export interface RateLimitRule {
  /** Window length in seconds (> 0). */
  window: number
  /** Requests allowed per window (a whole number ≥ 0). */
  max: number
}

export interface RateLimitDecision {
  allowed: boolean
  /** Seconds until the window ends (at least 1) when refused; null when allowed. */
  retryAfter: number | null
}

export class RateLimitWindows {
  constructor(
    private readonly table: ItemTable,
    private readonly now: Clock = Date.now,
  ) {}

  /** Counts one request against `key` in the current window and says whether it may go on. One conditional UpdateItem. */
  async consume(key: string, rule: RateLimitRule): Promise<RateLimitDecision> {
    const what = `rate limit ${key}`
    checkRule(rule, key, what)
    const now = this.now()
    const lengthMs = Math.round(rule.window * 1000)
    const start = Math.floor(now / lengthMs) * lengthMs
    const end = start + lengthMs
    const refused: RateLimitDecision = { allowed: false, retryAfter: Math.max(1, Math.ceil((end - now) / 1000)) }
    // max 0 refuses everything: nothing to count.
    if (rule.max === 0) return refused
    const names = this.table.names
    try {
      await this.table.write(
        {
          kind: "update",
          key: this.table.keysOf("rateLimitWindow", { window: rateLimitWindowOf(key, lengthMs, start) }),
          update: {
            expression: "ADD #count :one SET #type = :type, #key = :key, #expires = :expires",
            names: { "#count": "count", "#type": "type", "#key": "key", "#expires": names.ttlAttribute },
            values: { ":one": 1, ":type": ITEM_TYPES.rateLimitWindow, ":key": key, ":expires": Math.ceil(end / 1000) },
          },
          condition: { expression: "attribute_not_exists(#count) OR #count < :max", names: { "#count": "count" }, values: { ":max": rule.max } },
          label: what,
        },
        what,
      )
      return { allowed: true, retryAfter: null }
    } catch (error) {
      if (isConditionFailure(error)) return refused
      throw error
    }
  }
}

function checkRule(rule: RateLimitRule, key: string, what: string): void {
  const validWindow = typeof rule?.window === "number" && Number.isFinite(rule.window) && Math.round(rule.window * 1000) >= 1
  const validMax = typeof rule?.max === "number" && Number.isInteger(rule.max) && rule.max >= 0
  if (typeof key !== "string" || key === "" || !validWindow || !validMax) {
    throw new DynamoAuthAdapterError(
      "INVALID_INPUT",
      `${what}: needs a non-empty key, a window in seconds (> 0, at least 1 ms) and a whole max ≥ 0; got window ${String(rule?.window)}, max ${String(rule?.max)}. ` +
        "Nothing was counted; check the rateLimit options (window, max, customRules).",
    )
  }
}
