/**
 * `dynamoRateLimitStorage()`: Better Auth's `rateLimit.customStorage` on the
 * auth table, one conditional UpdateItem per request. The protocol and why
 * concurrent requests cannot overshoot the limit: `src/core/kv/rate-limit-window.ts`.
 */
import type { BetterAuthRateLimitStorage } from "@better-auth/core"
import { RateLimitWindows } from "../core/kv/rate-limit-window.js"
import { lazyTableClient, type DynamoStorageOptions } from "./secondary-storage-options.js"

/**
 * A rate-limit storage for Better Auth (`rateLimit.customStorage`) on a
 * DynamoDB table: each request is one conditional UpdateItem on the item of
 * its key's current window (pk = sk = `RATE_LIMIT_WINDOW#…`, expiring through
 * the TTL attribute), so of any number of concurrent requests at most `max`
 * pass per window. Windows are fixed (aligned to multiples of their length),
 * as with Better Auth's secondary-storage limiter: a burst across a window
 * boundary can pass up to twice `max` in less than one window. A refused
 * request writes nothing and answers with the seconds left in the window.
 *
 * Better Auth limits HTTP requests (`auth.handler`), not direct `auth.api` calls.
 *
 * @example
 * ```ts
 * betterAuth({
 *   database: singleTableAdapter({ client, tableName: "auth" }),
 *   rateLimit: { enabled: true, window: 60, max: 100, customStorage: dynamoRateLimitStorage({ client, tableName: "auth" }) },
 * })
 * ```
 */
export function dynamoRateLimitStorage(options: DynamoStorageOptions = {}): BetterAuthRateLimitStorage {
  const table = lazyTableClient(options)
  let windows: RateLimitWindows | undefined
  return {
    consume: (key, rule) => (windows ??= new RateLimitWindows(table())).consume(key, rule),
  }
}
