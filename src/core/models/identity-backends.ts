/**
 * User, account and session as `ModelBackend`s over the identity stores, so
 * that the planner reads them through their keys and lookup items and every
 * write keeps the items Auth.js reads in step. Records are in stored form
 * (names of `field-map.ts`).
 */
import { ITEM_TYPES } from "../../table/entities.js"
import type { AccessPath } from "../planner/types.js"
import {
  createIdentityStores,
  toRecord,
  transact,
  userRecordOf,
  type IdentityScope,
  type NewStoredAccount,
  type NewStoredSession,
  type NewStoredUser,
  type StoredSession,
  type VersionedUser,
} from "../identity/index.js"
import type { Expression, Item } from "../client/table-client.js"
import { DynamoAuthAdapterError } from "../errors.js"
import type { ModelBackend, StoredRecord } from "./model-backend.js"
import { findAccountById } from "../identity/account-id-lookup.js"
import { UniqueClaims, uniqueValueOf } from "../identity/unique-claims.js"
import { listDirectoryUsers } from "../identity/user-directory.js"

function typeIs(kind: string): Expression {
  return { expression: "#type = :type", names: { "#type": "type" }, values: { ":type": kind } }
}

function str(value: unknown): string {
  return String(value)
}

function changed(current: StoredRecord, changes: StoredRecord): StoredRecord {
  const out: StoredRecord = {}
  for (const [attribute, value] of Object.entries(changes)) {
    if (value === undefined) continue
    if (JSON.stringify(current[attribute] ?? null) !== JSON.stringify(value)) out[attribute] = value
  }
  return out
}

function isNotFound(error: unknown): boolean {
  return error instanceof DynamoAuthAdapterError && error.code === "NOT_FOUND"
}

/** The user record of a read: what the planner filters and Better Auth receives. */
function recordOf(found: VersionedUser | null): StoredRecord[] {
  return found ? [found.user] : []
}

/**
 * The trusted copy of its user that a session record read by token carries
 * for a join (see `sessionBackend.joined`): a property of the record the
 * session path returns, not a map beside it.
 */
const JOINED_USER = Symbol("the session's trusted copy of its user")
type SessionWithUser = StoredRecord & { [JOINED_USER]?: StoredRecord }

export const userBackend: ModelBackend = {
  model: "user",
  paths(scope: IdentityScope): AccessPath[] {
    const { table } = scope
    const users = createIdentityStores(scope).users
    const record = (item: Item) => userRecordOf(item, table.names)
    return [
      { kind: "get", description: "GetItem USER#<id>", keyFields: ["id"], fetch: async (k) => recordOf(await users.get(str(k.id))) },
      {
        kind: "batchGet",
        description: "BatchGetItem USER#<id>…",
        keyFields: ["id"],
        fetch: async (k) => (await table.batchGet((k.id as unknown[]).map((id) => table.keysOf("user", { id: str(id) })), "get users")).map(record),
      },
      {
        kind: "query",
        description: "GetItem EMAIL#<email> lookup with its copy of the user (GSI1 Query first on a legacy table)",
        keyFields: ["email"],
        // The claim is keyed by the normalized email: an insensitive eq is answered by it too (re-checked, so a sensitive eq stays exact).
        caseInsensitiveKeys: ["email"],
        fetch: async (k) => recordOf(await users.getByEmail(str(k.email))),
      },
      // Each unique field (username, phoneNumber): its claim, then the user by key, checked to still hold the value.
      ...(scope.uniqueUserFields ?? [])
        .filter((field) => field !== "email")
        .map(
          (field): AccessPath => ({
            kind: "get",
            description: `GetItem UNIQUE#USER#${field}#<value> claim, then the user`,
            keyFields: [field],
            fetch: async (k) => {
              const value = uniqueValueOf("user", ITEM_TYPES.user, [field], k)
              const owner = value && (await new UniqueClaims(table.names).ownerOf(table, value, `get user by ${field}`))
              const found = owner ? await users.get(owner.id) : null
              return found && String(found.user[field]) === String(k[field]) ? [found.user] : []
            },
          }),
        ),
      // Every user (a listing, a search, a count): from the user directory where every user has its entry, else the Scan below.
      {
        kind: "list",
        description: "Query USER_DIRECTORY#0…3, then BatchGetItem USER#<id>…",
        keyFields: [],
        complete: () => scope.state.mode.directoryComplete(),
        incompleteAdvice:
          "Users are listed from the user directory once every user has its entry: run `backfill --mark-complete` once @auth/dynamodb-adapter no longer writes to the table (its users have no entry).",
        fetch: async () => (await listDirectoryUsers(table)).map(record),
      },
      { kind: "scan", description: "Scan type = USER", keyFields: [], fetch: async () => (await table.scanAll(typeIs(ITEM_TYPES.user), "scan users")).map(record) },
    ]
  },
  async create(scope, record) {
    return (await createIdentityStores(scope).users.create(record as NewStoredUser)).user
  },
  async update(scope, current, changes) {
    const diff = changed(current, changes)
    if (Object.keys(diff).length === 0) return current
    try {
      return { ...current, ...(await createIdentityStores(scope).users.update(str(current.id), diff)).user }
    } catch (error) {
      if (isNotFound(error)) return undefined
      throw error
    }
  },
  async remove(scope, current) {
    // Everything of the user goes with it, as SQL's ON DELETE CASCADE does (sessions, accounts, Auth.js authenticators).
    return (await createIdentityStores(scope).users.delete(str(current.id)))?.user ?? undefined
  },
}

async function scanAccounts({ table }: IdentityScope): Promise<StoredRecord[]> {
  const { names } = table
  const items = await table.scanAll(
    {
      expression: "begins_with(#pk, :user) AND begins_with(#sk, :account)",
      names: { "#pk": names.partitionKey, "#sk": names.sortKey },
      values: { ":user": "USER#", ":account": "ACCOUNT#" },
    },
    "scan accounts",
  )
  return items.map((item) => toRecord(item, names, true))
}

export const accountBackend: ModelBackend = {
  model: "account",
  paths(scope: IdentityScope): AccessPath[] {
    const accounts = createIdentityStores(scope).accounts
    return [
      {
        kind: "get",
        description: "GetItem USER#<userId> ACCOUNT#<provider>#<providerAccountId>",
        keyFields: ["userId", "provider", "providerAccountId"],
        fetch: async (k) => [await accounts.get(str(k.userId), str(k.provider), str(k.providerAccountId))].filter((r) => r !== null),
      },
      {
        kind: "get",
        description: "GetItem ACCOUNT#<provider>#<providerAccountId> lookup, then the account",
        keyFields: ["provider", "providerAccountId"],
        fetch: async (k) => [await accounts.getByProviderAccount(str(k.provider), str(k.providerAccountId))].filter((r) => r !== null),
      },
      {
        kind: "get",
        description: "GetItem ACCOUNT_ID#<id> lookup, then the account",
        keyFields: ["id"],
        fetch: async (k) => findAccountById(scope.table, str(k.id), accounts, scope.state.mode, () => scanAccounts(scope)),
      },
      {
        kind: "query",
        description: "Query USER#<userId> begins_with ACCOUNT#",
        keyFields: ["userId"],
        fetch: async (k) => accounts.listByUser(str(k.userId)),
      },
      {
        kind: "scan",
        description: "Scan accounts",
        keyFields: [],
        fetch: async () => scanAccounts(scope),
      },
    ]
  },
  async create(scope, record) {
    const account = { ...record }
    // Auth.js needs an account type; Better Auth has none.
    if (account.type === undefined) account.type = account.provider === "credential" ? "credentials" : "oauth"
    // The store writes the account's id lookup too, and a copy of the user in its provider-account claim.
    await createIdentityStores(scope).accounts.create(account as NewStoredAccount)
    return account
  },
  async update(scope, current, changes) {
    const diff = changed(current, changes)
    if (Object.keys(diff).length === 0) return current
    const moved = ["userId", "provider", "providerAccountId"].some((attribute) => attribute in diff)
    const accounts = createIdentityStores(scope).accounts
    if (moved) {
      // The key changes: the account moves (a new item and claim, the old ones released) in one transaction.
      const next = { ...current, ...diff } as NewStoredAccount
      await accounts.move(current as NewStoredAccount, next)
      return next
    }
    try {
      return { ...current, ...(await accounts.update(str(current.userId), str(current.provider), str(current.providerAccountId), diff)) }
    } catch (error) {
      if (isNotFound(error)) return undefined
      throw error
    }
  },
  async remove(scope, current) {
    // `current` was just read; the deletes are unconditional, so a concurrent delete is harmless.
    const actions = createIdentityStores(scope).accounts.planDelete(str(current.userId), str(current.provider), str(current.providerAccountId), current.id)
    await transact(scope.table, actions, "delete account")
    return current
  },
}

export const sessionBackend: ModelBackend = {
  model: "session",
  paths(scope: IdentityScope): AccessPath[] {
    const { table } = scope
    const sessions = createIdentityStores(scope).sessions
    return [
      {
        kind: "get",
        description: "GetItem SESSION#<token>",
        keyFields: ["sessionToken"],
        fetch: async (k) => {
          const found = await sessions.read(str(k.sessionToken))
          if (!found) return []
          const record: SessionWithUser = { ...found.session }
          if (found.user) record[JOINED_USER] = found.user.user
          return [record]
        },
      },
      {
        kind: "batchGet",
        description: "BatchGetItem SESSION#<token>…",
        keyFields: ["sessionToken"],
        // Token items (confirmed by their session items where the official adapter may write), GSI1 for sessions without one.
        fetch: async (k) => sessions.readMany((k.sessionToken as unknown[]).map(str)),
      },
      {
        kind: "query",
        description: "Query USER#<userId> begins_with SESSION#",
        keyFields: ["userId"],
        fetch: async (k) => sessions.listByUser(str(k.userId)),
      },
      {
        kind: "scan",
        description: "Scan type = SESSION",
        keyFields: [],
        fetch: async () => (await table.scanAll(typeIs(ITEM_TYPES.session), "scan sessions")).map((item) => toRecord(item, table.names)),
      },
    ]
  },
  async create(scope, record) {
    return createIdentityStores(scope).sessions.create(record as NewStoredSession)
  },
  joined(current, model, on) {
    // A session read by token carries a trusted copy of its user: the join needs no read.
    if (model !== "user" || on.from !== "userId" || on.to !== "id") return undefined
    return (current as SessionWithUser)[JOINED_USER]
  },
  async update(scope, current, changes) {
    const diff = changed(current, changes)
    if (Object.keys(diff).length === 0) return current
    const sessions = createIdentityStores(scope).sessions
    if ("sessionToken" in diff || "userId" in diff) {
      const next = { ...current, ...diff } as NewStoredSession
      return sessions.move(current as StoredSession, next)
    }
    return (await sessions.update(str(current.sessionToken), diff)) ?? undefined
  },
  async remove(scope, current) {
    return (await createIdentityStores(scope).sessions.delete(str(current.sessionToken), current as StoredSession)) ?? undefined
  },
}

export const IDENTITY_BACKENDS = { user: userBackend, account: accountBackend, session: sessionBackend } as const
