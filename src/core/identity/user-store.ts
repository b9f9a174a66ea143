/**
 * Users, in stored form. A user item is pk = sk = `USER#<id>` with GSI1 keys
 * `USER#<email>` (only when it has an email); an email lookup item
 * pk = sk = `EMAIL#<email>` claims the email for one user, written in the same
 * transaction as the user, so two users can never share an email. Where the
 * table allows user copies (`lookup-mode.ts`), the lookup item also carries a
 * copy of the user (`user-snapshot.ts`): a user is found by email with one
 * strongly consistent GetItem, hit or miss.
 */
import { DynamoAuthAdapterError, isDynamoAuthAdapterError } from "../errors.js"
import { assertWriteFits } from "../write-limits.js"
import { itemSize } from "../item-size.js"
import type { Item, ItemTable, Key, WriteAction } from "../table-client.js"
import { ITEM_TYPES, providerAccountOf } from "../../table/entities.js"
import { accountIdLookupKey } from "../models/account-id-lookup.js"
import { absentOrOwnedBy, both, itemAbsent, itemPresent, ownedBy, setAndRemove } from "./conditions.js"
import { definedChanges, type StoredRecord } from "./stored-record.js"
import { claimLabel, isConditionFailure, transact } from "./transactions.js"
import { legacyFallbackNeeded, userCopiesAllowed } from "./lookup-mode.js"
import { BufferedTable } from "../transaction/buffered-table.js"
import {
  dropSnapshots,
  forgetUser,
  planRefreshSnapshots,
  refreshSnapshots,
  rememberUser,
  rememberVersion,
  snapshotAttributes,
  snapshotFits,
  snapshotOfItem,
  userRecordOf,
  USER_VERSION,
  userAtVersion,
  versionOfItem,
  versionOfRecord,
  type CopyHolders,
  type VersionedUser,
} from "./user-snapshot.js"

/** A user to create, in stored form: `id` is required, `email` optional. */
export interface NewStoredUser extends StoredRecord {
  id: string
  email?: string | null
}

function emailOf(record: StoredRecord | Item | undefined): string | undefined {
  const email = record?.email
  return typeof email === "string" && email !== "" ? email : undefined
}

export class UserStore {
  constructor(private readonly table: ItemTable) {}

  private userKey(id: string) {
    return this.table.keysOf("user", { id })
  }

  private emailKey(email: string) {
    return this.table.keysOf("emailLookup", { email })
  }

  private indexKeys(email: string | undefined): Record<string, string> {
    if (email === undefined) return {}
    const { [this.table.names.partitionKey]: _pk, [this.table.names.sortKey]: _sk, ...gsi } = this.table.keysOf("user", { id: "-", email })
    return gsi
  }

  /** Without keys, type and `userVersion`; the version stays readable through `versionOfRecord`. */
  private toRecord(item: Item): StoredRecord {
    return userRecordOf(item, this.table)
  }

  /** The record of a user item read from (or written to) the table, remembered for a session created right after. */
  private committedRecord(item: Item): StoredRecord {
    const record = this.toRecord(item)
    if (!(this.table instanceof BufferedTable) && typeof record.id === "string") {
      rememberUser(this.table, { user: record as StoredRecord & { id: string }, version: versionOfItem(item) })
    }
    return record
  }

  /** The user with this id (strongly consistent GetItem), or null. */
  async get(id: string): Promise<StoredRecord | null> {
    const item = await this.table.get(this.userKey(id), "get user")
    return item ? this.committedRecord(item) : null
  }

  /**
   * The user with this email. Where the table allows user copies: the email
   * lookup item (one strongly consistent GetItem), whose copy of the user is
   * the answer (a claim without a copy is followed to the user by key).
   * Elsewhere (a legacy table, whose users may have no lookup item): one GSI1
   * Query on the common path; when the index has nothing (it lags on AWS),
   * the email lookup item is read with a strongly consistent GetItem so a
   * user created a moment ago is found.
   */
  async getByEmail(email: string): Promise<StoredRecord | null> {
    // An empty email is never indexed nor claimed (see emailOf): no user has it, and it has no key to query.
    if (emailOf({ email }) === undefined) return null
    if (await userCopiesAllowed(this.table)) return this.getByEmailLookup(email)
    const { names } = this.table
    const gsi = this.indexKeys(email)
    const items = await this.table.queryAll(
      {
        index: "gsi",
        keyCondition: {
          expression: "#gpk = :gpk AND #gsk = :gsk",
          names: { "#gpk": names.indexPartitionKey, "#gsk": names.indexSortKey },
          values: { ":gpk": gsi[names.indexPartitionKey], ":gsk": gsi[names.indexSortKey] },
        },
        limit: 2,
      },
      "get user by email",
      1,
    )
    const found = items.find((item) => item.type === ITEM_TYPES.user)
    if (found) return this.committedRecord(found)
    const lookup = await this.table.get(this.emailKey(email), "get email lookup")
    if (!lookup || typeof lookup.userId !== "string") return null
    return this.get(lookup.userId)
  }

  /**
   * The user claiming `email` on a table whose lookups are complete: the
   * lookup item's copy, or the user it names (read by key; null when that
   * user no longer has the email: a stale claim). No lookup item: no user.
   */
  private async getByEmailLookup(email: string): Promise<StoredRecord | null> {
    const lookup = await this.table.get(this.emailKey(email), "get email lookup")
    if (!lookup || typeof lookup.userId !== "string") return null
    const copy = snapshotOfItem(lookup)
    if (copy && copy.user.id === lookup.userId && emailOf(copy.user) === email) {
      if (!(this.table instanceof BufferedTable)) rememberUser(this.table, copy)
      return copy.user
    }
    const owner = await this.get(lookup.userId)
    return owner && emailOf(owner) === email ? owner : null
  }

  private userItem(user: NewStoredUser): Item {
    return { ...this.userKey(user.id), ...this.indexKeys(emailOf(user)), type: ITEM_TYPES.user, ...user }
  }

  /**
   * The writes that create `user` and claim its email (fails with
   * EMAIL_EXISTS when taken); `withCopy` puts a copy of the user (version 0)
   * in the claim.
   */
  planCreate(user: NewStoredUser, staleEmailOwner?: string, withCopy = false): WriteAction[] {
    const email = emailOf(user)
    const actions: WriteAction[] = [{ kind: "put", item: this.userItem(user), condition: itemAbsent(this.table.names), label: `put user ${user.id}` }]
    if (email !== undefined) {
      const copy = withCopy ? { user: { ...definedChanges(user, []), id: user.id }, version: 0 } : undefined
      actions.push(this.planClaimEmail(email, user.id, staleEmailOwner, copy))
    }
    return actions
  }

  /**
   * The claim on `email`, with `copy` of its user when given (and small
   * enough); with `staleOwner`, it replaces that owner's stale claim instead
   * of requiring none.
   */
  private planClaimEmail(email: string, userId: string, staleOwner?: string, copy?: VersionedUser): WriteAction {
    return {
      kind: "put",
      item: { ...this.emailKey(email), type: ITEM_TYPES.emailLookup, email, userId, ...(copy && snapshotFits(copy.user) ? snapshotAttributes(copy) : {}) },
      condition: staleOwner === undefined ? itemAbsent(this.table.names) : ownedBy(staleOwner),
      label: claimLabel.email(email),
    }
  }

  /**
   * The owner of a stale email claim: a lookup item whose user is gone or
   * has another email (left behind when another program, such as
   * `@auth/dynamodb-adapter`, deleted or changed that user). Read only after a
   * claim failed, so the common path pays nothing for it.
   */
  private async staleEmailOwner(email: string): Promise<string | undefined> {
    const lookup = await this.table.get(this.emailKey(email), "get email lookup")
    if (!lookup || typeof lookup.userId !== "string") return undefined
    const owner = await this.get(lookup.userId)
    if (owner && emailOf(owner) === email) return undefined
    this.table.logger.warn("Replacing a stale email lookup item", { email, staleOwner: lookup.userId })
    return lookup.userId
  }

  /** Runs a write that claims `email`; when the claim is taken by a stale owner, runs it once more replacing that claim. */
  private async withStaleClaimRepair(email: string | undefined, run: (staleOwner?: string) => Promise<void>): Promise<void> {
    try {
      await run()
    } catch (error) {
      if (email === undefined || !isDynamoAuthAdapterError(error, "EMAIL_EXISTS")) throw error
      const stale = await this.staleEmailOwner(email)
      if (stale === undefined) throw error
      await run(stale)
    }
  }

  private planReleaseEmail(email: string, userId: string): WriteAction {
    return { kind: "delete", key: this.emailKey(email), condition: absentOrOwnedBy(this.table.names, userId), label: `release email ${email}` }
  }

  /** Creates the user and its email lookup in one transaction; returns the stored record. */
  async create(user: NewStoredUser): Promise<StoredRecord> {
    // Refused before anything is sent, the table's metadata read included.
    for (const action of this.planCreate(user)) assertWriteFits(action, this.table.names)
    const withCopy = await userCopiesAllowed(this.table)
    await this.withStaleClaimRepair(emailOf(user), (stale) => transact(this.table, this.planCreate(user, stale, withCopy), "create user"))
    const created = rememberVersion(definedChanges(user, []), 0)
    if (!(this.table instanceof BufferedTable)) rememberUser(this.table, { user: { ...created, id: user.id }, version: 0 })
    return created
  }

  /**
   * The writes that apply `changes` to `current` (the user as stored now).
   * An email change moves the GSI1 keys and swaps the lookup items in the
   * same transaction; the update is conditioned on the email it replaces.
   * With `expectedVersion` (the version `current` was read at), the update
   * is also conditioned on that version and sets the next one, so every copy
   * written with it (the new email claim; the refreshes of `updateAtomically`)
   * is the exact user it writes.
   */
  planUpdate(
    current: StoredRecord & { id: string },
    changes: StoredRecord,
    staleEmailOwner?: string,
    versioned = true,
    expectedVersion?: number,
  ): WriteAction[] {
    const { names } = this.table
    const set = definedChanges(changes, ["id"])
    const oldEmail = emailOf(current)
    const emailChanges = "email" in set && emailOf(set) !== oldEmail
    const newEmail = emailOf(set)
    const exact = versioned && expectedVersion !== undefined
    const copy: VersionedUser | undefined =
      exact && newEmail !== undefined ? { user: { ...current, ...definedChanges(changes, ["id"]), id: current.id }, version: expectedVersion + 1 } : undefined
    const remove: string[] = []
    if (emailChanges) {
      if (newEmail !== undefined) Object.assign(set, this.indexKeys(newEmail))
      else remove.push(names.indexPartitionKey, names.indexSortKey)
    }
    if (exact) set[USER_VERSION] = expectedVersion + 1
    const assignments = setAndRemove(set, remove)
    if (!assignments) return []
    // Every change moves the version, so copies of the user (session snapshots) can tell they are older.
    const update = versioned && !exact
      ? {
          expression: `${assignments.expression} ADD #userVersion :userVersionStep`,
          names: { ...assignments.names, "#userVersion": USER_VERSION },
          values: { ...assignments.values, ":userVersionStep": 1 },
        }
      : assignments
    const emailGuard = emailChanges
      ? both(
          itemPresent(names),
          oldEmail === undefined
            ? { expression: "attribute_not_exists(#e) OR #e = :null OR #e = :empty", names: { "#e": "email" }, values: { ":null": null, ":empty": "" } }
            : { expression: "#e = :e", names: { "#e": "email" }, values: { ":e": oldEmail } },
        )
      : itemPresent(names)
    const guard = exact ? both(emailGuard, userAtVersion(this.table, expectedVersion)) : emailGuard
    const actions: WriteAction[] = [{ kind: "update", key: this.userKey(current.id), update, condition: guard, label: userUpdateLabel(current.id) }]
    if (emailChanges) {
      if (oldEmail !== undefined) actions.push(this.planReleaseEmail(oldEmail, current.id))
      if (newEmail !== undefined) actions.push(this.planClaimEmail(newEmail, current.id, staleEmailOwner, copy))
    }
    return actions
  }

  /**
   * Runs an email change (`set` holds the new email) against `current`. Where
   * copies are allowed, planned with the exact next version (see
   * `planUpdate`); when the user changed since it was read, read again and
   * planned again, and the last try goes without (the new claim then gets
   * its copy from the refresh that follows).
   */
  private async changeEmail(id: string, current: StoredRecord, set: StoredRecord, versioned: boolean): Promise<void> {
    const exact = versioned && !(this.table instanceof BufferedTable) && (await userCopiesAllowed(this.table))
    let from = current
    for (let attempt = 1; ; attempt++) {
      const expected = exact && attempt < EXACT_EMAIL_CHANGE_ATTEMPTS ? versionOfRecord(from) : undefined
      try {
        await this.withStaleClaimRepair(emailOf(set), (stale) => transact(this.table, this.planUpdate({ ...from, id }, set, stale, versioned, expected), "update user"))
        return
      } catch (error) {
        if (expected === undefined || !actionFailed(error, userUpdateLabel(id))) throw error
        const fresh = await this.get(id)
        if (!fresh) throw notFound(id)
        from = fresh
      }
    }
  }

  /**
   * Applies `changes` (stored form): `undefined` values are ignored, `null`
   * is stored as null, `id` cannot change. Throws NOT_FOUND, writing nothing,
   * when the user does not exist; EMAIL_EXISTS when the new email is taken.
   *
   * Where the table allows copies of users (`lookup-mode.ts`), the user and
   * every copy of it (session token items, email and provider-account
   * claims) are written in one transaction (`updateAtomically`: Query,
   * TransactWriteItems, Query), so once this returns no read sees an older
   * user, and no crash can leave a copy behind. Beyond one transaction's
   * size, and on a table where copies are versioned but not yet trusted:
   * one conditional UpdateItem (a GetItem plus one transaction when the email
   * changes) that increments `userVersion`, then each copy refreshed
   * (see `user-snapshot.ts`). Inside a buffered transaction the refresh runs
   * after its commit. On a legacy table (where `@auth/dynamodb-adapter` may
   * still read users) neither happens: nothing there carries a copy.
   */
  async update(id: string, changes: StoredRecord): Promise<StoredRecord> {
    const set = definedChanges(changes, ["id"])
    // Refused before anything is sent: the new values alone are too large.
    const [userWrite] = this.planUpdate({ id }, set, undefined, false)
    if (userWrite) assertWriteFits(userWrite, this.table.names)
    const versioned = !(await legacyFallbackNeeded(this.table))
    if (versioned && Object.keys(set).length > 0 && !(this.table instanceof BufferedTable) && (await userCopiesAllowed(this.table))) {
      const updated = await this.updateAtomically(id, set)
      if (updated) return updated
    }
    let current: StoredRecord | null = null
    if (Object.keys(set).length === 0 || "email" in set) {
      current = await this.get(id)
      if (!current) throw notFound(id)
      if (Object.keys(set).length === 0) return current
      if (emailOf(set) !== emailOf(current)) {
        await this.changeEmail(id, current, set, versioned)
        // The transaction returns nothing: the user as it now is (with its version) is read back for the snapshots.
        const written = versioned ? await this.refreshCopies(id) : undefined
        return written ?? { ...current, ...set }
      }
    }
    const [action] = this.planUpdate({ ...current, id }, set, undefined, versioned)
    let item: Item | undefined
    try {
      item = await this.table.write(action!, "update user")
    } catch (error) {
      if (isConditionFailure(error)) throw notFound(id)
      throw error
    }
    const record = item ? this.committedRecord(item) : {}
    if (versioned) await this.refreshCopies(id, item ? { user: { ...record, id }, version: versionOfItem(item) } : undefined)
    return record
  }

  /**
   * The update and the refresh of every copy of the user in ONE
   * transaction, so no crash between the two can leave a copy behind: one
   * consistent Query of the user's partition (the user with its version, its
   * sessions and accounts), one TransactWriteItems (the user conditioned on
   * that version and moved to the next, each copy set to the user it
   * writes, an email change's claims), then one Query for holders created
   * between the two (checked against the old version, committed before the
   * update), refreshed after it. Planned again when a condition failed (the
   * user or a holder changed meanwhile); undefined, for the two-step path,
   * when the user has too many holders for one transaction or kept changing.
   */
  private async updateAtomically(id: string, set: StoredRecord): Promise<StoredRecord | undefined> {
    const { names } = this.table
    for (let attempt = 1; attempt <= ATOMIC_UPDATE_ATTEMPTS; attempt++) {
      const partition = await this.partitionItems(id)
      const userItem = partition.find((item) => item.type === ITEM_TYPES.user && item[names.sortKey] === this.userKey(id)[names.sortKey])
      if (!userItem) throw notFound(id)
      const current = { ...this.toRecord(userItem), id }
      const version = versionOfItem(userItem)
      const written: VersionedUser = { user: { ...current, ...set, id }, version: version + 1 }
      const holders = this.holdersIn(partition, true)
      // Sessions expired or about to stay out of the transaction: TTL may delete one of their two items before the other, which
      // would fail it every time. Those still valid are refreshed after it; an expired one is never returned, its copy unused.
      const expiring = sessionTokensExpiringBy(partition, 60)
      const email = emailOf(written.user)
      // An email change writes its new claim with the copy (planUpdate); an unchanged email's claim is refreshed.
      const emailClaim = email !== undefined && email === emailOf(current) ? [this.emailKey(email)] : []
      const refreshes = { sessionTokens: holders.sessionTokens.filter((token) => !expiring.has(token)), lookups: [...holders.lookups, ...emailClaim] }
      const count = refreshes.sessionTokens.length + refreshes.lookups.length
      if (count > MAX_ATOMIC_COPIES || itemSize(written.user) * (count + 3) > MAX_ATOMIC_BYTES) return undefined
      const plan = (stale?: string) => [
        ...this.planUpdate(current, set, stale, true, version),
        ...planRefreshSnapshots(this.table, written, refreshes, true),
      ]
      try {
        await this.withStaleClaimRepair(emailOf(set) !== emailOf(current) ? emailOf(set) : undefined, (stale) => transact(this.table, plan(stale), "update user"))
      } catch (error) {
        if (conditionFailed(error)) continue
        throw error
      }
      const lateItems = await this.partitionItems(id)
      const late = this.holdersIn(lateItems, true)
      const expired = sessionTokensExpiringBy(lateItems, 0)
      await refreshSnapshots(this.table, written, {
        sessionTokens: late.sessionTokens.filter((token) => !refreshes.sessionTokens.includes(token) && !expired.has(token)),
        lookups: late.lookups.filter((key) => !holders.lookups.some((known) => sameKey(known, key))),
      })
      const record = rememberVersion(written.user, written.version)
      rememberUser(this.table, written)
      return record
    }
    return undefined
  }

  /**
   * Brings every session snapshot of user `id` up to `written` (the user as
   * just written), or to the user as read now (consistent) when not given.
   * Returns the user read, if one was. Inside a buffered transaction the
   * refresh is deferred until after the commit, against the real table.
   */
  private async refreshCopies(id: string, written?: VersionedUser): Promise<StoredRecord | undefined> {
    if (this.table instanceof BufferedTable) {
      // Before the commit, a session created by someone else could commit after the Query and miss the refresh.
      this.table.afterCommit((base) => new UserStore(base).refreshCopies(id).then(() => undefined))
      return undefined
    }
    let current = written
    let record: StoredRecord | undefined
    if (!current) {
      const item = await this.table.get(this.userKey(id), "get user (for its session snapshots)")
      if (!item) return undefined
      record = this.committedRecord(item)
      current = { user: { ...record, id }, version: versionOfItem(item) }
    }
    const user = current
    // Lookups gain copies only where every instance refreshes them (see refreshSnapshots in user-snapshot.ts).
    const lookupsToo = await userCopiesAllowed(this.table)
    const email = emailOf(user.user)
    const emailLookup = lookupsToo && email !== undefined ? [this.emailKey(email)] : []
    // The email claim is refreshed alongside the Query that finds the other holders.
    await Promise.all([
      refreshSnapshots(this.table, user, { sessionTokens: [], lookups: emailLookup }),
      this.copyHolders(id, lookupsToo).then((holders) => refreshSnapshots(this.table, user, holders)),
    ])
    return record
  }

  /** The writes that delete the user item and release its email (no cascade). */
  planDelete(current: StoredRecord & { id: string }): WriteAction[] {
    const actions: WriteAction[] = [{ kind: "delete", key: this.userKey(current.id), label: `delete user ${current.id}` }]
    const email = emailOf(current)
    if (email !== undefined) actions.push(this.planReleaseEmail(email, current.id))
    return actions
  }

  /** Deletes the user item and its email lookup, nothing else. Returns the deleted user, or null. */
  async delete(id: string): Promise<StoredRecord | null> {
    const current = await this.get(id)
    if (!current) return null
    await transact(this.table, this.planDelete({ ...current, id }), "delete user")
    await this.dropCopies(id)
    return current
  }

  /**
   * After the user is deleted: no copy may keep presenting it. Callers
   * delete the sessions and accounts first (Better Auth) or with it
   * (cascade), but one created while the user was being deleted could carry
   * a copy: one Query of the user's partition (usually empty) removes those.
   */
  private async dropCopies(id: string): Promise<void> {
    forgetUser(this.table, id)
    // On a legacy table no session carries a copy (see `update`).
    if (await legacyFallbackNeeded(this.table)) return
    if (this.table instanceof BufferedTable) {
      this.table.afterCommit((base) => new UserStore(base).dropCopies(id))
      return
    }
    await dropSnapshots(this.table, id, await this.copyHolders(id, true))
  }

  /**
   * The items that may hold a copy of user `id`, found in its partition (one
   * Query, all pages): its sessions' token items and, with `lookups`, its
   * accounts' provider-account claims. The email claim is known without it.
   */
  private async copyHolders(id: string, lookups: boolean): Promise<CopyHolders> {
    return this.holdersIn(await this.partitionItems(id), lookups)
  }

  /** Every item of the user's partition (one consistent Query, all pages): the user, its sessions, accounts, authenticators. */
  private partitionItems(id: string): Promise<Item[]> {
    const { names } = this.table
    return this.table.queryAll(
      {
        keyCondition: { expression: "#pk = :pk", names: { "#pk": names.partitionKey }, values: { ":pk": this.userKey(id)[names.partitionKey] } },
      },
      "list the user's items (for their copies of the user)",
    )
  }

  /** The copy holders among a user's partition items (see `copyHolders`). */
  private holdersIn(items: Item[], lookups: boolean): CopyHolders {
    const { names } = this.table
    const sessionTokens: string[] = []
    const claims: Key[] = []
    for (const item of items) {
      if (item.type === ITEM_TYPES.session && typeof item.sessionToken === "string") sessionTokens.push(item.sessionToken)
      const provider = item.provider
      // A provider id with "#" cannot have a claim (providerAccountOf refuses it): only another program could have written it.
      if (lookups && String(item[names.sortKey]).startsWith("ACCOUNT#") && typeof provider === "string" && !provider.includes("#") && typeof item.providerAccountId === "string") {
        claims.push(this.table.keysOf("accountLookup", { providerAccount: providerAccountOf(provider, item.providerAccountId) }))
      }
    }
    return { sessionTokens, lookups: claims }
  }

  /**
   * Deletes the user and everything that belongs to it: every item of its
   * partition (all pages: sessions, accounts, authenticators, …), each
   * session's token item, each account's and authenticator's lookup item, and
   * the email lookup. Batched, with unprocessed items retried; the user item
   * goes last, so an interrupted call can simply be repeated.
   * Returns the deleted user, or null when there was no user item.
   */
  async deleteWithEverything(id: string): Promise<StoredRecord | null> {
    const { names } = this.table
    const partition = await this.table.queryAll(
      {
        keyCondition: { expression: "#pk = :pk", names: { "#pk": names.partitionKey }, values: { ":pk": this.userKey(id)[names.partitionKey] } },
      },
      "list the user's items",
    )
    let user: Item | undefined
    const keys: Record<string, string>[] = []
    const keyOf = (item: Item) => ({ [names.partitionKey]: String(item[names.partitionKey]), [names.sortKey]: String(item[names.sortKey]) })
    for (const item of partition) {
      if (item.type === ITEM_TYPES.user) {
        user = item
        continue
      }
      keys.push(keyOf(item))
      const sortKey = String(item[names.sortKey])
      if (item.type === ITEM_TYPES.session && typeof item.sessionToken === "string") {
        keys.push(this.table.keysOf("sessionToken", { sessionToken: item.sessionToken }))
      } else if (item.type === ITEM_TYPES.authenticator && typeof item.credentialID === "string") {
        keys.push(this.table.keysOf("authenticatorLookup", { credentialID: item.credentialID }))
      } else if (sortKey.startsWith("ACCOUNT#") && typeof item.provider === "string" && typeof item.providerAccountId === "string") {
        keys.push(this.table.keysOf("accountLookup", { providerAccount: providerAccountOf(item.provider, item.providerAccountId) }))
        // Better Auth finds accounts by id through this lookup; deleting a missing one is a no-op.
        if (typeof item.id === "string" && item.id !== "") keys.push(accountIdLookupKey(names, item.id))
      }
    }
    const email = emailOf(user)
    if (email !== undefined) keys.push(this.emailKey(email))
    if (user) keys.push(keyOf(user))
    await this.table.batchWrite(
      keys.map((key) => ({ kind: "delete" as const, key })),
      "delete user with everything",
    )
    await this.dropCopies(id)
    return user ? this.toRecord(user) : null
  }
}

/** Tries of `updateAtomically` before the two-step path. */
const ATOMIC_UPDATE_ATTEMPTS = 3
/** Copies refreshed in the user's own transaction at most: with the user and an email change's two claims, within DynamoDB's 100 actions. */
const MAX_ATOMIC_COPIES = 90
/** DynamoDB's 4 MB per transaction, with room to spare. */
const MAX_ATOMIC_BYTES = 3 * 1024 * 1024

/** Tokens of the sessions in `items` that expire within `seconds` from now (or have expired). */
function sessionTokensExpiringBy(items: Item[], seconds: number): Set<string> {
  const soon = Math.floor(Date.now() / 1000) + seconds
  return new Set(
    items.flatMap((item) =>
      item.type === ITEM_TYPES.session && typeof item.sessionToken === "string" && typeof item.expires === "number" && item.expires <= soon ? [item.sessionToken] : [],
    ),
  )
}

function sameKey(a: Key, b: Key): boolean {
  const keys = Object.keys(a)
  return keys.length === Object.keys(b).length && keys.every((name) => a[name] === b[name])
}

/** The transaction was cancelled because a condition did not hold (not a claim: those are EMAIL_EXISTS by now). */
function conditionFailed(error: unknown): boolean {
  return isDynamoAuthAdapterError(error, "TRANSACTION_FAILED") && (error.reasons ?? []).some((r) => r.code === "ConditionalCheckFailed")
}

/** Email changes planned with the exact next version before one goes without (see `changeEmail`). */
const EXACT_EMAIL_CHANGE_ATTEMPTS = 3

function userUpdateLabel(id: string): string {
  return `update user ${id}`
}

/** The transaction was cancelled because the condition of the action labelled `label` did not hold. */
function actionFailed(error: unknown, label: string): boolean {
  return isDynamoAuthAdapterError(error, "TRANSACTION_FAILED") && (error.reasons ?? []).some((r) => r.code === "ConditionalCheckFailed" && r.action === label)
}

function notFound(id: string): DynamoAuthAdapterError {
  return new DynamoAuthAdapterError("NOT_FOUND", `No user with id "${id}"; nothing was written. Create the user first, or check the id.`)
}
