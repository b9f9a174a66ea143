/**
 * Accounts (links between a user and a provider account), in stored form.
 * An account item lives in its user's partition (sk
 * `ACCOUNT#<provider>#<providerAccountId>`, GSI1 `ACCOUNT#<provider>` /
 * `ACCOUNT#<providerAccountId>`); an account lookup item
 * pk = sk = `ACCOUNT#<provider>#<providerAccountId>` claims the provider
 * account for exactly one user, in the same transaction.
 *
 * Tables written by `@auth/dynamodb-adapter` have no lookup items: a lookup
 * miss falls back to GSI1 and writes the missing lookup item (conditionally),
 * unless the table is known to have every lookup item (`table-mode.ts`).
 *
 * Where the table allows user copies, the lookup item also carries a copy of
 * its user (`user-copies.ts`), so Auth.js's getUserByAccount (twice per
 * OAuth sign-in) is one strongly consistent GetItem.
 */
import { DynamoAuthAdapterError, isDynamoAuthAdapterError } from "../errors.js"
import type { Item, WriteAction } from "../client/table-client.js"
import { ITEM_TYPES, providerAccountOf } from "../../table/entities.js"
import { planDeleteAccountIdLookup, planPutAccountIdLookup } from "./account-id-lookup.js"
import { baseKeyOf } from "./base-key.js"
import { absentOrOwnedBy, itemAbsent, itemPresent, ownedBy, setAndRemove } from "./conditions.js"
import { definedChanges, toRecord, type StoredRecord } from "./stored-record.js"
import type { IdentityScope } from "./identity-state.js"
import { findByIndexKeys } from "./index-query.js"
import type { UserStore } from "./user-store.js"
import { copyAttributes, copyOfItem, repairCopy, transactWithUserCopy, type UserCopy, type VersionedUser } from "./user-copies.js"
import { assertWriteFits } from "../write-limits.js"
import { claimLabel, isConditionFailure, transact } from "./transactions.js"

/** An account to create, in stored form. */
export interface NewStoredAccount extends StoredRecord {
  userId: string
  provider: string
  providerAccountId: string
}

/** Who owns a provider account, and how we know. */
export interface AccountOwner {
  userId: string
  /** The account item itself when it had to be read to find the owner (GSI1 fallback). */
  account?: StoredRecord
  /** The user, when the claim holds a copy that can be trusted (the table trusts copies). */
  user?: VersionedUser
}

const IMMUTABLE = ["userId", "provider", "providerAccountId"] as const

/** The provider id of Better Auth's email-and-password accounts (`providerId: "credential"`, `accountId` = the user id). */
export const PASSWORD_PROVIDER = "credential"

/**
 * Whether an account is Better Auth's email-and-password account rather than
 * a link to a provider account: provider `credential`, and either a password
 * hash or no Auth.js `type` (Auth.js writes `type` on every account it links,
 * so an Auth.js provider that happens to be named `credential` is not one).
 * Auth.js must never see such an account: its `providerAccountId` is the
 * user id, which anyone can learn.
 */
export function isPasswordAccount(account: StoredRecord): boolean {
  return account.provider === PASSWORD_PROVIDER && (account.type === undefined || account.password !== undefined)
}

export class AccountStore {
  constructor(
    private readonly scope: IdentityScope,
    private readonly users: UserStore,
  ) {}

  private get table() {
    return this.scope.table
  }

  private accountKey(userId: string, provider: string, providerAccountId: string) {
    return baseKeyOf(this.table, "account", { userId, provider, providerAccountId })
  }

  private accountKeys(userId: string, provider: string, providerAccountId: string) {
    return this.table.keysOf("account", { userId, provider, providerAccountId })
  }

  private lookupKey(provider: string, providerAccountId: string) {
    return this.table.keysOf("accountLookup", { providerAccount: providerAccountOf(provider, providerAccountId) })
  }

  private toRecord(item: Item): StoredRecord {
    // An account's `type` is the account type (oauth, oidc, …), part of the record.
    return toRecord(item, this.table.names, true)
  }

  /**
   * The user id that owns this provider account: the lookup item (consistent
   * GetItem). On a miss, when the table may hold accounts written without one
   * (see `table-mode.ts`), the account found through GSI1 (and the lookup
   * item written for next time). Null when no user has it.
   */
  async ownerOf(provider: string, providerAccountId: string): Promise<AccountOwner | null> {
    const lookup = await this.table.get(this.lookupKey(provider, providerAccountId), "get account lookup")
    if (lookup && typeof lookup.userId === "string") return { userId: lookup.userId, ...(await this.trustedCopy(lookup, lookup.userId)) }
    if (!(await this.scope.state.mode.fallbackNeeded())) return null
    const gsi = this.table.keysOf("account", { userId: "-", provider, providerAccountId })
    const [item] = await findByIndexKeys(this.table, gsi, "get account by provider account", 1)
    if (!item || typeof item.userId !== "string") return null
    await this.backfillLookup(provider, providerAccountId, item.userId)
    return { userId: item.userId, account: this.toRecord(item) }
  }

  /** `{ user }` when the claim's copy of its owner can be trusted, else nothing. */
  private async trustedCopy(lookup: Item, userId: string): Promise<{ user?: VersionedUser }> {
    const copy = copyOfItem(lookup)
    if (!copy || copy.user.id !== userId || !(await this.scope.state.mode.copiesTrusted())) return {}
    if (!this.scope.buffer) this.scope.state.recentUsers.remember(copy)
    return { user: copy }
  }

  /**
   * The user that owns this provider account: the claim's copy, or the user
   * read by key (and copied into the claim for next time). Null when nobody
   * owns it, or its owner is gone.
   */
  async ownerUser(provider: string, providerAccountId: string): Promise<VersionedUser | null> {
    const owner = await this.ownerOf(provider, providerAccountId)
    if (!owner) return null
    if (owner.user) return owner.user
    const user = await this.users.get(owner.userId)
    if (user && !owner.account) await repairCopy(this.scope, this.lookupKey(provider, providerAccountId), user, true)
    return user
  }

  private async backfillLookup(provider: string, providerAccountId: string, userId: string): Promise<void> {
    try {
      await this.table.write(this.planClaim(provider, providerAccountId, userId), "write missing account lookup")
    } catch (error) {
      // Someone claimed it meanwhile: their claim stands. Anything else only costs the fast path.
      if (!isConditionFailure(error)) this.table.logger.warn("Could not write a missing account lookup item", { provider, providerAccountId, error })
    }
  }

  private planClaim(provider: string, providerAccountId: string, userId: string, staleOwner?: string, copy?: UserCopy): WriteAction {
    return {
      kind: "put",
      item: {
        ...this.lookupKey(provider, providerAccountId),
        type: ITEM_TYPES.accountLookup,
        provider,
        providerAccountId,
        userId,
        ...(copy ? copyAttributes(copy) : {}),
      },
      condition: staleOwner === undefined ? itemAbsent(this.table.names) : ownedBy(staleOwner),
      label: claimLabel.account(provider, providerAccountId),
    }
  }

  /** The account of a provider account, whoever owns it, or null. */
  async getByProviderAccount(provider: string, providerAccountId: string): Promise<StoredRecord | null> {
    const owner = await this.ownerOf(provider, providerAccountId)
    if (!owner) return null
    return owner.account ?? this.get(owner.userId, provider, providerAccountId)
  }

  /** One account by its full key (GetItem), or null. */
  async get(userId: string, provider: string, providerAccountId: string): Promise<StoredRecord | null> {
    const item = await this.table.get(this.accountKey(userId, provider, providerAccountId), "get account")
    return item ? this.toRecord(item) : null
  }

  /** Every account of a user: one Query on the user's partition. */
  async listByUser(userId: string): Promise<StoredRecord[]> {
    const { names } = this.table
    const items = await this.table.queryAll(
      {
        keyCondition: {
          expression: "#pk = :pk AND begins_with(#sk, :prefix)",
          names: { "#pk": names.partitionKey, "#sk": names.sortKey },
          values: { ":pk": this.table.keysOf("user", { id: userId })[names.partitionKey], ":prefix": "ACCOUNT#" },
        },
      },
      "list accounts of user",
    )
    return items.map((item) => this.toRecord(item))
  }

  /**
   * The writes that create the account, claim its provider account
   * (ACCOUNT_EXISTS when taken) and, for an account with an `id`, write its
   * id lookup (`ACCOUNT_ID#<id>`, how Better Auth finds an account), so every
   * account this library writes has all its lookups. With `copy`, the claim
   * holds that copy of the user (the link on the user, added by
   * `transactWithUserCopy`, checks its version).
   */
  planCreate(account: NewStoredAccount, staleOwner?: string, copy?: UserCopy): WriteAction[] {
    const { userId, provider, providerAccountId } = account
    const byId = planPutAccountIdLookup(this.table.names, account)
    return [
      {
        kind: "put",
        item: { ...this.accountKeys(userId, provider, providerAccountId), ...account },
        label: `put account ${provider}#${providerAccountId} of user ${userId}`,
      },
      this.planClaim(provider, providerAccountId, userId, staleOwner, copy),
      ...(byId ? [byId] : []),
    ]
  }

  /** Replaces account `current` with `next` (another user or provider account) in one transaction. */
  async move(current: StoredRecord & NewStoredAccount, next: NewStoredAccount): Promise<void> {
    // Same id: the new account's id lookup put replaces the old one in place (one action per item).
    const release = this.planDelete(current.userId, current.provider, current.providerAccountId, current.id === next.id ? undefined : current.id)
    await transactWithUserCopy(this.scope, next.userId, (copy) => [...release, ...this.planCreate(next, undefined, copy)], "move account")
  }

  /**
   * The owner of a stale claim: a lookup item whose account item is gone
   * (unlinked by another program, such as `@auth/dynamodb-adapter`). Read only
   * after a claim failed.
   */
  async staleOwner(provider: string, providerAccountId: string): Promise<string | undefined> {
    const lookup = await this.table.get(this.lookupKey(provider, providerAccountId), "get account lookup")
    if (!lookup || typeof lookup.userId !== "string") return undefined
    if (await this.get(lookup.userId, provider, providerAccountId)) return undefined
    this.table.logger.warn("Replacing a stale account lookup item", { provider, providerAccountId, staleOwner: lookup.userId })
    return lookup.userId
  }

  /**
   * Creates the account and its lookups in one transaction; ACCOUNT_EXISTS
   * (nothing written) when anyone has it. Where the table allows copies, the
   * claim holds a copy of the user (`knownUser` when it is the user as just
   * returned by the user store), checked against the user's version.
   */
  async create(account: NewStoredAccount, known?: VersionedUser): Promise<StoredRecord> {
    // Refused before anything is sent, the table's metadata read included.
    for (const action of this.planCreate(account)) assertWriteFits(action, this.table.names)
    const run = (stale?: string) => transactWithUserCopy(this.scope, account.userId, (copy) => this.planCreate(account, stale, copy), "create account", known)
    try {
      await run()
    } catch (error) {
      // Inside a transaction the claim fails at the commit, which repairs it there.
      if (this.scope.buffer || !isDynamoAuthAdapterError(error, "ACCOUNT_EXISTS")) throw error
      const stale = await this.staleOwner(account.provider, account.providerAccountId)
      if (stale === undefined) throw error
      await run(stale)
    }
    return definedChanges(account, [])
  }

  /** Applies `changes` (undefined ignored, null kept). NOT_FOUND, nothing written, when the account does not exist. */
  async update(userId: string, provider: string, providerAccountId: string, changes: StoredRecord): Promise<StoredRecord> {
    const update = setAndRemove(definedChanges(changes, IMMUTABLE))
    if (!update) {
      const current = await this.get(userId, provider, providerAccountId)
      if (!current) throw notFound(provider, providerAccountId)
      return current
    }
    try {
      const item = await this.table.write(
        { kind: "update", key: this.accountKey(userId, provider, providerAccountId), update, condition: itemPresent(this.table.names), label: "update account" },
        "update account",
      )
      return this.toRecord(item ?? {})
    } catch (error) {
      if (isConditionFailure(error)) throw notFound(provider, providerAccountId)
      throw error
    }
  }

  /**
   * The writes that delete an account of `userId`, release its lookup (if
   * that user holds it) and, given the account's `id`, delete its id lookup.
   */
  planDelete(userId: string, provider: string, providerAccountId: string, id?: unknown): WriteAction[] {
    const byId = planDeleteAccountIdLookup(this.table.names, { id })
    return [
      { kind: "delete", key: this.accountKey(userId, provider, providerAccountId), label: `delete account ${provider}#${providerAccountId}` },
      {
        kind: "delete",
        key: this.lookupKey(provider, providerAccountId),
        condition: absentOrOwnedBy(this.table.names, userId),
        label: `release provider account ${provider}#${providerAccountId}`,
      },
      ...(byId ? [byId] : []),
    ]
  }

  /**
   * Deletes the account and its lookup items in one transaction. Without
   * `userId` the owner is found first (lookup item, or GSI1). Returns the
   * deleted account, or null when there was none.
   */
  async delete(provider: string, providerAccountId: string, userId?: string): Promise<StoredRecord | null> {
    const owner = userId ?? (await this.ownerOf(provider, providerAccountId))?.userId
    if (owner === undefined) return null
    const current = await this.get(owner, provider, providerAccountId)
    if (!current) return null
    await transact(this.table, this.planDelete(owner, provider, providerAccountId, current.id), "delete account")
    return current
  }
}

function notFound(provider: string, providerAccountId: string): DynamoAuthAdapterError {
  return new DynamoAuthAdapterError(
    "NOT_FOUND",
    `No account for provider account "${provider}#${providerAccountId}"; nothing was written. Link the account first.`,
  )
}
