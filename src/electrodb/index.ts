/**
 * An ElectroDB `Service` over the table this library writes, for apps that
 * want to query their users, accounts, sessions and verification tokens with
 * ElectroDB itself, typed, with the same entities (and so the same key
 * templates) the adapters use.
 *
 * Read freely. Write through the adapters: they keep the lookup items (email,
 * provider account, session token) in step with the items they guard, which a
 * plain ElectroDB `put` does not.
 *
 * @example
 * ```ts
 * import { DynamoDBClient } from "@aws-sdk/client-dynamodb"
 * import { createAuthService } from "dynamodb-auth-adapter/electrodb"
 *
 * const auth = createAuthService(new DynamoDBClient({}), { tableName: "next-auth" })
 *
 * // A user by email (GSI1), then that user's sessions and accounts (one Query each on the user's partition).
 * const { data: [user] } = await auth.entities.users.query.byEmail({ email: "ada@example.com" }).go()
 * const { data: sessions } = await auth.entities.sessions.query.byUser({ userId: user!.id }).go()
 * const { data: accounts } = await auth.entities.accounts.query.byUser({ userId: user!.id }).go()
 *
 * // Who holds a provider account (GSI1). Account items keep the Auth.js account type in `type`, so ElectroDB
 * // cannot recognise them by it, and on an index query it must be told so: pass `ignoreOwnership: true`.
 * const { data: [account] } = await auth.entities.accounts.query
 *   .byProviderAccount({ provider: "github", providerAccountId: "42" })
 *   .go({ ignoreOwnership: true })
 * ```
 *
 * There is no ElectroDB collection (user and sessions in one query): ElectroDB
 * requires every member of a collection to key its partition on the same
 * attribute names, and the next-auth layout keys users on `id` but accounts
 * and sessions on `userId`.
 */
import { Service } from "electrodb"
import { toDocumentClient, type DynamoClientInput } from "../core/client/dynamo-client.js"
import {
  createAccountEntity,
  createSessionEntity,
  createUserEntity,
  createVerificationTokenEntity,
} from "../table/entities.js"
import { resolveTableNames, type TableNameOptions } from "../table/names.js"

/** The entities of the service, by name. */
export function createAuthEntities(client: DynamoClientInput, options: TableNameOptions = {}) {
  const names = resolveTableNames(options)
  const document = toDocumentClient(client)
  return {
    users: createUserEntity(names, document),
    accounts: createAccountEntity(names, document),
    sessions: createSessionEntity(names, document),
    verificationTokens: createVerificationTokenEntity(names, document),
  }
}

/**
 * The ElectroDB service over the table: `users` (`byId`, `byEmail` on GSI1),
 * `accounts` (`byUser`, `byProviderAccount` on GSI1), `sessions` (`byUser`,
 * `byToken` on GSI1) and `verificationTokens` (`byIdentifier`).
 *
 * @param client a `DynamoDBClient` or `DynamoDBDocumentClient`
 * @param options the table and key names (the `@auth/dynamodb-adapter` option names; defaults `next-auth`, `pk`/`sk`, `GSI1`, `GSI1PK`/`GSI1SK`)
 */
export function createAuthService(client: DynamoClientInput, options: TableNameOptions = {}) {
  return new Service(createAuthEntities(client, options))
}

export type AuthService = ReturnType<typeof createAuthService>
export type AuthEntities = ReturnType<typeof createAuthEntities>
