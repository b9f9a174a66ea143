/**
 * What the table says about itself, for one adapter instance: whether a
 * lookup miss needs confirming through the legacy access path, and whether
 * copies of users (`user-copies.ts`) may exist and may be trusted.
 *
 * Tables written by `@auth/dynamodb-adapter` have no lookup items (email,
 * provider account, account id, session token), so a miss on one of them
 * must be checked through GSI1 (or, for an account by id, a Scan) before the
 * answer is "none". On a table where every item has its lookups that check
 * is a wasted request, and can even bring back a session whose token item
 * was deleted (but whose session item was not yet).
 *
 * The table says which it is with one metadata item, pk = sk = `TABLE#META`:
 * - `lookups: "complete"`: every item has its lookups. Written by
 *   `createTable` on a table it creates (`by: "create-table"`), by
 *   `backfill --mark-complete` after a clean run (`by: "backfill"`), or by an
 *   adapter instance that found the table provably empty (`by: "empty-table"`,
 *   see below): that is how tables made by CloudFormation, CDK, Terraform, the
 *   console or the next-auth docs' template reach the fast path with no step.
 * - `lookups: "legacy"`: declared by `createTable({ markLookupsComplete: false })`
 *   (`create-table --official-adapter`): `@auth/dynamodb-adapter` writes to
 *   this table too, so no adapter ever marks it; `backfill --mark-complete`
 *   replaces it once the official adapter has stopped.
 * - no item: unknown. Misses fall back, and the first instance that reads
 *   the missing marker checks whether the table is empty.
 *
 * The item is read lazily (one consistent GetItem, on the first call that
 * depends on it), once per adapter instance; while it is missing or says
 * legacy it is read again at most every 5 minutes, so a backfill finished
 * later takes effect without a restart.
 *
 * Marking an empty table. "Provably empty" takes two requests after the
 * GetItem that found no marker: a strongly consistent Scan with `Limit: 1`
 * that returns no item and no `LastEvaluatedKey` (it sees every write
 * acknowledged before it), then a conditional put of the marker
 * (`attribute_not_exists`). If the Scan returns an item, the table is not
 * empty: the marker is read once more (another instance of this library may
 * have marked the table and written to it since the GetItem), and this
 * instance never scans again. If the put finds a marker, that marker stands.
 * An instance told `legacyItems: "present"`, or a table that declares
 * `"legacy"`, is never marked. Failure modes, each written down here and in
 * the README:
 * 1. `@auth/dynamodb-adapter` writing at the same moment: a write that lands
 *    between the Scan and the put, or any write of the official adapter after
 *    the mark, has no lookup items, and this library no longer looks for it
 *    through GSI1: its user, account or session is invisible (a second user
 *    for its email can be created), and its user updates do not refresh
 *    copies. Nothing in the table can tell such a write apart in time, so the
 *    defence is to say so: a table the official adapter will also write to is
 *    created with `create-table --official-adapter` (the `"legacy"`
 *    declaration), or every instance of this library runs with
 *    `legacyItems: "present"` while official instances remain (a rolling
 *    deploy onto an empty table). A non-empty table is never marked this way,
 *    so the usual migration (an official table with users) is not exposed.
 * 2. A table emptied by hand while instances run: an instance that saw it
 *    non-empty believes "no marker" for up to 5 minutes and, meanwhile, does
 *    not refresh copies that another instance (which marked the emptied
 *    table) writes and trusts. A user updated through it in that window can
 *    be read with its previous fields until its next update.
 * 3. No Scan permission, or an error on either request: the instance logs
 *    it, stays on the legacy path (correct, only slower) and does not try
 *    again; the next instance may.
 * 4. Two instances marking at once: one conditional put wins, the other
 *    reads the winner's marker. The marker only ever appears, never changes
 *    what an instance already believes to be complete.
 *
 * Copies are decided by the TABLE, never by one instance's options alone
 * (two instances with different `legacyItems` share a table during a rolling
 * deploy): they may exist as soon as the marker does, so every instance that
 * sees the marker refreshes them whatever its options; they are written and
 * trusted only once every instance that may write users refreshes them (at
 * once on a table marked at its creation or while empty: no instance of this
 * library wrote a user without seeing the marker; after the grace on one
 * marked by a backfill), and never by an instance told `"present"`. An
 * option can only make an instance more careful.
 *
 * One `TableMode` belongs to one adapter instance (inside its `IdentityState`),
 * and is shared by every store and transaction of that instance.
 */
import { DynamoAuthAdapterError } from "../errors.js"
import type { Item, ItemTable, Key, ScanRequest, WriteAction } from "../client/table-client.js"
import { ITEM_TYPES } from "../../table/entities.js"
import { itemAbsent } from "./conditions.js"
import { baseKeyOf } from "./base-key.js"
import { isConditionFailure } from "./transactions.js"

/**
 * Whether the table may hold items written without their lookup items (by
 * `@auth/dynamodb-adapter`):
 * - `"auto"`: the table's metadata item decides (complete → no fallbacks);
 * - `"none"`: never fall back (the table only holds items with lookups);
 * - `"present"`: always fall back (the official adapter still writes to it).
 */
export type LegacyItems = "auto" | "none" | "present"

/**
 * What wrote the marker: `createTable` for a table it made, `backfill
 * --mark-complete` after a clean run, an adapter instance that found the
 * table empty (`"empty-table"`).
 */
export type LookupsMarkedBy = "create-table" | "backfill" | "empty-table"

/** The table metadata item's claim that every item has its lookup items. */
export interface LookupsMarker {
  lookups: "complete"
  /** When the claim was made (ISO 8601). */
  since: string
  by: LookupsMarkedBy
  /**
   * Every user has its entry in the user directory (`user-directory.ts`).
   * Absent on a table marked by a version of this library before the
   * directory, until `backfill --mark-complete` has written the entries.
   */
  userDirectory?: "complete"
}

/** The table metadata item's declaration that `@auth/dynamodb-adapter` writes to the table too: never marked complete by an adapter. */
export interface LegacyDeclaration {
  lookups: "legacy"
  since: string
  by: "create-table"
}

/** What the table metadata item says, when there is one. */
export type TableMeta = LookupsMarker | LegacyDeclaration

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
 * The conditional put of the marker: an existing marker keeps its original
 * `since` and `by`. A backfill also replaces a `"legacy"` declaration (it is
 * run once the official adapter has stopped writing); the others write only
 * where there is no metadata item at all.
 */
export function planMarkLookupsComplete(table: Pick<ItemTable, "names" | "keysOf">, by: LookupsMarkedBy, now: Date = new Date()): WriteAction {
  return {
    kind: "put",
    // Written only where every user has its directory entry too: a new table, an empty one, a backfill that wrote them.
    item: { ...tableMetaKey(table), type: ITEM_TYPES.tableMeta, lookups: "complete", since: now.toISOString(), by, userDirectory: "complete" },
    condition:
      by === "backfill"
        ? {
            expression: "attribute_not_exists(#pk) OR #lookups <> :complete",
            names: { "#pk": table.names.partitionKey, "#lookups": "lookups" },
            values: { ":complete": "complete" },
          }
        : itemAbsent(table.names),
    label: "mark the table's lookups complete",
  }
}

/**
 * Adds `userDirectory: "complete"` to a marker written before the user
 * directory existed (a backfill has written every missing entry); only
 * while the item is a marker.
 */
export function planMarkDirectoryComplete(table: Pick<ItemTable, "names" | "keysOf">): WriteAction {
  return {
    kind: "update",
    key: tableMetaKey(table),
    update: { expression: "SET #directory = :complete", names: { "#directory": "userDirectory" }, values: { ":complete": "complete" } },
    condition: { expression: "#lookups = :complete", names: { "#lookups": "lookups" }, values: { ":complete": "complete" } },
    label: "mark the table's user directory complete",
  }
}

/** The conditional put (`attribute_not_exists`) of the `"legacy"` declaration, for a new table the official adapter will write to. */
export function planDeclareLegacy(table: Pick<ItemTable, "names" | "keysOf">, now: Date = new Date()): WriteAction {
  return {
    kind: "put",
    item: { ...tableMetaKey(table), type: ITEM_TYPES.tableMeta, lookups: "legacy", since: now.toISOString(), by: "create-table" },
    condition: itemAbsent(table.names),
    label: "declare that @auth/dynamodb-adapter writes to the table",
  }
}

/** The marker when the table has one (consistent GetItem), else undefined. */
export async function readLookupsMarker(table: Pick<ItemTable, "names" | "keysOf" | "get">): Promise<LookupsMarker | undefined> {
  const meta = await readTableMeta(table)
  return meta?.lookups === "complete" ? meta : undefined
}

/** The table metadata item (consistent GetItem): a marker, a legacy declaration, or undefined. */
export async function readTableMeta(table: Pick<ItemTable, "names" | "keysOf" | "get">): Promise<TableMeta | undefined> {
  return metaOf(await table.get(tableMetaKey(table), "get table metadata (lookups marker)", true))
}

function metaOf(item: Item | undefined): TableMeta | undefined {
  if (!item || item.type !== ITEM_TYPES.tableMeta) return undefined
  const since = typeof item.since === "string" ? item.since : ""
  if (item.lookups === "legacy") return { lookups: "legacy", since, by: "create-table" }
  if (item.lookups !== "complete") return undefined
  const by: LookupsMarkedBy = item.by === "create-table" || item.by === "empty-table" ? item.by : "backfill"
  return { lookups: "complete", since, by, ...(item.userDirectory === "complete" ? { userDirectory: "complete" as const } : {}) }
}

/** One page of a Scan, as `TableClient.scanPage` sends it. */
export interface ScanPager {
  scanPage(request: ScanRequest, what: string): Promise<{ items: Item[]; lastKey: Item | undefined }>
}

/** Whether the table holds no item at all: one strongly consistent Scan with `Limit: 1`. The item it saw, if any. */
export async function firstItemOf(table: ScanPager): Promise<{ empty: boolean; item: Item | undefined }> {
  const page = await table.scanPage({ limit: 1, consistent: true }, "is the table empty? (Scan, Limit 1)")
  return { empty: page.items.length === 0 && page.lastKey === undefined, item: page.items[0] }
}

/**
 * The parts of a table `TableMode` uses: the marker's GetItem and put, and
 * the emptiness Scan (a table without `scanPage`, such as a bare test double,
 * is never marked).
 */
export type TableModeTable = Pick<ItemTable, "names" | "keysOf" | "get" | "write" | "logger"> & Partial<ScanPager>

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
  /** This instance saw the table unmarked and not empty (or could not tell): it never tries to mark it. */
  private notEmpty = false

  /**
   * @param table where the marker is read (the client itself, never a transaction's buffer)
   * @param legacyItems `"auto"` (default) lets the marker decide the fallbacks; `"none"`/`"present"` force them
   * @param now the clock, for tests of the 5-minute re-check and the grace
   */
  constructor(
    private readonly table: TableModeTable,
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
    // Marked before any item existed: no instance of this library wrote a user without seeing the marker.
    if (marker.by === "create-table" || marker.by === "empty-table") return true
    const since = Date.parse(marker.since)
    return Number.isFinite(since) && this.now() - since >= MARKER_RECHECK_MS + USER_COPIES_MARGIN_MS
  }

  /**
   * Whether users are listed from the user directory (`user-directory.ts`):
   * the marker says every user has its entry, and this instance was not
   * told the official adapter still writes (its users have none). A marker
   * without the claim (written before the directory) is read again at most
   * every `MARKER_RECHECK_MS`, so a backfill's claim is seen without a restart.
   */
  async directoryComplete(): Promise<boolean> {
    if (this.legacyItems === "present") return false
    const marker = await this.currentMarker()
    if (!marker) return false
    if (marker.userDirectory === "complete") return true
    if (this.now() - this.checkedAt < MARKER_RECHECK_MS) return false
    this.checkedAt = this.now()
    try {
      const fresh = await readLookupsMarker(this.table)
      if (fresh) this.marker = fresh
      return fresh?.userDirectory === "complete"
    } catch {
      // Listing by a Scan stays correct, only slower; the next re-check reads again.
      return false
    }
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
    const meta = await readTableMeta(this.table)
    const marker = meta?.lookups === "complete" ? meta : meta === undefined ? await this.markIfEmpty() : undefined
    this.checkedAt = this.now()
    this.marker = marker
    return marker
  }

  /** The marker of a table found provably empty and marked now (or marked by another instance meanwhile); undefined when not empty. */
  private async markIfEmpty(): Promise<LookupsMarker | undefined> {
    const { scanPage } = this.table
    if (this.legacyItems === "present" || this.notEmpty || !scanPage) return undefined
    try {
      const first = await firstItemOf({ scanPage: (request, what) => scanPage.call(this.table, request, what) })
      if (!first.empty) {
        this.notEmpty = true
        const seen = metaOf(first.item)
        if (seen?.lookups === "complete") return seen
        // Another instance may have marked the table and written to it since our GetItem: its marker came first.
        return readLookupsMarker(this.table)
      }
      const put = planMarkLookupsComplete(this.table, "empty-table", new Date(this.now()))
      try {
        await this.table.write(put, "mark an empty table's lookups complete")
      } catch (error) {
        if (!isConditionFailure(error)) throw error
        // Marked (or declared legacy) by someone else meanwhile: theirs stands.
        return readLookupsMarker(this.table)
      }
      return metaOf(put.kind === "put" ? put.item : undefined) as LookupsMarker
    } catch (error) {
      // Staying on the legacy path is always correct, only slower (failure mode 3 above).
      this.notEmpty = true
      this.table.logger.warn("Could not check whether the table is empty; it stays on the legacy lookups (run backfill --mark-complete)", { error })
      return undefined
    }
  }
}

/** Stands for a marker that could not be read, where assuming it exists is the careful answer. */
const UNREADABLE_MARKER: LookupsMarker = { lookups: "complete", since: "", by: "backfill" }
