/**
 * What the table says about itself, for one adapter instance: whether a
 * lookup miss needs confirming through the legacy access path, and whether
 * copies of users (`user-copies.ts`) may exist and may be trusted.
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
 * Copies are decided by the TABLE, never by one instance's options alone
 * (two instances with different `legacyItems` share a table during a rolling
 * deploy): they may exist as soon as the marker does, so every instance that
 * sees the marker refreshes them whatever its options; they are written and
 * trusted only once the grace after the marker has passed, and never by an
 * instance told `"present"`. An option can only make an instance more careful.
 *
 * One `TableMode` belongs to one adapter instance (inside its `IdentityState`),
 * and is shared by every store and transaction of that instance.
 */
import { DynamoAuthAdapterError } from "../errors.js"
import type { Item, ItemTable, Key, WriteAction } from "../client/table-client.js"
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
 * The mode of one table as one adapter instance sees it. The marker is read
 * lazily (one consistent GetItem, shared by concurrent callers), kept once
 * found, re-read at most every `MARKER_RECHECK_MS` while missing.
 */
export class TableMode {
  readonly legacyItems: LegacyItems
  private marker: LookupsMarker | undefined
  private checkedAt = Number.NEGATIVE_INFINITY
  private pending: Promise<LookupsMarker | undefined> | undefined

  /**
   * @param table where the marker is read (the client itself, never a transaction's buffer)
   * @param legacyItems `"auto"` (default) lets the marker decide the fallbacks; `"none"`/`"present"` force them
   * @param now the clock, for tests of the 5-minute re-check and the grace
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
    return (await this.currentMarker()) === undefined
  }

  /**
   * Whether copies of users may exist in this table, so that a user write
   * must refresh them: whenever the marker exists, whatever this instance's
   * options (an instance with other options may have written them). Wrong
   * only in the safe direction: a marker that cannot be read counts as present.
   */
  async copiesMayExist(): Promise<boolean> {
    return (await this.currentMarker({ unreadable: "present" })) !== undefined
  }

  /**
   * Whether this instance may write copies and serve reads from them: the
   * table is marked complete (by `createTable`, or by a backfill at least
   * `MARKER_RECHECK_MS` + a margin ago, so every instance has seen the marker
   * and refreshes copies on its user writes), and this instance was not told
   * the official adapter still writes (`"present"`), which changes users
   * without refreshing copies.
   */
  async copiesTrusted(): Promise<boolean> {
    if (this.legacyItems === "present") return false
    const marker = await this.currentMarker()
    if (!marker) return false
    if (marker.by === "create-table") return true
    const since = Date.parse(marker.since)
    return Number.isFinite(since) && this.now() - since >= MARKER_RECHECK_MS + USER_COPIES_MARGIN_MS
  }

  private async currentMarker(options: { unreadable: "absent" | "present" } = { unreadable: "absent" }): Promise<LookupsMarker | undefined> {
    if (this.marker) return this.marker
    if (this.now() - this.checkedAt < MARKER_RECHECK_MS) return undefined
    this.pending ??= this.readMarker().finally(() => {
      this.pending = undefined
    })
    try {
      return await this.pending
    } catch (error) {
      // Falling back is always correct, only slower; refreshing copies that may not exist costs one Query. The next call reads again.
      // A missing table, an unreachable DynamoDB or refused credentials fail the caller's own request with the same typed error next, so a warning would only bury it.
      if (!(error instanceof DynamoAuthAdapterError) || !["MISSING_TABLE", "UNAVAILABLE", "CREDENTIALS"].includes(error.code)) {
        this.table.logger.warn("Could not read the table metadata item; falling back to the legacy lookups for now", { error })
      }
      return options.unreadable === "present" ? UNREADABLE_MARKER : undefined
    }
  }

  private async readMarker(): Promise<LookupsMarker | undefined> {
    const marker = await readLookupsMarker(this.table)
    this.checkedAt = this.now()
    this.marker = marker
    return marker
  }
}

/** Stands for a marker that could not be read, where assuming it exists is the careful answer. */
const UNREADABLE_MARKER: LookupsMarker = { lookups: "complete", since: "", by: "backfill" }
