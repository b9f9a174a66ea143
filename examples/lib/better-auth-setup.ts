/**
 * The Better Auth side of the examples: email + password, and the loopback
 * identity provider through the `genericOAuth` plugin, on the shared table.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb"
import { betterAuth } from "better-auth"
import { genericOAuth } from "better-auth/plugins/generic-oauth"
import { singleTableAdapter } from "../../src/better-auth/index.js"
import type { OidcIdp } from "../../test/support/oidc-idp.js"

/** The provider id both frameworks use for the loopback identity provider, so their account items are the same. */
export const IDP_PROVIDER_ID = "idp"

export interface BetterAuthSetupOptions {
  /** Where the app is served, e.g. `http://127.0.0.1:3000`. */
  origin: string
  client: DynamoDBClient
  tableName: string
  idp: OidcIdp
  /** Default `/api/auth`. */
  basePath?: string
}

export function createBetterAuth(options: BetterAuthSetupOptions) {
  return betterAuth({
    baseURL: options.origin,
    basePath: options.basePath ?? "/api/auth",
    // A fixed secret is fine for a local demo; a real app reads BETTER_AUTH_SECRET.
    secret: "example-better-auth-secret-0123456789abcdef",
    database: singleTableAdapter({ client: options.client, tableName: options.tableName }),
    emailAndPassword: { enabled: true },
    // A session read by its token comes with its user in one GetItem (the token item's copy of the user).
    advanced: { database: { joins: true } },
    user: { deleteUser: { enabled: true } },
    account: {
      // The loopback provider vouches for its emails, so signing in with it may join an account made with a password.
      accountLinking: { enabled: true, trustedProviders: [IDP_PROVIDER_ID] },
    },
    plugins: [
      genericOAuth({
        config: [
          {
            providerId: IDP_PROVIDER_ID,
            name: "Loopback IdP",
            discoveryUrl: options.idp.discoveryUrl,
            clientId: options.idp.clientId,
            clientSecret: options.idp.clientSecret,
            scopes: ["openid", "profile", "email"],
          },
        ],
      }),
    ],
  })
}

export type ExampleBetterAuth = ReturnType<typeof createBetterAuth>
