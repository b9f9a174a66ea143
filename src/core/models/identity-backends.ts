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
  userSnapshotOf,
  type NewStoredAccount,
  type NewStoredSession,
  type NewStoredUser,
  type StoredSession,
} from "../identity/index.js"
import type { Expression, ItemTable } from "../table-client.js"
import { DynamoAuthAdapterError } from "../errors.js"
import type { ModelBackend, StoredRecord } from "./model-backend.js"
import { findAccountById } from "./account-id-lookup.js"

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

export const userBackend: ModelBackend = {
  model: "user",
  paths(table: ItemTable): AccessPath[] {
    const users = createIdentityStores(table).users
    const record = (item: Record<string, unknown>) => userRecordOf(item, table)
    return [
      { kind: "get", description: "GetItem USER#<id>", keyFields: ["id"], fetch: async (k) => [await users.get(str(k.id))].filter((r) => r !== null) },
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
        fetch: async (k) => [await users.getByEmail(str(k.email))].filter((r) => r !== null),
      },
      { kind: "scan", description: "Scan type = USER", keyFields: [], fetch: async () => (await table.scanAll(typeIs(ITEM_TYPES.user), "scan users")).map(record) },
    ]
  },
  async create(table, record) {
    return createIdentityStores(table).users.create(record as NewStoredUser)
  },
  async update(table, current, changes) {
    const diff = changed(current, changes)
    if (Object.keys(diff).length === 0) return current
    try {
      return { ...current, ...(await createIdentityStores(table).users.update(str(current.id), diff)) }
    } catch (error) {
      if (isNotFound(error)) return undefined
      throw error
    }
  },
  async remove(table, current) {
    return (await createIdentityStores(table).users.delete(str(current.id))) ?? undefined
  },
}

async function scanAccounts(table: ItemTable): Promise<StoredRecord[]> {
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
  paths(table: ItemTable): AccessPath[] {
    const accounts = createIdentityStores(table).accounts
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
        fetch: async (k) => findAccountById(table, str(k.id), accounts, () => scanAccounts(table)),
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
        fetch: async () => scanAccounts(table),
      },
    ]
  },
  async create(table, record) {
    const account = { ...record }
    // Auth.js needs an account type; Better Auth has none.
    if (account.type === undefined) account.type = account.provider === "credential" ? "credentials" : "oauth"
    // The store writes the account's id lookup too, and a copy of the user in its provider-account claim.
    await createIdentityStores(table).accounts.create(account as NewStoredAccount)
    return account
  },
  async update(table, current, changes) {
    const diff = changed(current, changes)
    if (Object.keys(diff).length === 0) return current
    const moved = ["userId", "provider", "providerAccountId"].some((attribute) => attribute in diff)
    const accounts = createIdentityStores(table).accounts
    if (moved) {
      // The key changes: the account moves (a new item and claim, the old ones released) in one transaction.
      const next = { ...current, ...diff } as NewStoredAccount
      const actions = [
        // Same id: the new account's id lookup put replaces the old one in place (one action per item).
        ...accounts.planDelete(str(current.userId), str(current.provider), str(current.providerAccountId), current.id === next.id ? undefined : current.id),
        ...accounts.planCreate(next),
      ]
      await transact(table, actions, "move account")
      return next
    }
    try {
      return { ...current, ...(await accounts.update(str(current.userId), str(current.provider), str(current.providerAccountId), diff)) }
    } catch (error) {
      if (isNotFound(error)) return undefined
      throw error
    }
  },
  async remove(table, current) {
    // `current` was just read; the deletes are unconditional, so a concurrent delete is harmless.
    const accounts = createIdentityStores(table).accounts
    const actions = accounts.planDelete(str(current.userId), str(current.provider), str(current.providerAccountId), current.id)
    await transact(table, actions, "delete account")
    return current
  },
}

export const sessionBackend: ModelBackend = {
  model: "session",
  paths(table: ItemTable): AccessPath[] {
    const sessions = createIdentityStores(table).sessions
    return [
      {
        kind: "get",
        description: "GetItem SESSION#<token>",
        keyFields: ["sessionToken"],
        fetch: async (k) => [await sessions.getByToken(str(k.sessionToken))].filter((r) => r !== null),
      },
      {
        kind: "batchGet",
        description: "BatchGetItem SESSION#<token>…",
        keyFields: ["sessionToken"],
        fetch: async (k) => {
          const tokens = (k.sessionToken as unknown[]).map(str)
          const items = await table.batchGet(tokens.map((sessionToken) => table.keysOf("sessionToken", { sessionToken })), "get sessions")
          const found = await Promise.all(items.map((item) => sessions.fromTokenItem(item)))
          // Sessions written by the official adapter have no token item: look those up one by one.
          const missing = tokens.filter((token) => !found.some((r) => r.sessionToken === token))
          const legacy = await Promise.all(missing.map((token) => sessions.getWithoutTokenItem(token)))
          return [...found, ...legacy.filter((r) => r !== null)]
        },
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
  async create(table, record) {
    return createIdentityStores(table).sessions.create(record as NewStoredSession)
  },
  joined(current, model, on) {
    // A session read by token carries a trusted copy of its user: the join needs no read.
    if (model !== "user" || on.from !== "userId" || on.to !== "id") return undefined
    return userSnapshotOf(current)
  },
  async update(table, current, changes) {
    const diff = changed(current, changes)
    if (Object.keys(diff).length === 0) return current
    const sessions = createIdentityStores(table).sessions
    if ("sessionToken" in diff || "userId" in diff) {
      const next = { ...current, ...diff } as NewStoredSession
      await table.transactWrite([...sessions.planDelete(str(current.userId), str(current.sessionToken)), ...sessions.planCreate(next)], "move session")
      return next
    }
    return (await sessions.update(str(current.sessionToken), diff)) ?? undefined
  },
  async remove(table, current) {
    return (await createIdentityStores(table).sessions.delete(str(current.sessionToken), current as StoredSession)) ?? undefined
  },
}

export const IDENTITY_BACKENDS = { user: userBackend, account: accountBackend, session: sessionBackend } as const
