/**
 * Users, in stored form. A user item is pk = sk = `USER#<id>` with GSI1 keys
 * `USER#<email>` (only when it has an email); an email lookup item
 * pk = sk = `EMAIL#<email>` claims the email for one user, written in the same
 * transaction as the user, so two users can never share an email.
 */
import { DynamoAuthAdapterError, isDynamoAuthAdapterError } from "../errors.js"
import type { Item, ItemTable, WriteAction } from "../table-client.js"
import { ITEM_TYPES, providerAccountOf } from "../../table/entities.js"
import { accountIdLookupKey } from "../models/account-id-lookup.js"
import { absentOrOwnedBy, both, itemAbsent, itemPresent, ownedBy, setAndRemove } from "./conditions.js"
import { definedChanges, toRecord, type StoredRecord } from "./stored-record.js"
import { claimLabel, isConditionFailure, transact } from "./transactions.js"

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

  private toRecord(item: Item): StoredRecord {
    return toRecord(item, this.table.names)
  }

  /** The user with this id (strongly consistent GetItem), or null. */
  async get(id: string): Promise<StoredRecord | null> {
    const item = await this.table.get(this.userKey(id), "get user")
    return item ? this.toRecord(item) : null
  }

  /**
   * The user with this email. One GSI1 Query on the common path; when the
   * index has nothing (it lags on AWS), the email lookup item is read with a
   * strongly consistent GetItem so a user created a moment ago is found.
   */
  async getByEmail(email: string): Promise<StoredRecord | null> {
    // An empty email is never indexed nor claimed (see emailOf): no user has it, and it has no key to query.
    if (emailOf({ email }) === undefined) return null
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
    if (found) return this.toRecord(found)
    const lookup = await this.table.get(this.emailKey(email), "get email lookup")
    if (!lookup || typeof lookup.userId !== "string") return null
    return this.get(lookup.userId)
  }

  /** The writes that create `user` and claim its email (fails with EMAIL_EXISTS when taken). */
  planCreate(user: NewStoredUser, staleEmailOwner?: string): WriteAction[] {
    const { names } = this.table
    const email = emailOf(user)
    const userItem: Item = { ...this.userKey(user.id), ...this.indexKeys(email), type: ITEM_TYPES.user, ...user }
    const actions: WriteAction[] = [{ kind: "put", item: userItem, condition: itemAbsent(names), label: `put user ${user.id}` }]
    if (email !== undefined) actions.push(this.planClaimEmail(email, user.id, staleEmailOwner))
    return actions
  }

  /** The claim on `email`; with `staleOwner`, it replaces that owner's stale claim instead of requiring none. */
  private planClaimEmail(email: string, userId: string, staleOwner?: string): WriteAction {
    return {
      kind: "put",
      item: { ...this.emailKey(email), type: ITEM_TYPES.emailLookup, email, userId },
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
    await this.withStaleClaimRepair(emailOf(user), (stale) => transact(this.table, this.planCreate(user, stale), "create user"))
    return definedChanges(user, [])
  }

  /**
   * The writes that apply `changes` to `current` (the user as stored now).
   * An email change moves the GSI1 keys and swaps the lookup items in the
   * same transaction; the update is conditioned on the email it replaces.
   */
  planUpdate(current: StoredRecord & { id: string }, changes: StoredRecord, staleEmailOwner?: string): WriteAction[] {
    const { names } = this.table
    const set = definedChanges(changes, ["id"])
    const oldEmail = emailOf(current)
    const emailChanges = "email" in set && emailOf(set) !== oldEmail
    const newEmail = emailOf(set)
    const remove: string[] = []
    if (emailChanges) {
      if (newEmail !== undefined) Object.assign(set, this.indexKeys(newEmail))
      else remove.push(names.indexPartitionKey, names.indexSortKey)
    }
    const update = setAndRemove(set, remove)
    if (!update) return []
    const guard = emailChanges
      ? both(
          itemPresent(names),
          oldEmail === undefined
            ? { expression: "attribute_not_exists(#e) OR #e = :null OR #e = :empty", names: { "#e": "email" }, values: { ":null": null, ":empty": "" } }
            : { expression: "#e = :e", names: { "#e": "email" }, values: { ":e": oldEmail } },
        )
      : itemPresent(names)
    const actions: WriteAction[] = [{ kind: "update", key: this.userKey(current.id), update, condition: guard, label: `update user ${current.id}` }]
    if (emailChanges) {
      if (oldEmail !== undefined) actions.push(this.planReleaseEmail(oldEmail, current.id))
      if (newEmail !== undefined) actions.push(this.planClaimEmail(newEmail, current.id, staleEmailOwner))
    }
    return actions
  }

  /**
   * Applies `changes` (stored form): `undefined` values are ignored, `null`
   * is stored as null, `id` cannot change. Throws NOT_FOUND, writing nothing,
   * when the user does not exist; EMAIL_EXISTS when the new email is taken.
   * One conditional UpdateItem; a GetItem plus one transaction when the email changes.
   */
  async update(id: string, changes: StoredRecord): Promise<StoredRecord> {
    const set = definedChanges(changes, ["id"])
    let current: StoredRecord | null = null
    if (Object.keys(set).length === 0 || "email" in set) {
      current = await this.get(id)
      if (!current) throw notFound(id)
      if (Object.keys(set).length === 0) return current
      if (emailOf(set) !== emailOf(current)) {
        const from = { ...current, id }
        await this.withStaleClaimRepair(emailOf(set), (stale) => transact(this.table, this.planUpdate(from, set, stale), "update user"))
        return { ...current, ...set }
      }
    }
    const [action] = this.planUpdate({ ...current, id }, set)
    try {
      const item = await this.table.write(action!, "update user")
      return this.toRecord(item ?? {})
    } catch (error) {
      if (isConditionFailure(error)) throw notFound(id)
      throw error
    }
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
    return current
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
    return user ? this.toRecord(user) : null
  }
}

function notFound(id: string): DynamoAuthAdapterError {
  return new DynamoAuthAdapterError("NOT_FOUND", `No user with id "${id}"; nothing was written. Create the user first, or check the id.`)
}
