/**
 * The user snapshot kept in each session token item, so a session and its
 * user are read with ONE strongly consistent GetItem, and in the user's email
 * lookup item, so a user is found by email with ONE strongly consistent
 * GetItem (never through GSI1, which lags).
 *
 * Protocol (never a stale user once an update of that user has returned):
 * - the user item carries `userVersion` (missing = 0), incremented by every
 *   update in the same write;
 * - a token item holds `user` (the user's stored attributes, no keys, no
 *   type) and the `userVersion` it was copied at. It is written in a
 *   transaction with a ConditionCheck that the user item still has that
 *   version (retried with a fresh read when it has not), unless the user is
 *   written in the same transaction;
 * - after a user update has been written, every token item of the user's
 *   sessions is refreshed (`refreshSessionSnapshots`), each only when it
 *   holds an older version. A session created meanwhile either committed
 *   before the user write (then the refresh sees it) or fails its check.
 * - lookup items get their copy the same way: the email claim with the user
 *   (same transaction, version 0), a provider-account claim with a version
 *   check like a session's; both are refreshed after each update like the
 *   token items, only while the user still owns them. A claim written
 *   without a copy (an email change, a backfill, a Better Auth link) gets
 *   one on the next refresh and is read by key until then.
 * - snapshots are trusted only on a table whose lookups are complete: on a
 *   legacy table `@auth/dynamodb-adapter` may change users without
 *   refreshing them (see `lookup-mode.ts`).
 */
import type { Expression, Item, ItemTable, Key, WriteAction } from "../table-client.js"
import { isDynamoAuthAdapterError } from "../errors.js"
import { itemSize } from "../item-size.js"
import { BufferedTable } from "../transaction/buffered-table.js"
import { isConditionFailure, transact } from "./transactions.js"
import { both } from "./conditions.js"
import { toRecord, type StoredRecord } from "./stored-record.js"

/** The user item's version attribute (a number; missing means 0). */
export const USER_VERSION = "userVersion"
/** The token item's copy of the user (a map). */
export const USER_SNAPSHOT = "user"

/** A user in stored form with the version it was read or written at. */
export interface VersionedUser {
  user: StoredRecord & { id: string }
  version: number
}

const versions = new WeakMap<object, number>()

/** The version of a user item (missing = 0). */
export function versionOfItem(item: Item): number {
  const version = item[USER_VERSION]
  return typeof version === "number" ? version : 0
}

/** The user record of a user item: no keys, no type, no version (remembered for `versionOfRecord`). */
export function userRecordOf(item: Item, table: Pick<ItemTable, "names">): StoredRecord {
  const { [USER_VERSION]: _version, ...rest } = toRecord(item, table.names)
  versions.set(rest, versionOfItem(item))
  return rest
}

/** The version a record returned by the user store was read or written at; undefined for any other object. */
export function versionOfRecord(record: StoredRecord): number | undefined {
  return versions.get(record)
}

/** Remembers the version of a record built outside `userRecordOf` (a create, whose version is 0). */
export function rememberVersion(record: StoredRecord, version: number): StoredRecord {
  versions.set(record, version)
  return record
}

/** The attributes that give an item (token item, email lookup) a copy of `copy.user` at `copy.version`. */
export function snapshotAttributes(copy: VersionedUser): Item {
  return { [USER_SNAPSHOT]: copy.user, [USER_VERSION]: copy.version }
}

/** The snapshot of a token or email lookup item, or undefined when it has none. */
export function snapshotOfItem(item: Item): VersionedUser | undefined {
  const user = item[USER_SNAPSHOT]
  const version = item[USER_VERSION]
  if (typeof user !== "object" || user === null || Array.isArray(user) || typeof version !== "number") return undefined
  const record = { ...(user as StoredRecord) }
  if (typeof record.id !== "string") return undefined
  versions.set(record, version)
  return { user: record as StoredRecord & { id: string }, version }
}

/** The condition of a write that copies the user at `version`: the user exists and is still at that version. */
export function userAtVersion(table: Pick<ItemTable, "names">, version: number): Expression {
  return version === 0
    ? { expression: "attribute_exists(#pk) AND attribute_not_exists(#version)", names: { "#pk": table.names.partitionKey, "#version": USER_VERSION } }
    : { expression: "attribute_exists(#pk) AND #version = :version", names: { "#pk": table.names.partitionKey, "#version": USER_VERSION }, values: { ":version": version } }
}

/**
 * The largest user copied into a token item. A session's own attributes are
 * small; this keeps the token item far below DynamoDB's 400 KB, and its read
 * cheap. A larger user is simply not copied (its sessions read it by key).
 */
export const MAX_SNAPSHOT_BYTES = 64 * 1024

/** Whether `user` is small enough to be copied into token items. */
export function snapshotFits(user: StoredRecord): boolean {
  return itemSize(user) <= MAX_SNAPSHOT_BYTES
}

/** The user copied into an item a transaction writes (a session token item, an account claim); `check` unless the same transaction writes the user. */
export interface UserCopy extends VersionedUser {
  check: boolean
}

const CHECK_USER_LABEL = "check user version (user copy)"

/** The ConditionCheck that the user is still at the version `copy` was taken at. */
export function planUserCheck(table: Pick<ItemTable, "names" | "keysOf">, copy: VersionedUser): WriteAction {
  return { kind: "check", key: table.keysOf("user", { id: copy.user.id }), condition: userAtVersion(table, copy.version), label: CHECK_USER_LABEL }
}

/** The transaction failed because the user changed (or went) since it was copied. */
export function userCheckFailed(error: unknown): boolean {
  return (
    isDynamoAuthAdapterError(error, "TRANSACTION_FAILED") &&
    (error.reasons ?? []).some((r) => r.code === "ConditionalCheckFailed" && r.action === CHECK_USER_LABEL)
  )
}

/** How often a write is re-planned because its user changed between the read and the write; the last try copies no user. */
const COPY_ATTEMPTS = 4

/**
 * Runs the transaction `plan(copy)` with a copy of user `userId`: `knownUser`
 * (a record the user store returned just now), else one read in the last
 * seconds, else a consistent GetItem. The transaction checks the user still
 * has that version (unless it writes the user itself); on a change it is
 * planned again with a fresh read (bounded; the last try copies no user).
 * Without `copies` (the table does not allow them) it runs once, no copy.
 */
export async function transactWithUserCopy(
  table: ItemTable,
  userId: string,
  copies: boolean,
  plan: (copy: UserCopy | undefined) => WriteAction[],
  what: string,
  knownUser?: StoredRecord,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const copy = copies && attempt < COPY_ATTEMPTS ? await userCopyFor(table, userId, attempt === 1 ? knownUser : undefined, attempt === 1) : undefined
    try {
      await transact(table, plan(copy), what)
      return
    } catch (error) {
      if (copy?.check && userCheckFailed(error)) continue
      throw error
    }
  }
}

/** The copy of user `userId` for a new item, or undefined when none can be made (no such user, too large, changed in this transaction). */
async function userCopyFor(table: ItemTable, userId: string, knownUser: StoredRecord | undefined, useRecent: boolean): Promise<UserCopy | undefined> {
  const key = table.keysOf("user", { id: userId })
  const buffered = table instanceof BufferedTable ? table : undefined
  const pending = buffered?.pendingKind(key)
  if (pending === "put") {
    // Created in this transaction (a sign-up): the copy is the buffered user, and one transaction cannot check an item it writes.
    const item = await table.get(key, "get user (buffered)")
    return item ? copyOf(userRecordOf(item, table), versionOfItem(item), false) : undefined
  }
  // Updated or deleted earlier in this transaction: its committed version is not known yet.
  if (pending !== undefined && pending !== "check") return undefined
  const knownVersion = knownUser && knownUser.id === userId ? versionOfRecord(knownUser) : undefined
  if (knownUser && knownVersion !== undefined) return copyOf(knownUser, knownVersion, true)
  const recent = useRecent ? recentUser(table, userId) : undefined
  if (recent) return copyOf(recent.user, recent.version, true)
  const item = await table.get(key, "get user (to copy)")
  return item ? copyOf(userRecordOf(item, table), versionOfItem(item), true) : undefined
}

function copyOf(user: StoredRecord, version: number, check: boolean): UserCopy | undefined {
  if (typeof user.id !== "string" || !snapshotFits(user)) return undefined
  return { user: user as StoredRecord & { id: string }, version, check }
}

/**
 * Users recently read or written through a plain table (never a transaction's
 * uncommitted buffer), so a session created right after (sign-in reads the
 * user, then creates the session) needs no second read. Always safe: the
 * session's ConditionCheck on the version rejects an outdated entry, and the
 * session is then written with a fresh read.
 */
const RECENT_MS = 10_000
const RECENT_MAX = 1000
const recent = new Map<string, { user: VersionedUser; at: number }>()

function recentKey(table: Pick<ItemTable, "names">, id: string): string {
  return `${table.names.tableName}\u0000${id}`
}

/** Remembers `user` (committed state) for `recentUser`. */
export function rememberUser(table: Pick<ItemTable, "names">, user: VersionedUser): void {
  const key = recentKey(table, user.user.id)
  recent.delete(key)
  recent.set(key, { user, at: Date.now() })
  if (recent.size > RECENT_MAX) recent.delete(recent.keys().next().value!)
}

/** The user with this id read or written in the last seconds, if any. */
export function recentUser(table: Pick<ItemTable, "names">, id: string): VersionedUser | undefined {
  const key = recentKey(table, id)
  const entry = recent.get(key)
  if (!entry) return undefined
  if (Date.now() - entry.at > RECENT_MS) {
    recent.delete(key)
    return undefined
  }
  return entry.user
}

/** Drops the user from `recentUser` (deleted: a user created again with its id starts over at version 0). */
export function forgetUser(table: Pick<ItemTable, "names">, id: string): void {
  recent.delete(recentKey(table, id))
}

/** Copy updates in flight at once. */
const REFRESH_CONCURRENCY = 16

/**
 * The items holding copies of one user: its sessions' token items, and its
 * lookup items (email, provider accounts). A lookup is refreshed or dropped
 * only while the user still owns it (`userId`).
 */
export interface CopyHolders {
  sessionTokens: readonly string[]
  lookups: readonly Key[]
}

/**
 * The version a dropped copy is left at: higher than any user's, so that no
 * refresh still in flight from before the deletion can bring a copy back.
 */
const DROPPED_VERSION = Number.MAX_SAFE_INTEGER

/**
 * Removes the copy of user `userId` from every holder: after the user was
 * deleted, an item that outlived it (a session or an account created while
 * it was being deleted) must not keep presenting it.
 */
export async function dropSnapshots(table: ItemTable, userId: string, holders: CopyHolders): Promise<void> {
  const update: Expression = {
    expression: "SET #version = :dropped REMOVE #user",
    names: { "#user": USER_SNAPSHOT, "#version": USER_VERSION },
    values: { ":dropped": DROPPED_VERSION },
  }
  const hasCopy: Expression = { expression: "attribute_exists(#version)", names: { "#version": USER_VERSION } }
  const targets = [
    ...holders.sessionTokens.map((sessionToken) => ({ key: table.keysOf("sessionToken", { sessionToken }), condition: hasCopy })),
    ...holders.lookups.map((key) => ({ key, condition: both(hasCopy, ownedByUser(userId)) })),
  ]
  await runBounded(targets, ({ key, condition }) => conditionalUpdate(table, { kind: "update", key, update, condition, label: "drop user copy" }, "drop user copy"))
}

/**
 * Copies `current` (the user as just written, with its version) into every
 * holder with an older copy. Token items without a copy stay without one
 * (they were written by the legacy path and are read the legacy way), and
 * deleted ones stay deleted (the condition requires `userVersion`); a lookup
 * still owned by the user gets the copy even when it had none (a claim
 * written by an email change, a backfill or a Better Auth link), so give
 * `lookups` only where copies are allowed (`userCopiesAllowed`): a copy
 * added while another instance may still update users without refreshing
 * could go stale. Newer copies are left alone.
 */
export async function refreshSnapshots(table: ItemTable, current: VersionedUser, holders: CopyHolders): Promise<void> {
  await runBounded(planRefreshSnapshots(table, current, holders, false), (action) => conditionalUpdate(table, action, "refresh user copy"))
}

/**
 * The conditional updates that bring each holder's copy to `current` (see
 * `refreshSnapshots`). With `inTransaction`, for the user's own update
 * transaction, where every condition must hold: a token item without a copy
 * (the legacy path's) gets one too, as long as it exists, since the caller
 * only does this where copies are allowed.
 */
export function planRefreshSnapshots(
  table: Pick<ItemTable, "names" | "keysOf">,
  current: VersionedUser,
  holders: CopyHolders,
  inTransaction: boolean,
): Extract<WriteAction, { kind: "update" }>[] {
  const older: Expression = { expression: "#version < :version", names: { "#version": USER_VERSION }, values: { ":version": current.version } }
  const tokenCondition = inTransaction
    ? both(
        { expression: "attribute_exists(#pk)", names: { "#pk": table.names.partitionKey } },
        { expression: "attribute_not_exists(#version) OR #version < :version", names: { "#version": USER_VERSION }, values: { ":version": current.version } },
      )
    : both({ expression: "attribute_exists(#version)", names: { "#version": USER_VERSION } }, older)
  const lookupCondition = both(ownedByUser(current.user.id), {
    expression: "attribute_not_exists(#version) OR #version < :version",
    names: { "#version": USER_VERSION },
    values: { ":version": current.version },
  })
  // A user grown too large for a copy: the copy goes, and readers read the user by key. The version stays (moved up), so a
  // refresh of an older, smaller version still in flight cannot bring an older copy back.
  const update: Expression = snapshotFits(current.user)
    ? { expression: "SET #user = :user, #version = :version", names: { "#user": USER_SNAPSHOT, "#version": USER_VERSION }, values: { ":user": current.user, ":version": current.version } }
    : { expression: "SET #version = :version REMOVE #user", names: { "#user": USER_SNAPSHOT, "#version": USER_VERSION }, values: { ":version": current.version } }
  const targets = [
    ...holders.sessionTokens.map((sessionToken) => ({ key: table.keysOf("sessionToken", { sessionToken }), condition: tokenCondition })),
    ...holders.lookups.map((key) => ({ key, condition: lookupCondition })),
  ]
  return targets.map(({ key, condition }) => ({ kind: "update", key, update, condition, label: REFRESH_LABEL }))
}

/** The label of every copy refresh (never a claim's: a failed refresh is not a taken email). */
export const REFRESH_LABEL = "refresh user copy"

function ownedByUser(userId: string): Expression {
  return { expression: "#owner = :owner", names: { "#owner": "userId" }, values: { ":owner": userId } }
}

/** One conditional UpdateItem; a failed condition means there is nothing to do (deleted meanwhile, owned by another user, already newer). */
async function conditionalUpdate(table: ItemTable, action: WriteAction, what: string): Promise<void> {
  try {
    await table.write(action, what)
  } catch (error) {
    if (!isConditionFailure(error)) throw error
  }
}

async function runBounded<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length) await work(items[next++]!)
  }
  await Promise.all(Array.from({ length: Math.min(REFRESH_CONCURRENCY, items.length) }, worker))
}
