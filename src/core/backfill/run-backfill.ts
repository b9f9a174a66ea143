/**
 * Writes the lookup items a table written by `@auth/dynamodb-adapter` lacks:
 * the email lookup and user directory entry of each user, the
 * provider-account lookup and the id lookup of each account, the token item
 * of each live session.
 *
 * - Safe while traffic runs: every write is a conditional put
 *   (`attribute_not_exists`); when it fails, someone else wrote the lookup
 *   meanwhile and theirs stands.
 * - Never picks a winner: when two users hold one email (or one provider
 *   account) the lookup is not written and the conflict is reported.
 * - Idempotent: lookups that exist are read (BatchGetItem) and skipped, so a
 *   second run writes nothing.
 * - Resumable: after each page it reports a cursor; a run started from it
 *   continues after the last page whose lookups were all written.
 * - Checks every session token item against its session item, as the reads
 *   do on a legacy table: one whose session item is gone (signed out by the
 *   official adapter, which deletes the session item alone) is deleted, one
 *   that differs (extended by the official adapter) is brought to it. Once
 *   the table is marked complete a token item answers alone, so none may
 *   outlive its session.
 * - With `markComplete`, a run over the whole table that found no conflict
 *   ends by writing the table metadata item (`lookups: "complete"`), after
 *   which the adapters stop falling back to GSI1 or a Scan on a lookup miss.
 */
import { DynamoAuthAdapterError } from "../errors.js"
import type { Item, ItemTable, ScanRequest } from "../client/table-client.js"
import type { PlannedLookup } from "../identity/backfill.js"
import { isConditionFailure } from "../identity/transactions.js"
import { ownedBy } from "../identity/conditions.js"
import { planMarkDirectoryComplete, planMarkLookupsComplete, readLookupsMarker, type LookupsMarker } from "../identity/table-mode.js"
import { claimantsOf } from "./claimants.js"
import { decodeCursor, encodeCursor, startCursor, type BackfillCursor } from "./cursor.js"
import { isTokenItem, keyPrefixes, neededLookups, type NeededLookup } from "./needed-lookups.js"
import { createIdentityStores } from "../identity/index.js"
import { tokenItemRepair } from "../identity/session-store.js"

/** What the backfill needs from the table: the stores' `ItemTable` plus paged, segmented scans (`TableClient` has both). */
export interface BackfillTable extends ItemTable {
  scanPage(request: ScanRequest, what: string): Promise<{ items: Item[]; lastKey: Item | undefined; scanned: number }>
}

export type LookupKind = PlannedLookup["kind"]

export interface BackfillCounts {
  /** Items the Scan read. */
  scanned: number
  /** Lookup items written (in a dry run: that would be written). */
  written: Record<LookupKind, number>
  /** Lookup items that were there already (or were written by someone else during the run). */
  present: Record<LookupKind, number>
  /** Lookups not written because another user holds the email or provider account. */
  conflicts: number
  /** Expired sessions, which get no token item. */
  expiredSessions: number
  /** Session token items whose session item is gone, deleted (in a dry run: that would be). */
  orphanedTokenItems: number
  /** Session token items brought to their session item (extended or changed elsewhere; in a dry run: that would be). */
  staleTokenItems: number
  /** Scan pages processed. */
  pages: number
}

export interface BackfillConflict {
  kind: LookupKind
  /** For a person: `email "a@b.c"`, `provider account "github#42"`; never a session token. */
  what: string
  /** Every user that holds it, the lookup's current owner first when there is one. */
  userIds: string[]
}

export interface BackfillProgress {
  counts: BackfillCounts
  /** Pass to `resumeFrom` to continue after this page. */
  cursor: string
  segment: number
  segments: number
}

export interface BackfillOptions {
  /** Parallel Scan segments (default 1). A resumed run takes its count from the cursor. */
  segments?: number
  /** A cursor from a previous run's progress. */
  resumeFrom?: string
  /** Read and report, write nothing. */
  dryRun?: boolean
  /** Items per Scan page (default: DynamoDB's 1 MB pages). */
  pageSize?: number
  /** Conditional puts in flight at once per segment (default 10). */
  concurrency?: number
  /** Sessions that expire before this are skipped (default: now). */
  now?: Date
  onProgress?(progress: BackfillProgress): void
  onConflict?(conflict: BackfillConflict): void
  /**
   * At the end of a run over the whole table with no conflicts, write the
   * table metadata item saying every item has its lookups (the adapters then
   * stop falling back on a lookup miss). Only once `@auth/dynamodb-adapter`
   * no longer writes to the table. Refused with `resumeFrom` (the run would
   * not cover the whole table); with `dryRun` only reported.
   */
  markComplete?: boolean
}

/** What became of `markComplete`. */
export type MarkCompleteOutcome =
  /** Written by this run. */
  | { status: "written"; marker: LookupsMarker }
  /** The table was marked already (by create-table or an earlier backfill); left as it was. */
  | { status: "already"; marker: LookupsMarker }
  /** Dry run: it would have been written. */
  | { status: "would-write" }
  /** Not written, and why (for a person). */
  | { status: "refused"; reason: string }

export interface BackfillResult {
  counts: BackfillCounts
  conflicts: BackfillConflict[]
  dryRun: boolean
  /** Present when `markComplete` was asked for. */
  markComplete?: MarkCompleteOutcome
}

const KINDS: LookupKind[] = ["email", "account", "accountId", "session", "directory"]
const zeroByKind = (): Record<LookupKind, number> => ({ email: 0, account: 0, accountId: 0, session: 0, directory: 0 })

export function totalOf(byKind: Record<LookupKind, number>): number {
  return KINDS.reduce((sum, kind) => sum + byKind[kind], 0)
}

const MAX_SEGMENTS = 1_000_000

function resolveStart(table: BackfillTable, options: BackfillOptions): BackfillCursor {
  if (options.resumeFrom === undefined) {
    const segments = options.segments ?? 1
    if (!Number.isInteger(segments) || segments < 1 || segments > MAX_SEGMENTS) {
      throw new DynamoAuthAdapterError("INVALID_INPUT", `--segments must be a whole number from 1 to ${MAX_SEGMENTS}; got ${segments}.`)
    }
    return startCursor(table.names.tableName, segments)
  }
  const cursor = decodeCursor(options.resumeFrom)
  if (cursor.table !== table.names.tableName) {
    throw new DynamoAuthAdapterError(
      "INVALID_INPUT",
      `The --resume-from cursor belongs to table "${cursor.table}", not "${table.names.tableName}". Pass --table ${cursor.table}, or start over without --resume-from.`,
    )
  }
  if (options.segments !== undefined && options.segments !== cursor.segments.length) {
    throw new DynamoAuthAdapterError(
      "INVALID_INPUT",
      `The --resume-from cursor was made with --segments ${cursor.segments.length}; got --segments ${options.segments}. Leave --segments out (the cursor sets it) or start over.`,
    )
  }
  return cursor
}

/** Runs `work` over `inputs` with at most `limit` in flight. */
async function inBatches<T>(inputs: T[], limit: number, work: (input: T) => Promise<void>): Promise<void> {
  let next = 0
  const workers = Array.from({ length: Math.min(limit, inputs.length) }, async () => {
    while (next < inputs.length) await work(inputs[next++]!)
  })
  await Promise.all(workers)
}

/** Scans the table and writes the missing lookup items. See the module comment for the guarantees. */
export async function runBackfill(table: BackfillTable, options: BackfillOptions = {}): Promise<BackfillResult> {
  if (options.markComplete === true && options.resumeFrom !== undefined) {
    throw new DynamoAuthAdapterError(
      "INVALID_INPUT",
      "--mark-complete needs a run over the whole table, and a run resumed from a cursor does not know what earlier runs found. " +
        "Finish this run without --mark-complete, then run backfill --mark-complete again without --resume-from (lookups already written are only read).",
    )
  }
  const cursor = resolveStart(table, options)
  const dryRun = options.dryRun === true
  const now = options.now ?? new Date()
  const concurrency = options.concurrency ?? 10
  const prefixes = keyPrefixes(table)
  const { partitionKey } = table.names
  const counts: BackfillCounts = { scanned: 0, written: zeroByKind(), present: zeroByKind(), conflicts: 0, expiredSessions: 0, orphanedTokenItems: 0, staleTokenItems: 0, pages: 0 }
  const sessions = createIdentityStores(table).sessions
  const conflicts: BackfillConflict[] = []
  const reported = new Set<string>()

  const conflictId = (lookup: PlannedLookup) => `${lookup.kind}\u0000${JSON.stringify(lookup.key)}`
  const conflict = (lookup: PlannedLookup, what: string, userIds: string[]) => {
    const id = conflictId(lookup)
    if (reported.has(id)) return
    reported.add(id)
    counts.conflicts++
    const found: BackfillConflict = { kind: lookup.kind, what, userIds }
    conflicts.push(found)
    options.onConflict?.(found)
  }

  /** Lookups this run wrote, by claim id, with their owner. */
  const writtenByRun = new Map<string, string>()

  /**
   * Classifies an existing lookup: the same owner means it is there; another
   * owner is a conflict. A claim this run wrote that turns out to be
   * contested (two legacy users whose emails differ only in case: GSI1 finds
   * the one stored with capitals only from its own side) is taken back, so
   * the scan order picks no winner.
   */
  const settleExisting = async (lookup: PlannedLookup, what: string, existing: Item) => {
    const owner = existing.userId
    if (owner === lookup.userId) {
      counts.present[lookup.kind]++
      return
    }
    conflict(lookup, what, [String(owner), lookup.userId])
    await takeBack(lookup)
  }

  /** Deletes the lookup this run wrote for `lookup`'s claim, once that claim is a conflict (conditioned on its owner, unchanged). */
  const takeBack = async (lookup: PlannedLookup) => {
    const id = conflictId(lookup)
    const owner = writtenByRun.get(id)
    if (owner === undefined || !reported.has(id)) return
    writtenByRun.delete(id)
    try {
      await table.write({ kind: "delete", key: lookup.key, condition: ownedBy(owner), label: `backfill: take back contested ${lookup.kind} lookup` }, "backfill: take back a contested lookup")
      counts.written[lookup.kind]--
    } catch (error) {
      if (!isConditionFailure(error)) throw error
    }
  }

  const backfillOne = async ({ lookup, describe }: NeededLookup, existing: Item | undefined) => {
    if (existing) return settleExisting(lookup, describe, existing)
    // Already a conflict in this run: another claimant of the same claim (emails differing only in case find each other only one way).
    if (reported.has(conflictId(lookup))) return
    const claimants = await claimantsOf(table, lookup)
    if (claimants.length > 1) {
      conflict(lookup, describe, claimants)
      return takeBack(lookup)
    }
    if (dryRun) {
      counts.written[lookup.kind]++
      return
    }
    try {
      await table.write(lookup.put, `backfill: write ${lookup.kind} lookup`)
      counts.written[lookup.kind]++
      writtenByRun.set(conflictId(lookup), lookup.userId)
      // Another claimant of this claim may have been found a conflict while the write was in flight.
      await takeBack(lookup)
    } catch (error) {
      if (!isConditionFailure(error)) throw error
      // Written by someone else since we looked: read whose it is.
      const current = await table.get(lookup.key, `backfill: read ${lookup.kind} lookup`)
      if (current) await settleExisting(lookup, describe, current)
    }
  }

  /** Brings a token item to its session item as read (see `SessionStore.reconcileTokenItem`), counting what it did. */
  const checkTokenItem = async (tokenItem: Item, sessionItem: Item | undefined) => {
    const hint = sessions.recordOfTokenItem(tokenItem)
    const truth = sessions.sessionOfItem(sessionItem)
    const outcome = dryRun ? tokenItemRepair(hint, truth) : await sessions.reconcileTokenItem(hint, truth)
    if (outcome === "delete" || outcome === "deleted") counts.orphanedTokenItems++
    else if (outcome === "update" || outcome === "updated") counts.staleTokenItems++
  }

  const processPage = async (items: Item[]) => {
    const needed: NeededLookup[] = []
    const tokenItems: Item[] = []
    for (const item of items) {
      if (isTokenItem(table, prefixes, item)) {
        tokenItems.push(item)
        continue
      }
      const need = neededLookups(table, prefixes, item, now)
      if ("expiredSession" in need) counts.expiredSessions++
      else needed.push(...need)
    }
    if (needed.length === 0 && tokenItems.length === 0) return
    const sessionKeyOf = (tokenItem: Item) => sessions.sessionKeyOf(sessions.recordOfTokenItem(tokenItem))
    // The lookups to check and the session items of the token items, in one BatchGetItem (per 100 keys).
    const existing = await table.batchGet(
      [...needed.map((n) => n.lookup.key), ...tokenItems.map(sessionKeyOf)],
      "backfill: read existing lookups and session items",
    )
    const byKey = new Map(existing.map((item) => [keyId(item), item]))
    await inBatches(needed, concurrency, (n) => backfillOne(n, byKey.get(keyId(n.lookup.key))))
    await inBatches(tokenItems, concurrency, (item) => checkTokenItem(item, byKey.get(keyId(sessionKeyOf(item)))))
  }

  const keyId = (item: Record<string, unknown>) => `${String(item[partitionKey])}\u0000${String(item[table.names.sortKey])}`

  // Only a user's partition holds items that need lookups, and token items are checked: the filter saves transfer, not read capacity.
  const filter = {
    expression: "begins_with(#pk, :userPrefix) OR begins_with(#pk, :tokenPrefix)",
    names: { "#pk": partitionKey },
    values: { ":userPrefix": prefixes.userPartition, ":tokenPrefix": prefixes.sessionToken },
  }
  const total = cursor.segments.length

  let failed = false
  const runSegment = async (segment: number) => {
    while (!failed) {
      const position = cursor.segments[segment]!
      if (position.done) return
      const request: ScanRequest = {
        filter,
        // A maintenance scan tolerates eventual consistency at half the read cost: lookups are read consistently before writing.
        consistent: false,
        ...(options.pageSize !== undefined ? { limit: options.pageSize } : {}),
        ...(total > 1 ? { segment: { index: segment, total } } : {}),
        ...(position.lastKey ? { startKey: position.lastKey } : {}),
      }
      const page = await table.scanPage(request, "backfill: scan")
      await processPage(page.items)
      counts.scanned += page.scanned
      counts.pages++
      cursor.segments[segment] = page.lastKey ? { done: false, lastKey: page.lastKey } : { done: true }
      options.onProgress?.({ counts: cloneCounts(counts), cursor: encodeCursor(cursor), segment, segments: total })
    }
  }

  const outcomes = await Promise.allSettled(
    cursor.segments.map((_, segment) =>
      runSegment(segment).catch((error: unknown) => {
        // The other segments stop after their current page, so the last cursor reported stays valid.
        failed = true
        throw error
      }),
    ),
  )
  const failure = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === "rejected")
  if (failure) throw failure.reason
  if (options.markComplete !== true) return { counts, conflicts, dryRun }
  return { counts, conflicts, dryRun, markComplete: await markComplete(table, counts, dryRun) }
}

/** Writes the "lookups complete" marker after a clean run over the whole table, or says why not. */
async function markComplete(table: BackfillTable, counts: BackfillCounts, dryRun: boolean): Promise<MarkCompleteOutcome> {
  if (counts.conflicts > 0) {
    return {
      status: "refused",
      reason:
        `${counts.conflicts} lookup${counts.conflicts === 1 ? " was" : "s were"} not written because of conflicts, so items without lookups remain ` +
        "and the adapters must keep falling back to GSI1 for them. Resolve the conflicts, then run backfill --mark-complete again.",
    }
  }
  const existing = await readLookupsMarker(table)
  if (existing?.userDirectory === "complete") return { status: "already", marker: existing }
  if (dryRun) return { status: "would-write" }
  if (existing) {
    // Marked before the user directory existed: this run has written every missing entry, so the directory is complete too.
    await table.write(planMarkDirectoryComplete(table), "backfill: mark the table's user directory complete")
    return { status: "written", marker: { ...existing, userDirectory: "complete" } }
  }
  const put = planMarkLookupsComplete(table, "backfill")
  try {
    await table.write(put, "backfill: mark the table's lookups complete")
  } catch (error) {
    if (!isConditionFailure(error)) throw error
    // Marked by someone else meanwhile: theirs stands.
    const marker = await readLookupsMarker(table)
    if (marker) return { status: "already", marker }
    throw error
  }
  const item = put.kind === "put" ? put.item : {}
  return { status: "written", marker: { lookups: "complete", since: String(item.since), by: "backfill", userDirectory: "complete" } }
}

function cloneCounts(counts: BackfillCounts): BackfillCounts {
  return { ...counts, written: { ...counts.written }, present: { ...counts.present } }
}
