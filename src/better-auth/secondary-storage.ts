/**
 * `dynamoSecondaryStorage()`: Better Auth's `secondaryStorage` on the auth
 * table, so a DynamoDB app needs no Redis. The protocol (expiry through the
 * TTL attribute, atomic `getAndDelete` and `increment`) is in
 * `src/core/kv/key-value-store.ts`.
 */
import type { SecondaryStorage } from "@better-auth/core/db"
import { KeyValueStore } from "../core/kv/key-value-store.js"
import { lazyTableClient, type DynamoStorageOptions } from "./secondary-storage-options.js"

/**
 * Better Auth's `secondaryStorage` on a DynamoDB table: one item per key
 * (pk = sk = `KV#<key>`, `type: "KV"`), expiring through the TTL attribute
 * `expires`. An expired entry reads as absent even before DynamoDB's TTL
 * deletes it. `get` and `set` are one request each (a strongly consistent
 * GetItem, a PutItem that replaces the entry), `delete` and `getAndDelete` one
 * DeleteItem (the latter atomic: of concurrent calls exactly one gets the
 * value), `increment` one UpdateItem (two or three only on an expired entry).
 *
 * With a secondary storage Better Auth keeps sessions there instead of in the
 * database (unless `session.storeSessionInDatabase`): Auth.js does not see
 * those sessions. Users and accounts stay in the database, shared.
 *
 * @example
 * ```ts
 * betterAuth({
 *   database: singleTableAdapter({ client, tableName: "auth" }),
 *   secondaryStorage: dynamoSecondaryStorage({ client, tableName: "auth" }),
 * })
 * ```
 */
export function dynamoSecondaryStorage(options: DynamoStorageOptions = {}): SecondaryStorage {
  const table = lazyTableClient(options)
  let store: KeyValueStore | undefined
  const kv = () => (store ??= new KeyValueStore(table()))
  return {
    get: (key) => kv().get(key),
    set: (key, value, ttl) => kv().set(key, value, ttl),
    delete: (key) => kv().delete(key),
    getAndDelete: (key) => kv().getAndDelete(key),
    increment: (key, ttl) => kv().increment(key, ttl),
  }
}
