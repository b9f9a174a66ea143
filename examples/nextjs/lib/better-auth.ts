/**
 * Better Auth on the same table, under `/api/auth`, with the same identity
 * provider through the `genericOAuth` plugin.
 */
import { betterAuth } from "better-auth"
import { nextCookies } from "better-auth/next-js"
import { genericOAuth } from "better-auth/plugins/generic-oauth"
import { singleTableAdapter } from "dynamodb-auth-adapter/better-auth"
import { client, tableName } from "./dynamodb"
import { IDP_PROVIDER_ID, oidc } from "./identity-provider"

// `BETTER_AUTH_SECRET` and `BETTER_AUTH_URL` are read from the environment.
export const betterAuthInstance = betterAuth({
  database: singleTableAdapter({ client, tableName }),
  // A session read by its token comes with its user in one GetItem.
  advanced: { database: { joins: true } },
  account: {
    // Sign-ins through this provider join the user Auth.js made for the same email.
    accountLinking: { enabled: true, trustedProviders: [IDP_PROVIDER_ID] },
  },
  plugins: [
    genericOAuth({
      config: [
        {
          providerId: IDP_PROVIDER_ID,
          discoveryUrl: `${oidc.issuer}/.well-known/openid-configuration`,
          clientId: oidc.clientId,
          clientSecret: oidc.clientSecret,
          scopes: ["openid", "profile", "email"],
        },
      ],
    }),
    // Lets server actions that call `betterAuthInstance.api.*` set and clear cookies. Keep it last.
    nextCookies(),
  ],
})
