/**
 * Sessions, in stored form. Each session is two items written, updated and
 * deleted together in one transaction:
 * - the session item in its user's partition (pk `USER#<userId>`, sk
 *   `SESSION#<token>`, GSI1 `SESSION#<token>` twice: what
 *   `@auth/dynamodb-adapter` reads);
 * - the session token item pk = sk = `SESSION#<token>`, a copy of every
 *   session attribute, so a session is found by its token with ONE strongly
 *   consistent GetItem (no GSI lag right after sign-in).
 *
 * Sessions written by `@auth/dynamodb-adapter` have no token item: a miss
 * falls back to GSI1 and writes the token item for next time, unless the
 * table is known to have every token item (`table-mode.ts`).
 *
 * Where the official adapter may write (`TableMode.fallbackNeeded`), the
 * session item is the truth and the token item only says where it is: the
 * official adapter signs out and extends sessions on the session item alone.
 * A token item read there is confirmed by reading the session item (with the
 * user, in one BatchGetItem: get session stays two sequential requests, as
 * on the official adapter); a token item whose session item is gone is
 * deleted (it must never sign anyone in), one that differs is brought to
 * the session item. Those repairs, and the token item written for a session
 * found through GSI1, land only while the session item is still what the
 * read saw (a ConditionCheck on it in the repair's TransactWriteItems): an
 * official sign-out or extension landing between the read and the repair
 * cancels it, so a repair never writes a token item for a session that is
 * gone, nor an expiry the session item no longer has. Where it cannot
 * write, the token item alone answers.
 *
 * On a table whose lookups are complete the token item also holds a copy of
 * the user (`user-copies.ts`), so the session and its user are one GetItem.
 */
import { isDynamoAuthAdapterError } from "../errors.js"
import type { Item, WriteAction } from "../client/table-client.js"
import { ITEM_TYPES } from "../../table/entities.js"
import { baseKeyOf } from "./base-key.js"
import { itemAbsent, itemPresent, setAndRemove } from "./conditions.js"
import { definedChanges, toRecord, type StoredRecord } from "./stored-record.js"
import { transact } from "./transactions.js"
import { assertKeysFit } from "../key-size.js"
import type { IdentityScope } from "./identity-state.js"
import { findByIndexKeys } from "./index-query.js"
import type { UserStore } from "./user-store.js"
import {
  actionFailed,
  copyAttributes,
  copyOfItem,
  repairCopy,
  sessionCopyUsable,
  planLink,
  transactWithUserCopy,
  userStateOf,
  USER_COPY,
  USER_VERSION,
  type UserCopy,
  type VersionedUser,
} from "./user-copies.js"

/** A session to create, in stored form (`expires` in epoch seconds). */
export interface NewStoredSession extends StoredRecord {
  sessionToken: string
  userId: string
}

/** A session as stored, with the user it belongs to. */
export type StoredSession = StoredRecord & { sessionToken: string; userId: string }

/**
 * A session read by its token, with its user when the read already has it:
 * the token item's copy when that can be trusted, or the user item read
 * with the session item (null: it is gone); undefined: read the user by key.
 */
export interface SessionRead {
  session: StoredSession
  user: VersionedUser | null | undefined
}

const IMMUTABLE = ["sessionToken", "userId"] as const

/** The label of the check that a session extended near its expiry copies the current user. */
const EXTEND_CHECK_LABEL = "check user version (extended session)"
/** Tries of an extension whose user changed between its reads and its write. */
const EXTEND_ATTEMPTS = 3

export class SessionStore {
  constructor(
    private readonly scope: IdentityScope,
    private readonly users: UserStore,
  ) {}

  private get table() {
    return this.scope.table
  }

  private sessionKeys(userId: string, sessionToken: string) {
    // The session item carries its GSI1 keys (the official adapter's access path).
    return this.table.keysOf("session", { userId, sessionToken })
  }

  private baseKey(userId: string, sessionToken: string) {
    return baseKeyOf(this.table, "session", { userId, sessionToken })
  }

  private tokenKey(sessionToken: string) {
    return this.table.keysOf("sessionToken", { sessionToken })
  }

  /** The session record of a session or token item: without keys, type and the user copy. */
  private toRecord(item: Item): StoredSession {
    const { [USER_COPY]: _user, [USER_VERSION]: _version, ...record } = toRecord(item, this.table.names)
    return record as StoredSession
  }

  /**
   * The session with this token, or null: the token item (one strongly
   * consistent GetItem). On a miss, when the table may hold sessions written
   * without one (see `table-mode.ts`), the session item through GSI1, and
   * the token item is written for next time. Expired sessions are returned
   * too: the caller decides (see `isExpired`).
   */
  async getByToken(sessionToken: string): Promise<StoredSession | null> {
    return (await this.read(sessionToken))?.session ?? null
  }

  /** Like `getByToken`, with the token item's copy of the user when it can be trusted (see `copyOfTokenItem`). */
  async read(sessionToken: string): Promise<SessionRead | null> {
    const item = await this.table.get(this.tokenKey(sessionToken), "get session by token")
    if (item) {
      if (await this.scope.state.mode.fallbackNeeded()) return this.confirm(item)
      return { session: this.toRecord(item), user: await this.copyOfTokenItem(item) }
    }
    const session = await this.getWithoutTokenItem(sessionToken)
    return session ? { session, user: undefined } : null
  }

  /**
   * Sessions by token, many at once (one BatchGetItem of token items; where
   * the official adapter may write, one more of their session items, see
   * the module comment); tokens without a token item through GSI1. No copy
   * of the user.
   */
  async readMany(sessionTokens: readonly string[]): Promise<StoredSession[]> {
    const tokenItems = await this.table.batchGet(
      sessionTokens.map((sessionToken) => this.tokenKey(sessionToken)),
      "get sessions",
    )
    let found = tokenItems.map((item) => this.toRecord(item))
    if (found.length > 0 && (await this.scope.state.mode.fallbackNeeded())) {
      const sessionItems = await this.table.batchGet(
        found.map((session) => this.baseKey(session.userId, session.sessionToken)),
        "get session items (confirming token items)",
      )
      const bySessionToken = new Map(sessionItems.filter((item) => this.isSessionItem(item)).map((item) => [String(item.sessionToken), this.toRecord(item)]))
      await Promise.all(found.map((hint) => this.reconcile(hint, bySessionToken.get(hint.sessionToken))))
      found = found.flatMap((hint) => bySessionToken.get(hint.sessionToken) ?? [])
    }
    // Sessions written by the official adapter have no token item: looked up one by one.
    const missing = sessionTokens.filter((token) => !tokenItems.some((item) => item.sessionToken === token))
    const legacy = await Promise.all(missing.map((token) => this.getWithoutTokenItem(token)))
    return [...found, ...legacy.filter((session) => session !== null)]
  }

  /**
   * A token item confirmed by its session item, read with the user in one
   * BatchGetItem: the session item's record is the answer; null when it is
   * gone (and the token item is deleted).
   */
  private async confirm(tokenItem: Item): Promise<SessionRead | null> {
    const hint = this.toRecord(tokenItem)
    const sessionKey = this.baseKey(hint.userId, hint.sessionToken)
    const userKey = this.table.keysOf("user", { id: hint.userId })
    const items = await this.table.batchGet([sessionKey, userKey], "get session and user (confirming the token item)")
    const { partitionKey, sortKey } = this.table.names
    const at = (key: Record<string, string>) => items.find((item) => item[partitionKey] === key[partitionKey] && item[sortKey] === key[sortKey])
    const sessionItem = at(sessionKey)
    const session = sessionItem && this.isSessionItem(sessionItem) ? this.toRecord(sessionItem) : undefined
    await this.reconcile(hint, session)
    if (!session) return null
    const userItem = at(userKey)
    const user = userItem ? userStateOf(userItem, this.table.names) : undefined
    return { session, user: user ? { user: user.user, version: user.version } : null }
  }

  /**
   * Whether an item at a session item's key is a session as the official
   * adapter finds one (through its GSI1 keys). Its `updateSession` is an
   * unconditional UpdateItem: racing its own `deleteSession`, it re-creates
   * a fragment (keys, token, expiry; no type, no GSI1 keys) that the official
   * adapter never finds again. That session was signed out: its token item
   * must not take the fragment for it.
   */
  private isSessionItem(item: Item): boolean {
    const { indexPartitionKey } = this.table.names
    return item.type === ITEM_TYPES.session && typeof item[indexPartitionKey] === "string"
  }

  /** `reconcileTokenItem` for a read: a failure only costs the next read the same work, so it is logged, never thrown. */
  private async reconcile(hint: StoredSession, truth: StoredSession | undefined): Promise<void> {
    try {
      await this.reconcileTokenItem(hint, truth)
    } catch (error) {
      this.table.logger.warn("Could not bring a session token item to its session item", { error })
    }
  }

  /**
   * Brings the token item `hint` to its session item `truth` (read a moment
   * ago): deleted when the session item is gone (signed out elsewhere), its
   * session attributes set when they differ (extended elsewhere; its copy
   * of the user is left alone), the latter only while the session item is
   * still `truth` (`repairWhileUnchanged`). What it did; `"unchanged"` also
   * when the session item changed meanwhile (the next read confirms again).
   */
  async reconcileTokenItem(hint: StoredSession, truth: StoredSession | undefined): Promise<"deleted" | "updated" | "unchanged"> {
    if (tokenItemRepair(hint, truth) === "none") return "unchanged"
    if (!truth) {
      await this.table.write({ kind: "delete", key: this.tokenKey(hint.sessionToken), label: "delete token item of a session that is gone" }, "delete orphaned session token item")
      return "deleted"
    }
    const { set, remove } = differences(hint, truth, IMMUTABLE)
    const update = setAndRemove(set, remove)
    if (!update) return "unchanged"
    const landed = await this.repairWhileUnchanged(
      truth,
      { kind: "update", key: this.tokenKey(hint.sessionToken), update, condition: itemPresent(this.table.names), label: "bring session token item to its session" },
      "bring session token item to its session",
    )
    return landed ? "updated" : "unchanged"
  }

  /**
   * The session item as a token item's confirmation reads it: its record
   * when it is a session the official adapter finds (`isSessionItem`), else
   * undefined (gone, or a fragment).
   */
  sessionOfItem(item: Item | undefined): StoredSession | undefined {
    return item && this.isSessionItem(item) ? this.toRecord(item) : undefined
  }

  /** The record of a token item (its session attributes, in stored form). */
  recordOfTokenItem(item: Item): StoredSession {
    return this.toRecord(item)
  }

  /** The key of the session item a token item points at. */
  sessionKeyOf(hint: StoredSession): Record<string, string> {
    return this.baseKey(hint.userId, hint.sessionToken)
  }

  /**
   * A repair of a token item, in one TransactWriteItems with a ConditionCheck
   * that the session item is still `truth` as the read saw it (a session the
   * official adapter finds, with that expiry). A condition that fails means
   * the session changed or went meanwhile: the repair is dropped, and the
   * next read confirms against the session item again.
   */
  private async repairWhileUnchanged(truth: StoredSession, repair: WriteAction, what: string): Promise<boolean> {
    const { indexPartitionKey } = this.table.names
    const expires = truth.expires
    const check: WriteAction = {
      kind: "check",
      key: this.baseKey(truth.userId, truth.sessionToken),
      condition: {
        expression: `#type = :session AND attribute_exists(#gpk) AND ${expires === undefined || expires === null ? "attribute_not_exists(#expires)" : "#expires = :expires"}`,
        names: { "#type": "type", "#gpk": indexPartitionKey, "#expires": "expires" },
        values: { ":session": ITEM_TYPES.session, ...(expires === undefined || expires === null ? {} : { ":expires": expires }) },
      },
      label: "the session item is still as read",
    }
    try {
      await transact(this.table, [repair, check], what)
      return true
    } catch (error) {
      if (!isConditionFailed(error)) throw error
      return false
    }
  }

  /**
   * The user of a session just read: the token item's copy, or the user read
   * by key (and copied into the token item for next time). Null when the
   * user is gone.
   */
  async userOf(found: SessionRead): Promise<VersionedUser | null> {
    if (found.user !== undefined) return found.user
    const user = await this.users.get(found.session.userId)
    if (!user) return null
    if (sessionCopyUsable(found.session.expires)) await repairCopy(this.scope, this.tokenKey(found.session.sessionToken), user, false)
    return user
  }

  /**
   * The copy of the user a token item holds, when it can be trusted: the
   * table trusts copies, the copy is of the session's user, and the session
   * is not in its last minutes (updates leave those out).
   */
  private async copyOfTokenItem(item: Item): Promise<VersionedUser | undefined> {
    const copy = copyOfItem(item)
    if (!copy || copy.user.id !== item.userId || !sessionCopyUsable(item.expires)) return undefined
    return (await this.scope.state.mode.copiesTrusted()) ? copy : undefined
  }

  /**
   * The session of a token known to have no token item (its GetItem or
   * BatchGetItem just missed): through GSI1, writing the token item for next
   * time, when the table may hold sessions of the official adapter; null, with
   * no request, when every session has its token item.
   */
  async getWithoutTokenItem(sessionToken: string): Promise<StoredSession | null> {
    const legacy = await this.findLegacy(sessionToken)
    if (!legacy) return null
    await this.backfillTokenItem(legacy)
    return legacy
  }

  /**
   * A session without a token item, through GSI1; null without a request when
   * every session of the table has its token item (then a session item whose
   * token item is gone is being deleted, and must not come back).
   */
  private async findLegacy(sessionToken: string): Promise<StoredSession | null> {
    if (!(await this.scope.state.mode.fallbackNeeded())) return null
    const [item] = await findByIndexKeys(this.table, this.sessionKeys("-", sessionToken), "get session by token (GSI1)", 1)
    if (!item || typeof item.userId !== "string") return null
    return this.toRecord(item)
  }

  private async backfillTokenItem(session: StoredSession): Promise<void> {
    try {
      await this.repairWhileUnchanged(session, this.planTokenItem(session), "write missing session token item")
    } catch (error) {
      this.table.logger.warn("Could not write a missing session token item", { error })
    }
  }

  private planTokenItem(session: StoredSession): Extract<WriteAction, { kind: "put" }> {
    return {
      kind: "put",
      item: { ...this.tokenKey(session.sessionToken), type: ITEM_TYPES.sessionToken, ...session },
      condition: itemAbsent(this.table.names),
      label: "put session token item",
    }
  }

  /** Every session of a user (expired ones included): one Query on the user's partition. */
  async listByUser(userId: string): Promise<StoredSession[]> {
    const { names } = this.table
    const keys = this.baseKey(userId, "-")
    const items = await this.table.queryAll(
      {
        keyCondition: {
          expression: "#pk = :pk AND begins_with(#sk, :prefix)",
          names: { "#pk": names.partitionKey, "#sk": names.sortKey },
          values: { ":pk": keys[names.partitionKey], ":prefix": "SESSION#" },
        },
      },
      "list sessions of user",
    )
    return items.map((item) => this.toRecord(item))
  }

  /** The writes that create the session item and its token item; with `copy`, the token item holds that copy of the user. */
  planCreate(session: NewStoredSession, copy?: UserCopy): WriteAction[] {
    const record = definedChanges(session, []) as StoredSession
    const tokenItem = this.planTokenItem(record)
    const withUser: WriteAction = copy ? { ...tokenItem, item: { ...tokenItem.item, ...copyAttributes(copy) } } : tokenItem
    return [this.planSessionItem(record), withUser]
  }

  private planSessionItem(record: StoredSession): WriteAction {
    return { kind: "put", item: { ...this.sessionKeys(record.userId, record.sessionToken), type: ITEM_TYPES.session, ...record }, label: "put session" }
  }

  /**
   * Creates the session (both items and the link on its user, one
   * transaction; NOT_FOUND when the user does not exist or is being
   * deleted). Where the table trusts copies the token item also gets a copy
   * of the user (see `transactWithUserCopy`): `known` is the user as the
   * caller just read or wrote it.
   */
  async create(session: NewStoredSession, known?: VersionedUser): Promise<StoredSession> {
    const record = definedChanges(session, []) as StoredSession
    // Keys DynamoDB would refuse are refused before anything is read.
    assertKeysFit(this.sessionKeys(session.userId, session.sessionToken), this.table.names, "put session")
    assertKeysFit(this.tokenKey(session.sessionToken), this.table.names, "put session token item")
    await transactWithUserCopy(this.scope, session.userId, (copy) => this.planCreate(session, copy), "create session", known)
    return record
  }

  /** Replaces session `current` with `next` (a new token or user) in one transaction. */
  async move(current: StoredSession, next: NewStoredSession): Promise<StoredSession> {
    await transactWithUserCopy(this.scope, next.userId, (copy) => [...this.planDelete(current.userId, current.sessionToken), ...this.planCreate(next, copy)], "move session")
    return definedChanges(next, []) as StoredSession
  }

  /**
   * The writes that apply `changes` to `current`: the same update on both
   * items, each conditioned on existing. For a session without a token item
   * (written by the official adapter) the token item is put instead.
   */
  planUpdate(current: StoredSession, changes: StoredRecord, hasTokenItem = true, copy?: VersionedUser): WriteAction[] {
    const set = definedChanges(changes, IMMUTABLE)
    const update = setAndRemove(set)
    if (!update) return []
    const { names } = this.table
    const tokenUpdate = copy ? setAndRemove({ ...set, ...copyAttributes(copy) })! : update
    return [
      { kind: "update", key: this.baseKey(current.userId, current.sessionToken), update, condition: itemPresent(names), label: "update session" },
      hasTokenItem
        ? { kind: "update", key: this.tokenKey(current.sessionToken), update: tokenUpdate, condition: itemPresent(names), label: "update session token item" }
        : this.planTokenItem({ ...current, ...set }),
      // With `copy`: the copy written is the user at its current version, and the extension moves the user's links like a new
      // session would, so an update that read the partition while this session was left out (about to expire) is planned again.
      ...(copy ? [{ ...planLink(this.scope, current.userId, copy.version), label: EXTEND_CHECK_LABEL }] : []),
    ]
  }

  /**
   * Applies `changes` (undefined ignored, null kept; token and user fixed) to
   * both items in one transaction. Returns the updated session, or null when
   * there is no such session (nothing written). Reads the token item first
   * (it holds the user id, part of the session item's key).
   *
   * A session whose copy is in its last minutes may have been left out of a
   * user update (see `user-copies.ts`); extending it writes the user's
   * current version into its copy under a link on the user (which an update
   * in flight sees), and copies the user afresh when it changed.
   */
  async update(sessionToken: string, changes: StoredRecord): Promise<StoredSession | null> {
    const tokenItem = await this.table.get(this.tokenKey(sessionToken), "get session by token")
    const current = tokenItem ? this.toRecord(tokenItem) : await this.findLegacy(sessionToken)
    if (!current) return null
    const copy = tokenItem ? copyOfItem(tokenItem) : undefined
    const recheck = copy !== undefined && !sessionCopyUsable(current.expires) && !this.scope.buffer
    let fresh: VersionedUser | undefined = copy
    for (let attempt = 1; ; attempt++) {
      const actions = this.planUpdate(current, changes, tokenItem !== undefined, recheck ? fresh : undefined)
      if (actions.length === 0) return current
      try {
        await transact(this.table, actions, "update session")
        return { ...current, ...definedChanges(changes, IMMUTABLE) }
      } catch (error) {
        if (recheck && actionFailed(error, EXTEND_CHECK_LABEL) && attempt < EXTEND_ATTEMPTS) {
          fresh = (await this.users.get(current.userId)) ?? undefined
          // The user is gone: the session is worth nothing, and is left to its reader (which finds no user).
          if (!fresh) return null
          continue
        }
        // Deleted between the read and the write: there is no session to update.
        if (isConditionFailed(error)) return null
        throw error
      }
    }
  }

  /** The writes that delete both items of a session. */
  planDelete(userId: string, sessionToken: string): WriteAction[] {
    return [
      { kind: "delete", key: this.baseKey(userId, sessionToken), label: "delete session" },
      { kind: "delete", key: this.tokenKey(sessionToken), label: "delete session token item" },
    ]
  }

  /**
   * Deletes both items of the session in one transaction. Returns the deleted
   * session, or null when there was none. Pass `known` (the session as just
   * read) to skip reading it again.
   */
  async delete(sessionToken: string, known?: StoredSession): Promise<StoredSession | null> {
    const current = known ?? (await this.getSessionForDelete(sessionToken))
    if (!current) return null
    await transact(this.table, this.planDelete(current.userId, sessionToken), "delete session")
    return current
  }

  private async getSessionForDelete(sessionToken: string): Promise<StoredSession | null> {
    const tokenItem = await this.table.get(this.tokenKey(sessionToken), "get session by token")
    return tokenItem ? this.toRecord(tokenItem) : this.findLegacy(sessionToken)
  }
}

function isConditionFailed(error: unknown): boolean {
  return isDynamoAuthAdapterError(error, "TRANSACTION_FAILED") && (error.reasons ?? []).some((r) => r.code === "ConditionalCheckFailed")
}

/** What `reconcileTokenItem` does to a token item `hint` whose session item reads `truth` (for a dry run, which writes nothing). */
export function tokenItemRepair(hint: StoredSession, truth: StoredSession | undefined): "delete" | "update" | "none" {
  if (!truth) return "delete"
  const { set, remove } = differences(hint, truth, IMMUTABLE)
  return Object.keys(set).length > 0 || remove.length > 0 ? "update" : "none"
}

/** What to SET and REMOVE on `hint` so its attributes are those of `truth` (`fixed` ones left out). */
function differences(hint: StoredRecord, truth: StoredRecord, fixed: readonly string[]): { set: StoredRecord; remove: string[] } {
  const set: StoredRecord = {}
  for (const [attribute, value] of Object.entries(truth)) {
    if (!fixed.includes(attribute) && JSON.stringify(hint[attribute]) !== JSON.stringify(value)) set[attribute] = value
  }
  const remove = Object.keys(hint).filter((attribute) => !fixed.includes(attribute) && !(attribute in truth))
  return { set, remove }
}
