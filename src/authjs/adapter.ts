/**
 * `DynamoDBAdapter`: the Auth.js `Adapter` over the shared identity stores.
 * A drop-in for `@auth/dynamodb-adapter` (same options, same items, same
 * return values) that keeps emails and provider accounts unique, deletes
 * users completely, uses verification tokens once and never leaks key
 * attributes. It builds no DynamoDB request itself.
 */
import type { Adapter, AdapterAccount, AdapterAuthenticator, AdapterSession, AdapterUser, VerificationToken } from "@auth/core/adapters"
import type { DynamoClientInput } from "../core/client/dynamo-client.js"
import type { Logger } from "../core/logger.js"
import { resolveDebugLogs, type DebugLogsOption } from "../core/debug-logs.js"
import { createIdentityStores, directScope, IdentityState, isExpired } from "../core/identity/index.js"
import { checkLegacyItems, type LegacyItems } from "../core/identity/table-mode.js"
import { isPasswordAccount, PASSWORD_PROVIDER } from "../core/identity/account-store.js"
import { TableClient } from "../core/client/table-client.js"
import { resolveTableNames, type TableNameOptions } from "../table/names.js"
import {
  toAdapterAccount,
  toAdapterAuthenticator,
  toAdapterSession,
  toAdapterUser,
  toStoredAccount,
  toStoredAuthenticator,
  toStoredSession,
  toStoredUser,
  toStoredVerificationToken,
  toVerificationToken,
} from "./shapes.js"

/**
 * The options of `@auth/dynamodb-adapter` (`tableName`, `partitionKey`,
 * `sortKey`, `indexName`, `indexPartitionKey`, `indexSortKey`, with the same
 * defaults), plus a `logger` for warnings such as a lookup item that could
 * not be back-filled.
 */
export interface DynamoDBAdapterOptions extends TableNameOptions {
  /** Where warnings (and debug output, when `debugLogs` is on) go. Default: the console. */
  logger?: Logger
  /** Log every DynamoDB request (command, table, index, key condition, consumed capacity; never values). Off by default. */
  debugLogs?: DebugLogsOption
  /**
   * Whether the table may hold items written by `@auth/dynamodb-adapter`,
   * which lack this library's lookup items; on such a table a lookup miss
   * (getUserByAccount, getAccount, getSessionAndUser, …) is confirmed through
   * GSI1 before the answer is "none".
   * - `"auto"` (default): the table's metadata item decides. `createTable`
   *   writes it on a table it creates, an adapter on a table it finds empty
   *   (tables made by IaC or a plain CreateTable), `backfill --mark-complete`
   *   on a legacy table once every lookup is written; without it, misses fall back.
   *   Read once per adapter (re-read at most every 5 minutes while missing).
   * - `"none"`: never fall back: one GetItem per miss.
   * - `"present"`: always fall back, and never mark an empty table: while the
   *   official adapter still writes to the table, even one that has the metadata item.
   */
  legacyItems?: LegacyItems
}

function newId(): string {
  return globalThis.crypto.randomUUID()
}

/**
 * The Auth.js adapter. `client` is a `DynamoDBDocument` /
 * `DynamoDBDocumentClient` (as `@auth/dynamodb-adapter` takes) or a plain
 * `DynamoDBClient`.
 *
 * Errors are `DynamoAuthAdapterError`s: `EMAIL_EXISTS` (createUser, or an
 * email change, to a taken email), `ACCOUNT_EXISTS` (linkAccount of a
 * provider account another user has), `NOT_FOUND` (updateUser of an unknown
 * id, updateAuthenticatorCounter of an unknown credential), `MISSING_TABLE`,
 * `MISSING_INDEX`, `ITEM_TOO_LARGE`.
 */
export function DynamoDBAdapter(client: DynamoClientInput, options: DynamoDBAdapterOptions = {}) {
  const { logger, debugLogs, legacyItems, ...nameOptions } = options
  const logs = resolveDebugLogs({ ...(debugLogs !== undefined ? { debugLogs } : {}), ...(logger ? { logger } : {}) })
  const table = new TableClient({ names: resolveTableNames(nameOptions), client, logger: logs.logger, logRequests: logs.logRequests })
  // This adapter's own state (what the table says about itself, the users it saw last), passed to every store.
  const state = new IdentityState(table, checkLegacyItems(legacyItems))
  const { users, accounts, sessions, verificationTokens, authenticators } = createIdentityStores(directScope(table, state))

  /** The account of a provider account as Auth.js may see it: never Better Auth's password account. */
  async function providerAccount(provider: string, providerAccountId: string) {
    const account = await accounts.getByProviderAccount(provider, providerAccountId)
    return account && !isPasswordAccount(account) ? account : null
  }

  const adapter = {
    async createUser(user: AdapterUser): Promise<AdapterUser> {
      const id = typeof user.id === "string" && user.id !== "" ? user.id : newId()
      const created = await users.create({ ...toStoredUser(user), id })
      return toAdapterUser(created.user)
    },

    async getUser(id: string): Promise<AdapterUser | null> {
      const user = await users.get(id)
      return user ? toAdapterUser(user.user) : null
    },

    async getUserByEmail(email: string): Promise<AdapterUser | null> {
      const user = await users.getByEmail(email)
      return user ? toAdapterUser(user.user) : null
    },

    async getUserByAccount({ provider, providerAccountId }: Pick<AdapterAccount, "provider" | "providerAccountId">): Promise<AdapterUser | null> {
      if (provider === PASSWORD_PROVIDER) {
        // Better Auth's password accounts live under this provider id, keyed by the user id: the account decides.
        const account = await providerAccount(provider, providerAccountId)
        const user = account ? await users.get(String(account.userId)) : null
        return user ? toAdapterUser(user.user) : null
      }
      // The claim's copy of the user, when it has one: one GetItem in all.
      const user = await accounts.ownerUser(provider, providerAccountId)
      return user ? toAdapterUser(user.user) : null
    },

    async updateUser({ id, ...changes }: Partial<AdapterUser> & Pick<AdapterUser, "id">): Promise<AdapterUser> {
      return toAdapterUser((await users.update(id, toStoredUser(changes))).user)
    },

    async deleteUser(id: string): Promise<AdapterUser | null> {
      const deleted = await users.delete(id)
      return deleted ? toAdapterUser(deleted.user) : null
    },

    async linkAccount(account: AdapterAccount): Promise<AdapterAccount> {
      // Like the official adapter: a fresh id is stored, the input is returned.
      const stored = toStoredAccount({ ...account, id: newId() })
      await accounts.create(stored as typeof stored & { userId: string; provider: string; providerAccountId: string })
      return account
    },

    async unlinkAccount({ provider, providerAccountId }: Pick<AdapterAccount, "provider" | "providerAccountId">): Promise<AdapterAccount | undefined> {
      if (provider === PASSWORD_PROVIDER && !(await providerAccount(provider, providerAccountId))) return undefined
      const deleted = await accounts.delete(provider, providerAccountId)
      return deleted ? toAdapterAccount(deleted) : undefined
    },

    async getAccount(providerAccountId: string, provider: string): Promise<AdapterAccount | null> {
      const account = await providerAccount(provider, providerAccountId)
      return account ? toAdapterAccount(account) : null
    },

    async createSession(session: { sessionToken: string; userId: string; expires: Date }): Promise<AdapterSession> {
      const withId = { id: newId(), ...session }
      await sessions.create(toStoredSession(withId) as { sessionToken: string; userId: string })
      return withId
    },

    async getSessionAndUser(sessionToken: string): Promise<{ session: AdapterSession; user: AdapterUser } | null> {
      const found = await sessions.read(sessionToken)
      if (!found) return null
      if (isExpired(found.session)) {
        await sessions.delete(sessionToken, found.session)
        return null
      }
      // The token item's copy of the user when it can be trusted (one GetItem in all), else the user item.
      const user = await sessions.userOf(found)
      if (!user) return null
      return { session: toAdapterSession(found.session), user: toAdapterUser(user.user) }
    },

    async updateSession({ sessionToken, ...changes }: Partial<AdapterSession> & Pick<AdapterSession, "sessionToken">): Promise<AdapterSession | null> {
      const updated = await sessions.update(sessionToken, toStoredSession(changes))
      return updated ? toAdapterSession(updated) : null
    },

    async deleteSession(sessionToken: string): Promise<AdapterSession | null> {
      const deleted = await sessions.delete(sessionToken)
      return deleted ? toAdapterSession(deleted) : null
    },

    async createVerificationToken(token: VerificationToken): Promise<VerificationToken> {
      await verificationTokens.create(toStoredVerificationToken(token))
      return token
    },

    async useVerificationToken({ identifier, token }: { identifier: string; token: string }): Promise<VerificationToken | null> {
      const used = await verificationTokens.use(identifier, token)
      return used ? toVerificationToken(used) : null
    },

    async createAuthenticator(authenticator: AdapterAuthenticator): Promise<AdapterAuthenticator> {
      return toAdapterAuthenticator(await authenticators.create(toStoredAuthenticator(authenticator)))
    },

    async getAuthenticator(credentialID: string): Promise<AdapterAuthenticator | null> {
      const authenticator = await authenticators.get(credentialID)
      return authenticator ? toAdapterAuthenticator(authenticator) : null
    },

    async listAuthenticatorsByUserId(userId: string): Promise<AdapterAuthenticator[]> {
      return (await authenticators.listByUser(userId)).map(toAdapterAuthenticator)
    },

    async updateAuthenticatorCounter(credentialID: string, counter: number): Promise<AdapterAuthenticator> {
      return toAdapterAuthenticator(await authenticators.updateCounter(credentialID, counter))
    },
  } satisfies Adapter
  return adapter
}

/** What `DynamoDBAdapter` returns: an Auth.js `Adapter` with every method present and Promise-returning. */
export type DynamoDBAuthjsAdapter = ReturnType<typeof DynamoDBAdapter>
