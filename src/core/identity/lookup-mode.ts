/**
 * Whether a lookup miss needs confirming through the legacy access path.
 *
 * Tables written by `@auth/dynamodb-adapter` have no lookup items (email,
 * provider account, account id, session token), so a miss on one of them
 * must be checked through GSI1 (or, for an account by id, a Scan) before the
 * answer is "none". On a table where every item has its lookups — one made by
 * `createTable`, or a legacy one after a complete `backfill --mark-complete` —
 * that check is a wasted request, and can even bring back a session whose
 * token item was deleted (but whose session item was not yet).
 *
 * The table says which it is with one metadata item, pk = sk = `TABLE#META`,
 * `lookups: "complete"`. It is read lazily (one consistent GetItem, on the
 * first miss that would fall back), once per adapter instance; while it is
 * missing it is read again at most every 5 minutes, so a backfill finished
 * later takes effect without a restart.
 *
 * The mode belongs to the table the stores were given. Stores are made per
 * call over whatever `ItemTable` they get (the client, or a Better Auth
 * transaction's `BufferedTable`), so the front-end attaches one `LookupMode`
 * to its `TableClient` and hands the same one to each buffered table it
 * makes (`shareLookupMode`); a table nobody attached a mode to gets its own
 * automatic one on first use.
 */
import { DynamoAuthAdapterError } from "../errors.js"
import type { Item, ItemTable, Key, WriteAction } from "../table-client.js"
import { ITEM_TYPES } from "../../table/entities.js"
import { itemAbsent } from "./conditions.js"
import { baseKeyOf } from "./base-key.js"

/**
 * Whether the table may hold items written without their lookup items (by
 * `@auth/dynamodb-adapter`):
 * - `"auto"`: the table's metadata item decides (complete → no fallbacks);
 * - `"none"`: never fall back (the table only holds items with lookups);
 * - `"present"`: always fall back (the official adapter still writes to it).
 */
export type LegacyItems = "auto" | "none" | "present"

/** What wrote the marker: `createTable` for a table it made, `backfill --mark-complete` after a clean run. */
export type LookupsMarkedBy = "create-table" | "backfill"

/** The table metadata item's claim that every item has its lookup items. */
export interface LookupsMarker {
  lookups: "complete"
  /** When the claim was made (ISO 8601). */
  since: string
  by: LookupsMarkedBy
}

const LEGACY_ITEMS: readonly LegacyItems[] = ["auto", "none", "present"]

/** `value` when it is a `LegacyItems` setting (undefined → `"auto"`); INVALID_INPUT otherwise. */
export function checkLegacyItems(value: unknown): LegacyItems {
  if (value === undefined) return "auto"
  if ((LEGACY_ITEMS as readonly unknown[]).includes(value)) return value as LegacyItems
  throw new DynamoAuthAdapterError(
    "INVALID_INPUT",
    `legacyItems must be "auto", "none" or "present"; got ${JSON.stringify(value)}. Leave it out for "auto" (the table's metadata item decides).`,
  )
}

/** How long a missing marker is believed before it is read again. */
export const MARKER_RECHECK_MS = 5 * 60_000

/** Allowance for clock differences between the process that wrote the marker and the others. */
const USER_COPIES_MARGIN_MS = 60_000

/** The key of the table metadata item (`TABLE#META`). */
export function tableMetaKey(table: Pick<ItemTable, "names" | "keysOf">): Key {
  return baseKeyOf(table as ItemTable, "tableMeta", {})
}

/**
 * The conditional put (`attribute_not_exists`) of the marker: an existing
 * marker keeps its original `since` and `by`.
 */
export function planMarkLookupsComplete(table: Pick<ItemTable, "names" | "keysOf">, by: LookupsMarkedBy, now: Date = new Date()): WriteAction {
  return {
    kind: "put",
    item: { ...tableMetaKey(table), type: ITEM_TYPES.tableMeta, lookups: "complete", since: now.toISOString(), by },
    condition: itemAbsent(table.names),
    label: "mark the table's lookups complete",
  }
}

/** The marker when the table has one (consistent GetItem), else undefined. */
export async function readLookupsMarker(table: Pick<ItemTable, "names" | "keysOf" | "get">): Promise<LookupsMarker | undefined> {
  return markerOf(await table.get(tableMetaKey(table), "get table metadata (lookups marker)", true))
}

function markerOf(item: Item | undefined): LookupsMarker | undefined {
  if (!item || item.type !== ITEM_TYPES.tableMeta || item.lookups !== "complete") return undefined
  const by: LookupsMarkedBy = item.by === "create-table" ? "create-table" : "backfill"
  return { lookups: "complete", since: typeof item.since === "string" ? item.since : "", by }
}

/**
 * The lookup mode of one table (one adapter instance): answers whether a
 * lookup miss must fall back to the legacy access path. Concurrent first
 * misses share one marker read.
 */
export class LookupMode {
  readonly legacyItems: LegacyItems
  private complete = false
  private marker: LookupsMarker | undefined
  private checkedAt = Number.NEGATIVE_INFINITY
  private pending: Promise<boolean> | undefined

  /**
   * @param table where the marker is read (the client itself, never a transaction's buffer)
   * @param legacyItems `"auto"` (default) reads the marker; `"none"`/`"present"` force the answer
   * @param now the clock, for tests of the 5-minute re-check
   */
  constructor(
    private readonly table: Pick<ItemTable, "names" | "keysOf" | "get" | "logger">,
    legacyItems: LegacyItems = "auto",
    private readonly now: () => number = Date.now,
  ) {
    this.legacyItems = checkLegacyItems(legacyItems)
  }

  /** True when a miss must be confirmed through GSI1 (or a Scan); false when the lookup item's absence is the answer. */
  async fallbackNeeded(): Promise<boolean> {
    if (this.legacyItems === "none") return false
    if (this.legacyItems === "present") return true
    if (this.complete) return false
    if (this.now() - this.checkedAt < MARKER_RECHECK_MS) return true
    this.pending ??= this.readMarker().finally(() => {
      this.pending = undefined
    })
    return this.pending
  }

  /**
   * Whether session token items may carry (and be trusted for) a copy of
   * their user (`user-snapshot.ts`). Only on a table whose lookups are
   * complete: `@auth/dynamodb-adapter` changes users without refreshing
   * copies. After `backfill --mark-complete` only once every adapter
   * instance has seen the marker (each re-reads a missing one within
   * `MARKER_RECHECK_MS`) and so versions every user update: until then one
   * that has not could change a user without refreshing the copies.
   */
  async userCopiesAllowed(): Promise<boolean> {
    if (this.legacyItems === "none") return true
    if (await this.fallbackNeeded()) return false
    const marker = this.marker
    if (!marker || marker.by === "create-table") return true
    const since = Date.parse(marker.since)
    return Number.isFinite(since) && this.now() - since >= MARKER_RECHECK_MS + USER_COPIES_MARGIN_MS
  }

  private async readMarker(): Promise<boolean> {
    try {
      const marker = await readLookupsMarker(this.table)
      this.checkedAt = this.now()
      this.marker = marker
      this.complete = marker !== undefined
      return !this.complete
    } catch (error) {
      // Falling back is always correct, only slower; the next miss reads the marker again.
      this.table.logger.warn("Could not read the table metadata item; falling back to the legacy lookups for now", { error })
      return true
    }
  }
}

const modes = new WeakMap<ItemTable, LookupMode>()

/** Makes `mode` the lookup mode of every store built over `table`. */
export function attachLookupMode(table: ItemTable, mode: LookupMode): void {
  modes.set(table, mode)
}

/** Gives `to` (a transaction's buffered table) the lookup mode of `from` (the table it buffers), so the marker is read once per adapter, not per transaction. */
export function shareLookupMode(from: ItemTable, to: ItemTable): void {
  modes.set(to, lookupModeOf(from))
}

/** The lookup mode of `table`: the one attached to it, or an automatic one made (and kept) on first use. */
export function lookupModeOf(table: ItemTable): LookupMode {
  let mode = modes.get(table)
  if (!mode) {
    mode = new LookupMode(table)
    modes.set(table, mode)
  }
  return mode
}

/** Shorthand for the stores: whether `table`'s session token items may carry a copy of their user (see `LookupMode.userCopiesAllowed`). */
export function userCopiesAllowed(table: ItemTable): Promise<boolean> {
  return lookupModeOf(table).userCopiesAllowed()
}

/** Shorthand for the stores: whether a lookup miss on `table` must fall back to the legacy access path. */
export function legacyFallbackNeeded(table: ItemTable): Promise<boolean> {
  return lookupModeOf(table).fallbackNeeded()
}
