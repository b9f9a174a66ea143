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
 * table is known to have every token item (`lookup-mode.ts`).
 *
 * On a table whose lookups are complete the token item also holds a copy of
 * the user (`user-snapshot.ts`), so the session and its user are one GetItem.
 */
import { isDynamoAuthAdapterError } from "../errors.js"
import type { Item, ItemTable, WriteAction } from "../table-client.js"
import { ITEM_TYPES } from "../../table/entities.js"
import { baseKeyOf } from "./base-key.js"
import { itemAbsent, itemPresent, setAndRemove } from "./conditions.js"
import { definedChanges, toRecord, type StoredRecord } from "./stored-record.js"
import { legacyFallbackNeeded, userCopiesAllowed } from "./lookup-mode.js"
import { isConditionFailure, transact } from "./transactions.js"
import { assertKeysFit } from "../key-size.js"
import {
  planUserCheck,
  snapshotAttributes,
  snapshotOfItem,
  transactWithUserCopy,
  USER_SNAPSHOT,
  USER_VERSION,
  type UserCopy,
} from "./user-snapshot.js"

/** A session to create, in stored form (`expires` in epoch seconds). */
export interface NewStoredSession extends StoredRecord {
  sessionToken: string
  userId: string
}

/** A session as stored, with the user it belongs to. */
export type StoredSession = StoredRecord & { sessionToken: string; userId: string }

const IMMUTABLE = ["sessionToken", "userId"] as const

/** The user copied into a new session's token item (see `transactWithUserCopy`). */
export type SessionUserSnapshot = UserCopy

const snapshots = new WeakMap<object, StoredRecord>()

/**
 * The user copied into the token item a session record was read from, when
 * it can be trusted (the table's lookups are complete): the user as of the
 * session's read, never older than the last update that returned.
 * Undefined: read the user by key.
 */
export function userSnapshotOf(session: StoredRecord): StoredRecord | undefined {
  return snapshots.get(session)
}

export class SessionStore {
  constructor(private readonly table: ItemTable) {}

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
    const { [USER_SNAPSHOT]: _user, [USER_VERSION]: _version, ...record } = toRecord(item, this.table.names)
    return record as StoredSession
  }

  /**
   * The session with this token, or null: the token item (one strongly
   * consistent GetItem). On a miss, when the table may hold sessions written
   * without one (see `lookup-mode.ts`), the session item through GSI1, and
   * the token item is written for next time. Expired sessions are returned
   * too: the caller decides (see `isExpired`).
   */
  async getByToken(sessionToken: string): Promise<StoredSession | null> {
    const item = await this.table.get(this.tokenKey(sessionToken), "get session by token")
    if (item) return this.fromTokenItem(item)
    return this.getWithoutTokenItem(sessionToken)
  }

  /**
   * The session record of a token item, with its user copy attached (see
   * `userSnapshotOf`) when the table's lookups are complete: on a legacy
   * table `@auth/dynamodb-adapter` may have changed the user without
   * refreshing the copy.
   */
  async fromTokenItem(item: Item): Promise<StoredSession> {
    const record = this.toRecord(item)
    const snapshot = snapshotOfItem(item)
    if (snapshot && snapshot.user.id === record.userId && (await userCopiesAllowed(this.table))) snapshots.set(record, snapshot.user)
    return record
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
    if (!(await legacyFallbackNeeded(this.table))) return null
    const { names } = this.table
    const keys = this.sessionKeys("-", sessionToken)
    const [item] = await this.table.queryAll(
      {
        index: "gsi",
        keyCondition: {
          expression: "#gpk = :gpk AND #gsk = :gsk",
          names: { "#gpk": names.indexPartitionKey, "#gsk": names.indexSortKey },
          values: { ":gpk": keys[names.indexPartitionKey], ":gsk": keys[names.indexSortKey] },
        },
      },
      "get session by token (GSI1)",
      1,
    )
    if (!item || typeof item.userId !== "string") return null
    return this.toRecord(item)
  }

  private async backfillTokenItem(session: StoredSession): Promise<void> {
    try {
      await this.table.write(this.planTokenItem(session), "write missing session token item")
    } catch (error) {
      if (!isConditionFailure(error)) this.table.logger.warn("Could not write a missing session token item", { error })
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

  /**
   * The writes that create the session item and its token item. With
   * `snapshot`, the token item holds that copy of the user, and (when
   * `snapshot.check`) the transaction checks the user is still at its version.
   */
  planCreate(session: NewStoredSession, snapshot?: UserCopy): WriteAction[] {
    const record = definedChanges(session, []) as StoredSession
    const tokenItem = this.planTokenItem(record)
    if (!snapshot) return [this.planSessionItem(record), tokenItem]
    const withUser: WriteAction = { ...tokenItem, item: { ...tokenItem.item, ...snapshotAttributes(snapshot) } }
    return snapshot.check ? [this.planSessionItem(record), withUser, planUserCheck(this.table, snapshot)] : [this.planSessionItem(record), withUser]
  }

  private planSessionItem(record: StoredSession): WriteAction {
    return { kind: "put", item: { ...this.sessionKeys(record.userId, record.sessionToken), type: ITEM_TYPES.session, ...record }, label: "put session" }
  }

  /**
   * Creates the session (both items, one transaction). On a table whose
   * lookups are complete the token item also gets a copy of the user,
   * checked against the user's version (see `transactWithUserCopy`):
   * `knownUser` is a record the user store returned just now.
   */
  async create(session: NewStoredSession, knownUser?: StoredRecord): Promise<StoredSession> {
    const record = definedChanges(session, []) as StoredSession
    // Keys DynamoDB would refuse are refused before anything is read.
    assertKeysFit(this.sessionKeys(session.userId, session.sessionToken), this.table.names, "put session")
    assertKeysFit(this.tokenKey(session.sessionToken), this.table.names, "put session token item")
    const copies = await userCopiesAllowed(this.table)
    await transactWithUserCopy(this.table, session.userId, copies, (copy) => this.planCreate(session, copy), "create session", knownUser)
    return record
  }

  /**
   * The writes that apply `changes` to `current`: the same update on both
   * items, each conditioned on existing. For a session without a token item
   * (written by the official adapter) the token item is put instead.
   */
  planUpdate(current: StoredSession, changes: StoredRecord, hasTokenItem = true): WriteAction[] {
    const set = definedChanges(changes, IMMUTABLE)
    const update = setAndRemove(set)
    if (!update) return []
    const { names } = this.table
    return [
      { kind: "update", key: this.baseKey(current.userId, current.sessionToken), update, condition: itemPresent(names), label: "update session" },
      hasTokenItem
        ? { kind: "update", key: this.tokenKey(current.sessionToken), update, condition: itemPresent(names), label: "update session token item" }
        : this.planTokenItem({ ...current, ...set }),
    ]
  }

  /**
   * Applies `changes` (undefined ignored, null kept; token and user fixed) to
   * both items in one transaction. Returns the updated session, or null when
   * there is no such session (nothing written). Reads the token item first
   * (it holds the user id, part of the session item's key).
   */
  async update(sessionToken: string, changes: StoredRecord): Promise<StoredSession | null> {
    const tokenItem = await this.table.get(this.tokenKey(sessionToken), "get session by token")
    const current = tokenItem ? this.toRecord(tokenItem) : await this.findLegacy(sessionToken)
    if (!current) return null
    const actions = this.planUpdate(current, changes, tokenItem !== undefined)
    if (actions.length === 0) return current
    try {
      await transact(this.table, actions, "update session")
    } catch (error) {
      // Deleted between the read and the write: there is no session to update.
      if (isConditionFailed(error)) return null
      throw error
    }
    return { ...current, ...definedChanges(changes, IMMUTABLE) }
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
