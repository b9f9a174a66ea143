/**
 * The lookup items of users, accounts and sessions, built from the items
 * themselves, for code that adds them to a table written without them (the
 * `backfill` command over a table of `@auth/dynamodb-adapter`). Each write is
 * the same conditional put the stores make when they create the lookup
 * (`attribute_not_exists`), with the same item layout and claim label, so a
 * backfilled lookup cannot be told from one written at sign-up, and never
 * overwrites one that exists.
 */
import type { Item, ItemTable, Key, WriteAction } from "../client/table-client.js"
import { accountIdLookupKey, planPutAccountIdLookup } from "./account-id-lookup.js"
import { ITEM_TYPES, normalizeEmail, providerAccountOf } from "../../table/entities.js"
import { itemAbsent } from "./conditions.js"
import { toRecord } from "./stored-record.js"
import { claimLabel } from "./transactions.js"
import { UserDirectory } from "./user-directory.js"

/** A lookup item an item needs, and the conditional put that writes it. */
export interface PlannedLookup {
  kind: "email" | "account" | "accountId" | "session" | "directory"
  /** The user the lookup points to. */
  userId: string
  key: Key
  put: WriteAction
  /** Email lookups: the email as its user holds it (GSI1 keys it by this form; the claim by the normalized one). */
  email?: string
}

function keyOnly(table: ItemTable, keys: Record<string, string>): Key {
  const { partitionKey, sortKey } = table.names
  return { [partitionKey]: keys[partitionKey]!, [sortKey]: keys[sortKey]! }
}

/** The email lookup of a user (as `UserStore.create` writes it: keyed, and holding, the normalized email). */
export function planEmailLookup(table: ItemTable, email: string, userId: string): PlannedLookup {
  const normalized = normalizeEmail(email)
  const key = keyOnly(table, table.keysOf("emailLookup", { email: normalized }))
  return {
    kind: "email",
    userId,
    key,
    email,
    put: {
      kind: "put",
      item: { ...key, type: ITEM_TYPES.emailLookup, email: normalized, userId },
      condition: itemAbsent(table.names),
      label: claimLabel.email(normalized),
    },
  }
}

/** The account lookup of a provider account (as `AccountStore.create` writes it). */
export function planAccountLookup(table: ItemTable, provider: string, providerAccountId: string, userId: string): PlannedLookup {
  const key = keyOnly(table, table.keysOf("accountLookup", { providerAccount: providerAccountOf(provider, providerAccountId) }))
  return {
    kind: "account",
    userId,
    key,
    put: {
      kind: "put",
      item: { ...key, type: ITEM_TYPES.accountLookup, provider, providerAccountId, userId },
      condition: itemAbsent(table.names),
      label: claimLabel.account(provider, providerAccountId),
    },
  }
}

/**
 * The id lookup of an account (`ACCOUNT_ID#<id>`, as the Better Auth front-end
 * writes it), so Better Auth finds an account by id without a Scan; undefined
 * for an account without an id.
 */
export function planAccountIdLookup(table: ItemTable, account: Item & { userId: string }): PlannedLookup | undefined {
  const put = planPutAccountIdLookup(table.names, account)
  if (put?.kind !== "put" || typeof account.id !== "string") return undefined
  return {
    kind: "accountId",
    userId: account.userId,
    key: accountIdLookupKey(table.names, account.id),
    put: { ...put, condition: itemAbsent(table.names) },
  }
}

/** The token item of a session item: a copy of every session attribute (as `SessionStore.create` writes it). */
export function planSessionTokenItem(table: ItemTable, session: Item & { sessionToken: string; userId: string }): PlannedLookup {
  const key = keyOnly(table, table.keysOf("sessionToken", { sessionToken: session.sessionToken }))
  return {
    kind: "session",
    userId: session.userId,
    key,
    put: {
      kind: "put",
      item: { ...key, type: ITEM_TYPES.sessionToken, ...toRecord(session, table.names) },
      condition: itemAbsent(table.names),
      label: "put session token item",
    },
  }
}

/** The user directory entry of a user (as `UserStore.create` writes it), so the adapters list users without a Scan. */
export function planDirectoryEntry(table: ItemTable, userId: string): PlannedLookup {
  const add = new UserDirectory(table).planAdd(userId)
  const key = new UserDirectory(table).entryKey(userId)
  return { kind: "directory", userId, key, put: { ...add, condition: itemAbsent(table.names) } }
}
