/**
 * Copies of a user, and the links that make a user's deletion complete.
 *
 * A session token item, the email claim and each provider-account claim can
 * carry a copy of their user (`user`, with the `userVersion` it was copied
 * at), so get session, user by email and user by provider account are each
 * ONE strongly consistent GetItem. This module is the whole protocol; the
 * stores only say which items hold copies.
 *
 * The user item carries:
 * - `userVersion` (missing = 0): moved up by EVERY user write this library
 *   makes, in every mode, in the same write;
 * - `userLinks` (missing = 0): moved up by every write that creates an item
 *   belonging to the user (a session, an account, an authenticator), in the
 *   same transaction, under the condition that the user exists and, when the
 *   new item copies the user, is still at the version copied.
 *
 * Invariants (each proven by the interleaving explorer, test/explorer):
 * 1. A copy is the user at its version: it is written only in a transaction
 *    that checks the user item is at that version (or writes it), or after a
 *    read of the user made once the holder existed (a repair, conditioned on
 *    the holder's version being older).
 * 2. An update refreshes every holder in its own transaction: it reads the
 *    user's partition, then writes the user conditioned on the version AND the
 *    links it read, and every holder conditioned on an older version. A
 *    holder created in between moved the links, so the update is planned
 *    again: no holder is ever missed, and no crash leaves one behind. (Past
 *    one transaction's size: the two-step path, `refreshCopies`, whose crash
 *    window the README states.)
 * 3. Versions only move up, on the user and on every holder, so a refresh
 *    still in flight can never bring an older copy back.
 * 4. Copies are trusted only where the table allows them
 *    (`TableMode.copiesTrusted`), and refreshed wherever they may exist
 *    (`TableMode.copiesMayExist`): an instance's options only make it more
 *    careful. A session's copy is not trusted in its last minutes
 *    (`COPY_EXPIRY_MARGIN_S`): updates leave sessions that TTL may be deleting
 *    out of their transaction.
 * 5. A deletion reads the user's partition, deletes what belongs to it,
 *    then the user item conditioned on the version and links it read (read
 *    again when they moved): once the user item is gone nothing of the user
 *    is left, no copy of it can log anyone in, and nothing can be created for
 *    it. A deletion that fails midway leaves the user whole but for some of
 *    its items; calling it again finishes.
 */
import type { Expression, Item, ItemTable, Key, WriteAction } from "../client/table-client.js"
import { DynamoAuthAdapterError, isDynamoAuthAdapterError } from "../errors.js"
import { itemSize } from "../item-size.js"
import { both, ownedBy } from "./conditions.js"
import { transact, isConditionFailure } from "./transactions.js"
import { toRecord, type StoredRecord } from "./stored-record.js"
import type { IdentityScope } from "./identity-state.js"
import type { UserRecord, VersionedUser } from "./versioned-user.js"

/** The user item's version attribute (a number; missing means 0). */
export const USER_VERSION = "userVersion"
/** The user item's count of items created for it (a number; missing means 0). */
export const USER_LINKS = "userLinks"
/** A holder's copy of the user (a map). */
export const USER_COPY = "user"

/** The protocol's attributes of a user item: never part of the user record. */
const PROTOCOL_ATTRIBUTES = [USER_VERSION, USER_LINKS] as const

export type { UserRecord, VersionedUser } from "./versioned-user.js"

/** A user item as the protocol sees it. */
export interface UserState extends VersionedUser {
  links: number
}

function numberOf(value: unknown): number {
  return typeof value === "number" ? value : 0
}

/** The version of a user item (missing = 0). */
export function versionOfItem(item: Item): number {
  return numberOf(item[USER_VERSION])
}

/** The user record of a user item: no keys, no type, none of the protocol's attributes. */
export function userRecordOf(item: Item, names: ItemTable["names"]): StoredRecord {
  const record = toRecord(item, names)
  for (const attribute of PROTOCOL_ATTRIBUTES) delete record[attribute]
  return record
}

/** The protocol's view of a user item (read or just written). */
export function userStateOf(item: Item, names: ItemTable["names"]): UserState {
  const user = userRecordOf(item, names) as UserRecord
  return { user, version: versionOfItem(item), links: numberOf(item[USER_LINKS]) }
}

/** The attributes that give a holder a copy of `copy.user` at `copy.version`. */
export function copyAttributes(copy: VersionedUser): Item {
  return { [USER_COPY]: copy.user, [USER_VERSION]: copy.version }
}

/** The copy a holder carries, or undefined when it has none. */
export function copyOfItem(item: Item): VersionedUser | undefined {
  const user = item[USER_COPY]
  const version = item[USER_VERSION]
  if (typeof user !== "object" || user === null || Array.isArray(user) || typeof version !== "number") return undefined
  const record = { ...(user as StoredRecord) }
  if (typeof record.id !== "string") return undefined
  return { user: record as UserRecord, version }
}

/**
 * Seconds before a session's expiry from which its copy is not trusted:
 * updates leave such sessions out of their transaction (TTL may be deleting
 * one of their two items), so their user is read by key instead.
 */
export const COPY_EXPIRY_MARGIN_S = 120
/** Sessions expiring within this many seconds stay out of an update's transaction (less than the margin: clocks differ). */
const UPDATE_EXPIRY_MARGIN_S = 60

/** Whether a session's copy may be used now, as far as its expiry goes. */
export function sessionCopyUsable(expires: unknown, now: number = Date.now()): boolean {
  return typeof expires !== "number" || expires * 1000 > now + COPY_EXPIRY_MARGIN_S * 1000
}

/**
 * The largest user copied into a holder: this keeps holders far below
 * DynamoDB's 400 KB, and their reads cheap. A larger user is not copied
 * (its holders are read with the user by key).
 */
export const MAX_COPY_BYTES = 64 * 1024

/** Whether `user` is small enough to be copied. */
export function copyFits(user: StoredRecord): boolean {
  return itemSize(user) <= MAX_COPY_BYTES
}

/** The conditions on a user item that a write relying on its state puts there: it exists and, when given, is at that version and links. */
export function userIs(names: ItemTable["names"], expected: { version?: number; links?: number }): Expression {
  const clauses = ["attribute_exists(#pk)"]
  const values: Record<string, unknown> = {}
  const attributeNames: Record<string, string> = { "#pk": names.partitionKey }
  if (expected.version !== undefined) {
    attributeNames["#version"] = USER_VERSION
    clauses.push(expected.version === 0 ? "attribute_not_exists(#version)" : "#version = :version")
    if (expected.version !== 0) values[":version"] = expected.version
  }
  if (expected.links !== undefined) {
    attributeNames["#links"] = USER_LINKS
    clauses.push(expected.links === 0 ? "attribute_not_exists(#links)" : "#links = :links")
    if (expected.links !== 0) values[":links"] = expected.links
  }
  return { expression: clauses.join(" AND "), names: attributeNames, ...(Object.keys(values).length ? { values } : {}) }
}

/** The label of the user-item action of a write that creates an item of the user. */
export const LINK_LABEL = "link to user"

/**
 * The action that records a new item of user `userId` on the user item
 * (links + 1), refused when the user is gone or, with `copiedAt`, no longer
 * at that version.
 */
export function planLink(scope: IdentityScope, userId: string, copiedAt?: number): WriteAction {
  const { table } = scope
  return {
    kind: "update",
    key: table.keysOf("user", { id: userId }),
    update: { expression: "ADD #links :one", names: { "#links": USER_LINKS }, values: { ":one": 1 } },
    condition: userIs(table.names, copiedAt === undefined ? {} : { version: copiedAt }),
    label: LINK_LABEL,
  }
}

/** The transaction was cancelled because the labelled action's condition did not hold. */
export function actionFailed(error: unknown, label: string): boolean {
  return (
    isDynamoAuthAdapterError(error, "TRANSACTION_FAILED") &&
    (error.reasons ?? []).some((r) => r.code === "ConditionalCheckFailed" && r.action === label)
  )
}

/** The user copied into a new holder; `check` unless the same transaction writes the user. */
export interface UserCopy extends VersionedUser {
  check: boolean
}

/** Attempts with a copy of the user before the last one, which links without a copy. */
const COPY_ATTEMPTS = 4

/**
 * Runs the transaction `plan(copy)` that creates an item of user `userId`,
 * with the link on the user item (see `planLink`). Where copies are trusted,
 * the new item copies the user: `known` (the user as the caller just read
 * or wrote it), else one this instance saw in the last seconds, else a
 * consistent GetItem; when the user changed meanwhile it is read again and
 * planned again (bounded: the last attempt copies nothing, and the holder
 * gets its copy from the next read or update). NOT_FOUND when the user does
 * not exist: nothing is written.
 *
 * Inside a transaction the plan is buffered once: the user as the buffer sees
 * it is copied, and the commit checks it.
 */
export async function transactWithUserCopy(
  scope: IdentityScope,
  userId: string,
  plan: (copy: UserCopy | undefined) => WriteAction[],
  what: string,
  known?: VersionedUser,
): Promise<void> {
  const { table, state } = scope
  const trusted = await state.mode.copiesTrusted()
  if (scope.buffer) {
    const item = await table.get(table.keysOf("user", { id: userId }), "get user (to copy)")
    const user = item ? userStateOf(item, table.names) : undefined
    if (!user) throw userGone(userId, what)
    const pending = scope.buffer.pendingKind(table.keysOf("user", { id: userId }))
    // A user written earlier in this transaction: the copy is its buffered state, and the commit writes both together.
    const copy = trusted && copyFits(user.user) ? { ...user, check: pending === undefined || pending === "check" } : undefined
    await transact(table, [...plan(copy), planLink(scope, userId, copy?.check ? copy.version : undefined)], what)
    return
  }
  // The user to copy: the caller's, else one seen in the last seconds, else read; after a failed link, the one read then.
  let candidate = known && known.user.id === userId ? known : state.recentUsers.get(userId)
  for (let attempt = 1; ; attempt++) {
    if (trusted && candidate === undefined) candidate = await readUser(scope, userId, "get user (to copy)")
    const copy = trusted && attempt < COPY_ATTEMPTS && candidate && copyFits(candidate.user) ? { ...candidate, check: true } : undefined
    try {
      await transact(table, [...plan(copy), planLink(scope, userId, copy?.version)], what)
      return
    } catch (error) {
      if (!actionFailed(error, LINK_LABEL)) throw error
      // The user changed (try again with the user as it is now), or is gone.
      candidate = await readUser(scope, userId, "get user (after a failed link)")
      if (!candidate) throw userGone(userId, what)
      if (attempt >= COPY_ATTEMPTS) throw error
    }
  }
}

async function readUser(scope: IdentityScope, userId: string, what: string): Promise<VersionedUser | undefined> {
  const item = await scope.table.get(scope.table.keysOf("user", { id: userId }), what)
  if (!item) return undefined
  const { user, version } = userStateOf(item, scope.table.names)
  return { user, version }
}

/** Runs `actions`, which create an item of user `userId` holding no copy, with the link on the user (NOT_FOUND when it is gone). */
export async function transactLinked(scope: IdentityScope, userId: string, actions: WriteAction[], what: string): Promise<void> {
  try {
    await transact(scope.table, [...actions, planLink(scope, userId)], what)
  } catch (error) {
    if (actionFailed(error, LINK_LABEL)) throw userGone(userId, what)
    throw error
  }
}

function userGone(userId: string, what: string): DynamoAuthAdapterError {
  return new DynamoAuthAdapterError(
    "NOT_FOUND",
    `${what}: no user with id "${userId}"; nothing was written. Create the user first, or check the id.`,
  )
}

/**
 * The items holding copies of one user: its sessions' token items, and its
 * claims (email, provider accounts). A claim is refreshed only while the user
 * owns it.
 */
export interface CopyHolders {
  sessionTokens: readonly string[]
  claims: readonly Key[]
}

export const REFRESH_LABEL = "refresh user copy"

/**
 * The conditional updates that bring each holder's copy to `current`: only
 * where the holder exists, is older, and (claims) is still the user's. A user
 * grown too large for a copy loses it, keeping the version (so an older,
 * smaller copy cannot come back).
 */
export function planRefresh(scope: IdentityScope, current: VersionedUser, holders: CopyHolders): Extract<WriteAction, { kind: "update" }>[] {
  const { table } = scope
  return [
    ...holders.sessionTokens.map((sessionToken) => planRefreshOf(scope, current, table.keysOf("sessionToken", { sessionToken }), false)),
    ...holders.claims.map((key) => planRefreshOf(scope, current, key, true)),
  ]
}

/** The refresh of one holder (see `planRefresh`); `claim` adds the condition that the user still owns it. */
function planRefreshOf(scope: IdentityScope, current: VersionedUser, key: Key, claim: boolean): Extract<WriteAction, { kind: "update" }> {
  const older: Expression = {
    expression: "attribute_exists(#pk) AND (attribute_not_exists(#version) OR #version < :version)",
    names: { "#pk": scope.table.names.partitionKey, "#version": USER_VERSION },
    values: { ":version": current.version },
  }
  const update: Expression = copyFits(current.user)
    ? { expression: "SET #user = :user, #version = :version", names: { "#user": USER_COPY, "#version": USER_VERSION }, values: { ":user": current.user, ":version": current.version } }
    : { expression: "SET #version = :version REMOVE #user", names: { "#user": USER_COPY, "#version": USER_VERSION }, values: { ":version": current.version } }
  return { kind: "update", key, update, condition: claim ? both(older, ownedBy(current.user.id)) : older, label: REFRESH_LABEL }
}

/** Copy refreshes in flight at once on the two-step path. */
const REFRESH_CONCURRENCY = 16

/**
 * The two-step path's second step: each holder refreshed with its own
 * conditional UpdateItem (a failed condition: nothing to do). On an error
 * no further refresh starts, those in flight are awaited, then it throws:
 * nothing keeps writing after the caller has been told.
 */
export async function refreshCopies(scope: IdentityScope, current: VersionedUser, holders: CopyHolders): Promise<void> {
  const actions = planRefresh(scope, current, holders)
  await runBounded(actions, (action) => conditionalWrite(scope.table, action, "refresh user copy"))
}

/**
 * Gives a holder read without a usable copy the user as read just now (after
 * the holder existed: invariant 1), when it is older; failures only cost the
 * next read its fast path.
 */
export async function repairCopy(scope: IdentityScope, holder: Key, current: VersionedUser, claim: boolean): Promise<void> {
  // A user too large to copy has nothing to give; inside a transaction the holder may not even be committed.
  if (scope.buffer || !copyFits(current.user) || !(await scope.state.mode.copiesTrusted())) return
  try {
    await conditionalWrite(scope.table, planRefreshOf(scope, current, holder, claim), "repair user copy")
  } catch (error) {
    scope.table.logger.warn("Could not repair a user copy", { error })
  }
}

/** One conditional write; a failed condition means there is nothing to do. */
export async function conditionalWrite(table: ItemTable, action: WriteAction, what: string): Promise<void> {
  try {
    await table.write(action, what)
  } catch (error) {
    if (!isConditionFailure(error)) throw error
  }
}

/** Runs `work` over `items`, a few at a time; the first error stops new work and is thrown once the rest in flight settled. */
export async function runBounded<T>(items: readonly T[], work: (item: T) => Promise<void>, concurrency = REFRESH_CONCURRENCY): Promise<void> {
  let next = 0
  let failure: { error: unknown } | undefined
  const worker = async () => {
    while (failure === undefined && next < items.length) {
      try {
        await work(items[next++]!)
      } catch (error) {
        failure ??= { error }
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker))
  if (failure) throw failure.error
}

/** Sessions in `items` (a user's partition) that expire within the update margin, expired ones included. */
export function sessionsLeftOutOfUpdates(items: readonly Item[], now: number = Date.now()): Set<string> {
  const soon = Math.floor(now / 1000) + UPDATE_EXPIRY_MARGIN_S
  return new Set(
    items.flatMap((item) => (typeof item.sessionToken === "string" && typeof item.expires === "number" && item.expires <= soon ? [item.sessionToken] : [])),
  )
}
