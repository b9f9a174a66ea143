/**
 * Users, in stored form. A user item is pk = sk = `USER#<id>` with GSI1 keys
 * `USER#<email>` (only when it has an email, as given); an email claim
 * pk = sk = `EMAIL#<normalized email>` holds the email for one user, written in
 * the same transaction as the user, so two users can never share an email,
 * whatever its case (`normalizeEmail`). Where the
 * table trusts copies (`table-mode.ts`), the claim also carries a copy of the
 * user (`user-copies.ts`): a user is found by email with one strongly
 * consistent GetItem, hit or miss.
 *
 * Every read returns the user with its version (`VersionedUser`); every
 * write moves the version, whatever the mode, and refreshes the copies
 * wherever they may exist, as `user-copies.ts` lays down.
 *
 * Where the official adapter may write (`TableMode.fallbackNeeded`), the user
 * items are the truth and claims are hints: a claim or GSI1 hit counts only
 * when its user has the email now, and an email is taken when a user item
 * holds it through GSI1 even without a claim (legacy users; the official
 * adapter writes none). Where it cannot, none of this costs a request.
 */
import { DynamoAuthAdapterError, isDynamoAuthAdapterError } from "../errors.js"
import { assertWriteFits } from "../write-limits.js"
import { itemSize } from "../item-size.js"
import type { Expression, Item, Key, WriteAction } from "../client/table-client.js"
import { ITEM_TYPES, providerAccountOf } from "../../table/entities.js"
import { accountIdLookupKey } from "./account-id-lookup.js"
import { emailOf, hasEmail, legacyIndexForms, normalizeEmail, sameEmail } from "./email-identity.js"
import { absentOrOwnedBy, both, itemAbsent, itemPresent, ownedBy, setAndRemove } from "./conditions.js"
import { definedChanges, type StoredRecord } from "./stored-record.js"
import { claimLabel, isConditionFailure, transact } from "./transactions.js"
import type { IdentityScope } from "./identity-state.js"
import { findByIndexKeys } from "./index-query.js"
import { UserUniqueClaims } from "./user-unique-claims.js"
import { UserDirectory } from "./user-directory.js"
import {
  actionFailed,
  copyAttributes,
  copyFits,
  copyOfItem,
  planRefresh,
  refreshCopies,
  repairCopy,
  runBounded,
  sessionsLeftOutOfUpdates,
  userIs,
  userStateOf,
  USER_LINKS,
  USER_VERSION,
  type CopyHolders,
  type UserRecord,
  type UserState,
  type VersionedUser,
} from "./user-copies.js"

/** A user to create, in stored form: `id` is required, `email` optional. */
export interface NewStoredUser extends StoredRecord {
  id: string
  email?: string | null
}

/** Attributes a caller can never set on a user: its id and the protocol's own. */
const NOT_SETTABLE = ["id", USER_VERSION, USER_LINKS]

export class UserStore {
  /** The claims of the schema's other unique user fields (username, phone number), written in this store's transactions. */
  private readonly uniqueClaims: UserUniqueClaims
  /** The user's entry in the user directory, written and deleted in the user's own transactions. */
  private readonly directory: UserDirectory

  constructor(private readonly scope: IdentityScope) {
    this.uniqueClaims = new UserUniqueClaims(scope)
    this.directory = new UserDirectory(scope.table)
  }

  private get table() {
    return this.scope.table
  }

  private userKey(id: string) {
    return this.table.keysOf("user", { id })
  }

  private emailKey(email: string) {
    return this.table.keysOf("emailLookup", { email: normalizeEmail(email) })
  }

  private indexKeys(email: string | undefined): Record<string, string> {
    if (email === undefined) return {}
    const { [this.table.names.partitionKey]: _pk, [this.table.names.sortKey]: _sk, ...gsi } = this.table.keysOf("user", { id: "-", email })
    return gsi
  }

  /** Remembers a committed user for a session created right after (never a transaction's uncommitted state). */
  private remember(user: VersionedUser): VersionedUser {
    if (!this.scope.buffer) this.scope.state.recentUsers.remember(user)
    return user
  }

  private async readState(id: string, what = "get user"): Promise<UserState | undefined> {
    const item = await this.table.get(this.userKey(id), what)
    return item ? userStateOf(item, this.table.names) : undefined
  }

  /** The user with this id (strongly consistent GetItem), or null. */
  async get(id: string): Promise<VersionedUser | null> {
    const state = await this.readState(id)
    return state ? this.remember({ user: state.user, version: state.version }) : null
  }

  /**
   * The user with this email. Where the table trusts copies: the email claim
   * (one strongly consistent GetItem), whose copy is the answer (a claim
   * without a copy is followed to the user by key, and given the copy).
   * Elsewhere (a legacy table, whose users may have no claim): one GSI1
   * Query on the common path; when the index has nothing (it lags on AWS),
   * the claim is read with a strongly consistent GetItem so a user created a
   * moment ago is found.
   */
  async getByEmail(email: string): Promise<VersionedUser | null> {
    // An empty email is never indexed nor claimed (see emailOf): no user has it, and it has no key to query.
    if (emailOf({ email }) === undefined) return null
    if (await this.scope.state.mode.copiesTrusted()) return this.getByEmailClaim(email)
    const found = (await this.legacyHolders(email))[0]
    if (found) {
      const state = userStateOf(found, this.table.names)
      return this.remember({ user: state.user, version: state.version })
    }
    const claim = await this.table.get(this.emailKey(email), "get email lookup")
    if (!claim || typeof claim.userId !== "string") return null
    const owner = await this.get(claim.userId)
    return owner && hasEmail(owner.user, email) ? owner : null
  }

  /**
   * The user items GSI1 holds under `email` (as given, and lowercased: see
   * `legacyIndexForms`) that have that email now: the official adapter
   * leaves a user's GSI1 keys behind when it changes its email, and writes
   * `USER#undefined` for a user without one. One Query per form, in parallel.
   */
  private async legacyHolders(email: string): Promise<Item[]> {
    const pages = await Promise.all(
      // A few: an email the official adapter moved away leaves its keys, so one key can hold several users.
      legacyIndexForms(email).map((form) => findByIndexKeys(this.table, this.indexKeys(form), "get user by email", LEGACY_HOLDERS_READ)),
    )
    const holders = new Map<string, Item>()
    for (const item of pages.flat()) if (item.type === ITEM_TYPES.user && typeof item.id === "string" && hasEmail(item, email)) holders.set(item.id, item)
    return [...holders.values()]
  }

  /**
   * EMAIL_EXISTS when a user other than `userId` holds `email` without a
   * claim (a legacy user), where the official adapter may have written one;
   * no request elsewhere. The claim's conditional put covers every user
   * with a claim; this covers those the official adapter made. GSI1 lags:
   * a legacy user made a moment ago may be missed (as the official adapter
   * itself misses it).
   */
  private async assertNoLegacyHolder(email: string | undefined, userId: string): Promise<void> {
    if (email === undefined || !(await this.scope.state.mode.fallbackNeeded())) return
    if ((await this.legacyHolders(email)).some((item) => item.id !== userId)) throw emailTaken(email)
  }

  /** The user holding the claim on `email` on a table that trusts copies; null for no claim or a stale one. */
  private async getByEmailClaim(email: string): Promise<VersionedUser | null> {
    const key = this.emailKey(email)
    const claim = await this.table.get(key, "get email lookup")
    if (!claim || typeof claim.userId !== "string") return null
    const copy = copyOfItem(claim)
    if (copy && copy.user.id === claim.userId && hasEmail(copy.user, email)) return this.remember(copy)
    const owner = await this.get(claim.userId)
    if (!owner || !hasEmail(owner.user, email)) return null
    await repairCopy(this.scope, key, owner, true)
    return owner
  }

  private userItem(user: NewStoredUser): Item {
    return { ...this.userKey(user.id), ...this.indexKeys(emailOf(user)), type: ITEM_TYPES.user, ...user }
  }

  /**
   * The writes that create `user` and claim its email (EMAIL_EXISTS when
   * taken); `withCopy` puts a copy of the user (version 0) in the claim.
   */
  planCreate(user: NewStoredUser, staleEmailOwner?: string, withCopy = false): WriteAction[] {
    const record = definedChanges(user, NOT_SETTABLE.slice(1)) as NewStoredUser
    const email = emailOf(record)
    const actions: WriteAction[] = [{ kind: "put", item: this.userItem(record), condition: itemAbsent(this.table.names), label: `put user ${user.id}` }]
    if (email !== undefined) {
      const copy = withCopy ? { user: { ...record, id: user.id }, version: 0 } : undefined
      actions.push(this.planClaimEmail(email, user.id, staleEmailOwner, copy))
    }
    actions.push(...this.uniqueClaims.plan(user.id, undefined, record))
    actions.push(this.directory.planAdd(user.id))
    return actions
  }

  /**
   * The claim on `email` (its normalized form: the claim's key and `email`),
   * with `copy` of its user when given (and small enough); with
   * `staleOwner`, replacing that owner's stale claim.
   */
  private planClaimEmail(email: string, userId: string, staleOwner?: string, copy?: VersionedUser): WriteAction {
    const normalized = normalizeEmail(email)
    return {
      kind: "put",
      item: { ...this.emailKey(email), type: ITEM_TYPES.emailLookup, email: normalized, userId, ...(copy && copyFits(copy.user) ? copyAttributes(copy) : {}) },
      condition: staleOwner === undefined ? itemAbsent(this.table.names) : ownedBy(staleOwner),
      label: claimLabel.email(normalized),
    }
  }

  /**
   * The owner of a stale email claim: one whose user is gone or has another
   * email (left behind when another program, such as `@auth/dynamodb-adapter`,
   * deleted or changed that user). Read only after a claim failed, so the
   * common path pays nothing for it.
   */
  async staleEmailOwner(email: string): Promise<string | undefined> {
    const claim = await this.table.get(this.emailKey(email), "get email lookup")
    if (!claim || typeof claim.userId !== "string") return undefined
    const owner = await this.readState(claim.userId)
    if (owner && hasEmail(owner.user, email)) return undefined
    this.table.logger.warn("Replacing a stale email lookup item", { email, staleOwner: claim.userId })
    return claim.userId
  }

  /** Runs a write that claims `email`; when the claim is held by a stale owner, runs it once more replacing that claim. */
  private async withStaleClaimRepair(email: string | undefined, run: (staleOwner?: string) => Promise<void>): Promise<void> {
    try {
      await run()
    } catch (error) {
      // Inside a transaction the claim fails at the commit, which repairs it there (see `commitTransaction`).
      if (email === undefined || this.scope.buffer || !isDynamoAuthAdapterError(error, "EMAIL_EXISTS")) throw error
      const stale = await this.staleEmailOwner(email)
      if (stale === undefined) throw error
      await run(stale)
    }
  }

  private planReleaseEmail(email: string, userId: string): WriteAction {
    return { kind: "delete", key: this.emailKey(email), condition: absentOrOwnedBy(this.table.names, userId), label: `release email ${normalizeEmail(email)}` }
  }

  /** Creates the user and its email claim in one transaction. */
  async create(user: NewStoredUser): Promise<VersionedUser> {
    // Refused before anything is sent, the table's metadata read included.
    for (const action of this.planCreate(user)) assertWriteFits(action, this.table.names)
    const withCopy = await this.scope.state.mode.copiesTrusted()
    await this.assertNoLegacyHolder(emailOf(user), user.id)
    await this.uniqueClaims.run(() => this.withStaleClaimRepair(emailOf(user), (stale) => transact(this.table, this.planCreate(user, stale, withCopy), "create user")))
    return this.remember({ user: { ...definedChanges(user, NOT_SETTABLE.slice(1)), id: user.id }, version: 0 })
  }

  /**
   * The writes that apply `set` to `current` (read at `current.version`),
   * moving it to the next version: an email change moves the GSI1 keys and
   * swaps the claims in the same transaction (the new claim with the exact
   * copy). `expectLinks` adds the condition that no item of the user was
   * created since it was read (the atomic path).
   */
  private planUserWrite(current: UserState, set: StoredRecord, staleEmailOwner: string | undefined, expectLinks: boolean): WriteAction[] {
    const { names } = this.table
    const id = current.user.id
    const oldEmail = emailOf(current.user)
    const newEmail = emailOf(set)
    const emailChanges = "email" in set && newEmail !== oldEmail
    // A change of case only keeps the claim (its key is the normalized email): only the GSI1 keys move.
    const claimMoves = emailChanges && !sameEmail(newEmail, oldEmail)
    const next: VersionedUser = { user: { ...current.user, ...set, id }, version: current.version + 1 }
    const assign: StoredRecord = { ...set, [USER_VERSION]: next.version }
    const remove: string[] = []
    if (emailChanges) {
      if (newEmail !== undefined) Object.assign(assign, this.indexKeys(newEmail))
      else remove.push(names.indexPartitionKey, names.indexSortKey)
    }
    const update = setAndRemove(assign, remove)!
    // The email guard also covers users changed by a program that does not move the version (the official adapter).
    const emailGuard: Expression =
      oldEmail === undefined
        ? { expression: "attribute_not_exists(#e) OR #e = :null OR #e = :empty", names: { "#e": "email" }, values: { ":null": null, ":empty": "" } }
        : { expression: "#e = :e", names: { "#e": "email" }, values: { ":e": oldEmail } }
    const state = userIs(names, expectLinks ? { version: current.version, links: current.links } : { version: current.version })
    const actions: WriteAction[] = [{ kind: "update", key: this.userKey(id), update, condition: both(state, emailGuard), label: userUpdateLabel(id) }]
    if (claimMoves) {
      if (oldEmail !== undefined) actions.push(this.planReleaseEmail(oldEmail, id))
      if (newEmail !== undefined) actions.push(this.planClaimEmail(newEmail, id, staleEmailOwner, next))
    }
    actions.push(...this.uniqueClaims.plan(id, current.user, next.user))
    return actions
  }

  /**
   * Applies `changes` (stored form): `undefined` values are ignored, `null`
   * is stored as null, `id` cannot change. NOT_FOUND, writing nothing, when
   * the user does not exist (or is being deleted); EMAIL_EXISTS when the new
   * email is taken.
   *
   * Where copies may exist, the user and every copy of it are written in one
   * transaction (`updateAtomically`: Query, TransactWriteItems), so once this
   * returns no read sees an older user, and no crash can leave a copy behind.
   * Beyond one transaction's size: the user first, then each copy (the
   * two-step path). Where no copy can exist: one UpdateItem (a GetItem and
   * one transaction for an email change). Every path moves the version.
   */
  async update(id: string, changes: StoredRecord): Promise<VersionedUser> {
    const set = definedChanges(changes, NOT_SETTABLE)
    // Refused before anything is sent: the new values alone are too large.
    const probe = setAndRemove(set)
    if (probe) assertWriteFits({ kind: "update", key: this.userKey(id), update: probe, label: "update user" }, this.table.names)
    if (Object.keys(set).length === 0) {
      const current = await this.get(id)
      if (!current) throw notFound(id)
      return current
    }
    if ("email" in set) await this.assertNoLegacyHolder(emailOf(set), id)
    const copies = await this.scope.state.mode.copiesMayExist()
    if (copies) {
      const written = await this.uniqueClaims.run(() => this.updateAtomically(id, set))
      if (written) return this.remember(written)
    }
    const written = await this.uniqueClaims.run(() => this.writeUser(id, set))
    if (copies) await this.refreshAfter(written)
    return this.remember(written)
  }

  /**
   * The user write alone (first step of the two-step path, or the whole
   * update where no copy can exist), conditioned on the version read:
   * planned again when the user changed meanwhile.
   */
  private async writeUser(id: string, set: StoredRecord): Promise<VersionedUser> {
    // A claimed field (email, username, …) needs the value it replaces: read first, conditioned on the version.
    if (!("email" in set) && !this.uniqueClaims.touches(set)) return this.writeUserFields(id, set)
    for (let attempt = 1; ; attempt++) {
      const current = await this.readState(id)
      if (!current) throw notFound(id)
      const next: VersionedUser = { user: { ...current.user, ...set, id }, version: current.version + 1 }
      try {
        await this.withStaleClaimRepair(!sameEmail(emailOf(set), emailOf(current.user)) ? emailOf(set) : undefined, (stale) =>
          transact(this.table, this.planUserWrite(current, set, stale, false), "update user"),
        )
        return next
      } catch (error) {
        if (this.scope.buffer || attempt >= WRITE_ATTEMPTS || !actionFailed(error, userUpdateLabel(id))) throw error
      }
    }
  }

  /** A user write that leaves the email alone: one UpdateItem moving the version, answered with the user as written. */
  private async writeUserFields(id: string, set: StoredRecord): Promise<VersionedUser> {
    const assignments = setAndRemove(set)!
    const update: Expression = {
      expression: `${assignments.expression} ADD #version :one`,
      names: { ...assignments.names, "#version": USER_VERSION },
      values: { ...assignments.values, ":one": 1 },
    }
    try {
      const item = await this.table.write({ kind: "update", key: this.userKey(id), update, condition: userIs(this.table.names, {}), label: userUpdateLabel(id) }, "update user")
      const state = userStateOf(item ?? {}, this.table.names)
      return { user: { ...state.user, id }, version: state.version }
    } catch (error) {
      if (isConditionFailure(error)) throw notFound(id)
      throw error
    }
  }

  /** The two-step path's second step: every holder found now brought to `written`. */
  private async refreshAfter(written: VersionedUser): Promise<void> {
    const refresh = async (scope: IdentityScope) => {
      const partition = await new UserStore(scope).partitionItems(written.user.id)
      // The email claim too: an email change's new claim already holds the copy (its refresh finds nothing older to replace).
      await refreshCopies(scope, written, this.holdersIn(partition, written, true))
    }
    const buffer = this.scope.buffer
    if (!buffer) return refresh(this.scope)
    // Too many copies for the transaction itself: refreshed right after its commit (the README's Limits state the crash window).
    buffer.afterCommit(async (base) => {
      try {
        await refresh({ table: base, state: this.scope.state })
      } catch (error) {
        base.logger.warn("Could not refresh the copies of a user after a committed transaction", { userId: written.user.id, error })
      }
    })
  }

  /**
   * The update and the refresh of every copy of the user in ONE
   * transaction: one consistent Query of the user's partition (the user with
   * its version and links, its sessions and accounts), then one
   * TransactWriteItems (the user conditioned on both and moved to the next
   * version, each copy set to the user it writes, an email change's claims).
   * A holder created in between moved the links: planned again (bounded).
   * Undefined, for the two-step path, when the user has too many copies for
   * one transaction or kept changing.
   */
  private async updateAtomically(id: string, set: StoredRecord): Promise<VersionedUser | undefined> {
    const attempts = this.scope.buffer ? 1 : ATOMIC_UPDATE_ATTEMPTS
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const partition = await this.partitionItems(id)
      const userItem = this.userItemIn(partition, id)
      if (!userItem) throw notFound(id)
      const current = userStateOf(userItem, this.table.names)
      const written: VersionedUser = { user: { ...current.user, ...set, id }, version: current.version + 1 }
      // The email claim is a holder unless this write moves it (the new claim is written with the copy).
      const claimMoves = "email" in set && !sameEmail(emailOf(set), emailOf(current.user))
      const holders = this.holdersIn(partition, written, !claimMoves)
      const count = holders.sessionTokens.length + holders.claims.length
      if (count > MAX_ATOMIC_COPIES || itemSize(written.user) * (count + 3) > MAX_ATOMIC_BYTES) return undefined
      const plan = (stale?: string) => [...this.planUserWrite(current, set, stale, true), ...planRefresh(this.scope, written, holders)]
      try {
        await this.withStaleClaimRepair(claimMoves ? emailOf(set) : undefined, (stale) => transact(this.table, plan(stale), "update user"))
        return written
      } catch (error) {
        if (!this.scope.buffer && conditionFailed(error)) continue
        throw error
      }
    }
    return undefined
  }

  private userItemIn(partition: readonly Item[], id: string): Item | undefined {
    const { sortKey } = this.table.names
    return partition.find((item) => item.type === ITEM_TYPES.user && item[sortKey] === this.userKey(id)[sortKey])
  }

  /**
   * Every item of the user's partition (one consistent Query, all pages):
   * the user, its sessions, accounts, authenticators. Inside a transaction
   * the buffered writes are part of the answer.
   */
  private partitionItems(id: string): Promise<Item[]> {
    const { names } = this.table
    return this.table.queryAll(
      { keyCondition: { expression: "#pk = :pk", names: { "#pk": names.partitionKey }, values: { ":pk": this.userKey(id)[names.partitionKey] } } },
      "list the user's items",
    )
  }

  /**
   * The holders of copies of `written.user` among its partition items: the
   * token items of its sessions (but those TTL may be deleting), its
   * provider-account claims and, with `emailClaim`, the claim of its email.
   */
  private holdersIn(partition: readonly Item[], written: VersionedUser, emailClaim: boolean): CopyHolders {
    const { names } = this.table
    const leftOut = sessionsLeftOutOfUpdates(partition)
    const sessionTokens: string[] = []
    const claims: Key[] = []
    for (const item of partition) {
      if (item.type === ITEM_TYPES.session && typeof item.sessionToken === "string" && !leftOut.has(item.sessionToken)) sessionTokens.push(item.sessionToken)
      const claim = this.accountClaimOf(item)
      if (claim) claims.push(claim)
    }
    const email = emailOf(written.user)
    if (emailClaim && email !== undefined) claims.push(this.emailKey(email))
    return { sessionTokens, claims }
  }

  /** The provider-account claim of an account item, if it can have one. */
  private accountClaimOf(item: Item): Key | undefined {
    const { names } = this.table
    const provider = item.provider
    // A provider id with "#" cannot have a claim (providerAccountOf refuses it): only another program could have written it.
    if (!String(item[names.sortKey]).startsWith("ACCOUNT#") || typeof provider !== "string" || provider.includes("#") || typeof item.providerAccountId !== "string") {
      return undefined
    }
    return this.table.keysOf("accountLookup", { providerAccount: providerAccountOf(provider, item.providerAccountId) })
  }

  /**
   * Deletes the user and everything that belongs to it (sessions with their
   * token items, accounts with their claims and id lookups, authenticators
   * with theirs, the email claim), whichever framework made them:
   * 1. its partition is read (all pages);
   * 2. everything in it but the user, and what points at it, is deleted
   *    (batched);
   * 3. the user item goes in one transaction with its email claim and the
   *    claims of its accounts and authenticators, each only while still the
   *    user's, conditioned on the version and links read in 1: when anything
   *    of the user was created or changed meanwhile, from 1 again (bounded).
   * Whatever step fails, the user item is still there until nothing else of
   * it is; calling this again finishes the job. Returns the deleted user, or
   * null when there was no user item (its leftovers are deleted all the same).
   */
  async delete(id: string): Promise<VersionedUser | null> {
    if (this.scope.buffer) return this.deleteInTransaction(id)
    for (let attempt = 1; ; attempt++) {
      const partition = await this.partitionItems(id)
      const userItem = this.userItemIn(partition, id)
      const { plain, claims } = this.belongingsOf(partition.filter((item) => item !== userItem))
      await this.table.batchWrite(
        plain.map((key) => ({ kind: "delete" as const, key })),
        "delete the user's items",
      )
      const current = userItem ? userStateOf(userItem, this.table.names) : undefined
      const last = [...(current ? this.planDeleteUserItem(current) : []), ...claims.map((key) => this.planReleaseClaim(key, id))]
      try {
        // Beyond one transaction (a user with dozens of accounts): the claims first, each on its own, then the user.
        if (last.length > MAX_TRANSACTION_ACTIONS) {
          await runBounded(claims, (key) => transact(this.table, [this.planReleaseClaim(key, id)], "release claim of a deleted user"))
          if (current) await transact(this.table, this.planDeleteUserItem(current), "delete user")
        } else {
          await transact(this.table, last, "delete user")
        }
        this.scope.state.recentUsers.forget(id)
        return current ? { user: current.user, version: current.version } : null
      } catch (error) {
        // Something of the user was created (or changed) since the partition was read: read it again.
        if (attempt >= DELETE_ATTEMPTS || !conditionFailed(error)) throw error
      }
    }
  }

  /** The user item (unchanged since read: same version, same links) and its email claim. */
  private planDeleteUserItem(current: UserState): WriteAction[] {
    const condition = userIs(this.table.names, { version: current.version, links: current.links })
    const actions: WriteAction[] = [{ kind: "delete", key: this.userKey(current.user.id), condition, label: `delete user ${current.user.id}` }]
    const email = emailOf(current.user)
    if (email !== undefined) actions.push(this.planReleaseEmail(email, current.user.id))
    actions.push(...this.uniqueClaims.plan(current.user.id, current.user, undefined))
    actions.push(this.directory.planRemove(current.user.id))
    return actions
  }

  /** A claim of a deleted user's account or authenticator: deleted only while absent or still the user's (it may have changed hands). */
  private planReleaseClaim(key: Key, userId: string): WriteAction {
    return { kind: "delete", key, condition: absentOrOwnedBy(this.table.names, userId), label: "release claim of a deleted user" }
  }

  /**
   * What belongs to a user among its partition items (the user item left
   * out): the items and what only they point at (`plain`: session token
   * items, account id lookups), and the claims they hold (`claims`).
   */
  private belongingsOf(items: readonly Item[]): { plain: Key[]; claims: Key[] } {
    const { names } = this.table
    const plain: Key[] = []
    const claims: Key[] = []
    for (const item of items) {
      plain.push({ [names.partitionKey]: String(item[names.partitionKey]), [names.sortKey]: String(item[names.sortKey]) })
      if (item.type === ITEM_TYPES.session && typeof item.sessionToken === "string") {
        plain.push(this.table.keysOf("sessionToken", { sessionToken: item.sessionToken }))
      } else if (item.type === ITEM_TYPES.authenticator && typeof item.credentialID === "string") {
        claims.push(this.table.keysOf("authenticatorLookup", { credentialID: item.credentialID }))
      } else {
        const claim = this.accountClaimOf(item)
        if (claim) claims.push(claim)
        // Better Auth finds accounts by id through this lookup; deleting a missing one is a no-op.
        if (claim && typeof item.id === "string" && item.id !== "") plain.push(accountIdLookupKey(names, item.id))
      }
    }
    return { plain, claims }
  }

  /**
   * `delete` inside a transaction: everything of the user, and the user
   * conditioned on its version and links, in the transaction's one commit
   * (TRANSACTION_TOO_LARGE beyond 100 writes, before anything is sent).
   */
  private async deleteInTransaction(id: string): Promise<VersionedUser | null> {
    const partition = await this.partitionItems(id)
    const userItem = this.userItemIn(partition, id)
    const current = userItem ? userStateOf(userItem, this.table.names) : undefined
    const { plain, claims } = this.belongingsOf(partition.filter((item) => item !== userItem))
    await transact(
      this.table,
      [
        ...plain.map((key): WriteAction => ({ kind: "delete", key, label: "delete an item of the user" })),
        ...claims.map((key) => this.planReleaseClaim(key, id)),
        ...(current ? this.planDeleteUserItem(current) : []),
      ],
      "delete user",
    )
    return current ? { user: current.user, version: current.version } : null
  }
}

/** Users read under one GSI1 key of an email at most (a legacy table's: see `legacyHolders`). */
const LEGACY_HOLDERS_READ = 10
/** Tries of `updateAtomically` before the two-step path. */
const ATOMIC_UPDATE_ATTEMPTS = 4
/** Tries of a user write whose user changed between its read and its write. */
const WRITE_ATTEMPTS = 4
/** Tries of a deletion (something of the user was created or changed meanwhile each time). */
const DELETE_ATTEMPTS = 4
/** DynamoDB's actions per transaction. */
const MAX_TRANSACTION_ACTIONS = 100
/** Copies refreshed in the user's own transaction at most: with the user and an email change's two claims, within DynamoDB's 100 actions. */
const MAX_ATOMIC_COPIES = 90
/** DynamoDB's 4 MB per transaction, with room to spare. */
const MAX_ATOMIC_BYTES = 3 * 1024 * 1024

/** The transaction was cancelled because a condition did not hold (not a claim: those are EMAIL_EXISTS by now). */
function conditionFailed(error: unknown): boolean {
  return isDynamoAuthAdapterError(error, "TRANSACTION_FAILED") && (error.reasons ?? []).some((r) => r.code === "ConditionalCheckFailed")
}

function userUpdateLabel(id: string): string {
  return `update user ${id}`
}

/** The error of a claim refused because a legacy user (no claim, found through GSI1) holds the email: the same as a claim's. */
function emailTaken(email: string): DynamoAuthAdapterError {
  return new DynamoAuthAdapterError(
    "EMAIL_EXISTS",
    `A user with the email "${normalizeEmail(email)}" already exists (written by @auth/dynamodb-adapter, without an email claim); nothing was written. Sign that user in, or link the new account to them.`,
  )
}

function notFound(id: string): DynamoAuthAdapterError {
  return new DynamoAuthAdapterError(
    "NOT_FOUND",
    `No user with id "${id}"; nothing was written. Create the user first, or check the id.`,
  )
}

export type { UserRecord }
