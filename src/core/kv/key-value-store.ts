/**
 * A key-value store on the auth table (Better Auth's `secondaryStorage`, so a
 * DynamoDB app needs no Redis). One item per key, pk = sk = `KV#<key>`,
 * `type: "KV"`, the value in `value` (a string; a number for a counter made by
 * `increment`), the expiry in the TTL attribute `expires` (epoch seconds).
 *
 * Invariants:
 * - Expiry is decided by `expires` against the store's clock, never by
 *   whether DynamoDB's TTL has deleted the item yet (it may take days): an
 *   expired item reads as absent (`get`, `getAndDelete`), and the writes that
 *   depend on an entry's state (`increment`) carry that test in their
 *   condition, so they act on what is live at the moment DynamoDB applies
 *   them, not on what an earlier read saw.
 * - Every operation is one single-item request, except `increment` on an
 *   expired or non-expiring entry (below). No read comes before a write:
 *   DynamoDB applies the writes to one item one after another, each with its
 *   condition tested against the item as the previous write left it.
 * - `set` is an unconditional PutItem: it replaces the whole item (value and
 *   expiry), whatever was there, live or expired.
 * - `getAndDelete` is one DeleteItem conditioned on the item being present,
 *   returning the old item: of concurrent calls on one entry exactly one
 *   receives it (the others' condition fails: null), and a `set` is either
 *   before the delete (then returned and removed) or after it (then kept).
 *   The condition is what makes it exactly one: DynamoDB Local answered an
 *   unconditional DeleteItem with ALL_OLD to two of thirty concurrent callers
 *   in 17 of 30 rounds, a conditional one never (../shared/notes).
 * - `increment(key, ttl)` follows Better Auth's contract: an absent (or
 *   expired) entry becomes 1 with the TTL; a live one goes up by one and
 *   keeps its expiry (the TTL applies on creation only). Its first request is
 *   one UpdateItem that does both, conditioned on "absent or live with an
 *   expiry". That condition fails only on an entry that is present and either
 *   expired or never expiring; then a conditional Put resets an expired one
 *   (condition: still expired), or a conditional ADD increments a
 *   non-expiring one (condition: still without expiry). Each step is one
 *   conditional write, so an increment's result is the value its one
 *   successful write produced; a failed step changed nothing and the round
 *   starts again. Interleavings: two increments on an expired entry both fail
 *   the first step; the first reset to land wins (1), the other's reset then
 *   fails (the entry is live again) and its next round increments (2). A
 *   round fails only because another write changed the entry in between, so
 *   the loop is bounded (`MAX_INCREMENT_ROUNDS`) only against endless
 *   contention, which ends in a typed error.
 * - Retries: the table client retries only what DynamoDB refused without
 *   applying. The SDK retries a request whose answer was lost, so an
 *   increment (like Redis's INCR through a retrying client) may count twice
 *   then: it over-counts, never under-counts.
 */
import { DynamoAuthAdapterError } from "../errors.js"
import type { Item, ItemTable, Key } from "../client/requests.js"
import { isConditionFailure } from "../identity/transactions.js"
import { itemPresent } from "../identity/conditions.js"
import { ITEM_TYPES } from "../../table/entities.js"
import { absentOrExpiringLater, expired, expiresAfter, isLive, presentWithoutExpiry, type Clock } from "./expiry.js"

/** Rounds of `increment` before it gives up; each failed round means another writer changed the entry in between. */
export const MAX_INCREMENT_ROUNDS = 8

export class KeyValueStore {
  constructor(
    private readonly table: ItemTable,
    private readonly now: Clock = Date.now,
  ) {}

  private keyOf(key: string, what: string): Key {
    if (typeof key !== "string" || key === "") {
      throw new DynamoAuthAdapterError("INVALID_INPUT", `${what}: a key must be a non-empty string, got ${JSON.stringify(key)}. Nothing was read or written.`)
    }
    return this.table.keysOf("keyValue", { key })
  }

  private valueOf(item: Item | undefined, now: number): string | null {
    if (!item || !isLive(item, this.table.names, now)) return null
    const value = item.value
    if (typeof value === "string") return value
    // A counter made by increment reads as its decimal string, as Redis answers GET on a counter.
    if (typeof value === "number") return String(value)
    return null
  }

  /** The live value of `key`, or null. One strongly consistent GetItem. */
  async get(key: string): Promise<string | null> {
    const item = await this.table.get(this.keyOf(key, "get"), `get KV ${key}`)
    return this.valueOf(item, this.now())
  }

  /** Stores `value` under `key`, replacing whatever was there; `ttlSeconds` undefined or 0: no expiry. One PutItem. */
  async set(key: string, value: string, ttlSeconds?: number): Promise<void> {
    const what = `set KV ${key}`
    const itemKey = this.keyOf(key, what)
    if (typeof value !== "string") {
      throw new DynamoAuthAdapterError("INVALID_INPUT", `${what}: the value must be a string, got ${typeof value}. Nothing was written; serialize it first (JSON.stringify).`)
    }
    const expires = expiresAfter(this.now(), ttlSeconds, what)
    await this.table.write({ kind: "put", item: this.itemOf(itemKey, key, value, expires), label: what }, what)
  }

  /** Removes `key` (nothing happens when it is absent). One DeleteItem. */
  async delete(key: string): Promise<void> {
    const what = `delete KV ${key}`
    await this.table.write({ kind: "delete", key: this.keyOf(key, what), label: what }, what)
  }

  /** Removes `key` and returns its live value (null when absent or expired), atomically. One DeleteItem returning the old item. */
  async getAndDelete(key: string): Promise<string | null> {
    const what = `getAndDelete KV ${key}`
    const deleted = await this.attempt(what, () =>
      this.table.write({ kind: "delete", key: this.keyOf(key, what), condition: itemPresent(this.table.names), label: what }, what),
    )
    return deleted.applied ? this.valueOf(deleted.item, this.now()) : null
  }

  /**
   * Adds one to the counter at `key` and returns the new value; an absent or
   * expired entry becomes 1 and lives `ttlSeconds` (0: forever), a live one
   * keeps its expiry. One UpdateItem, except on an expired or non-expiring
   * entry (see the top of the module).
   */
  async increment(key: string, ttlSeconds: number): Promise<number> {
    const what = `increment KV ${key}`
    const itemKey = this.keyOf(key, what)
    const names = this.table.names
    for (let round = 1; round <= MAX_INCREMENT_ROUNDS; round++) {
      const now = this.now()
      const expires = expiresAfter(now, ttlSeconds, what)
      // Absent: created at 1 with the TTL; live with an expiry: one more, expiry kept.
      const created = await this.attempt(what, () =>
        this.table.write(
          {
            kind: "update",
            key: itemKey,
            update: {
              expression: `ADD #value :one SET #type = :type, #key = :key${expires === undefined ? "" : ", #expires = if_not_exists(#expires, :expires)"}`,
              names: { "#value": "value", "#type": "type", "#key": "key", ...(expires === undefined ? {} : { "#expires": names.ttlAttribute }) },
              values: { ":one": 1, ":type": ITEM_TYPES.keyValue, ":key": key, ...(expires === undefined ? {} : { ":expires": expires }) },
            },
            condition: absentOrExpiringLater(names, now),
            label: what,
          },
          what,
        ),
      )
      if (created.applied) return counterOf(created.item, what)
      // Present and expired: start again at 1, as if absent.
      const reset = await this.attempt(what, () =>
        this.table.write({ kind: "put", item: this.itemOf(itemKey, key, 1, expires), condition: expired(names, now), label: what }, what),
      )
      if (reset.applied) return 1
      // Present without expiry (set with no TTL): one more, still without expiry.
      const counted = await this.attempt(what, () =>
        this.table.write(
          { kind: "update", key: itemKey, update: { expression: "ADD #value :one", names: { "#value": "value" }, values: { ":one": 1 } }, condition: presentWithoutExpiry(names), label: what },
          what,
        ),
      )
      if (counted.applied) return counterOf(counted.item, what)
    }
    throw new DynamoAuthAdapterError(
      "CONDITIONAL_CHECK_FAILED",
      `${what}: the entry changed under each of ${MAX_INCREMENT_ROUNDS} attempts (other writers are setting, deleting or resetting it at the same time). ` +
        "Nothing was counted by this call; retry it.",
    )
  }

  private itemOf(itemKey: Key, key: string, value: string | number, expires: number | undefined): Item {
    return { ...itemKey, type: ITEM_TYPES.keyValue, key, value, ...(expires === undefined ? {} : { [this.table.names.ttlAttribute]: expires }) }
  }

  /** Runs one conditional write: applied (with what it returned), or refused by its condition. */
  private async attempt(what: string, write: () => Promise<Item | undefined>): Promise<{ applied: true; item: Item | undefined } | { applied: false }> {
    try {
      return { applied: true, item: await write() }
    } catch (error) {
      if (isConditionFailure(error)) return { applied: false }
      if (isTypeMismatch(error)) {
        throw new DynamoAuthAdapterError(
          "INVALID_INPUT",
          `${what}: the entry holds a string (written by set), not a counter, so it cannot be incremented. Nothing was written; delete the key or use another one.`,
          { cause: error },
        )
      }
      throw error
    }
  }
}

/** DynamoDB's refusal to ADD a number to a string attribute. */
function isTypeMismatch(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false
  const { name, message } = error as { name?: unknown; message?: unknown }
  return name === "ValidationException" && typeof message === "string" && /incorrect (operand|data) type|operand type/i.test(message)
}

function counterOf(item: Item | undefined, what: string): number {
  const value = item?.value
  if (typeof value === "number") return value
  throw new DynamoAuthAdapterError("INVALID_INPUT", `${what}: DynamoDB answered the increment without a numeric value (${typeof value}). Delete the key and retry.`)
}
