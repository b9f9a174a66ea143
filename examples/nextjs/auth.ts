/**
 * Auth.js (next-auth v5) on the shared table, under `/auth` (Better Auth has
 * `/api/auth`). Database sessions: the session is an item in the table, read
 * by its token.
 */
import NextAuth from "next-auth"
import { DynamoDBAdapter } from "dynamodb-auth-adapter/authjs"
import { client, tableName } from "./lib/dynamodb"
import { IDP_PROVIDER_ID, oidc } from "./lib/identity-provider"

export const { handlers, auth, signIn, signOut } = NextAuth({
  basePath: "/auth",
  adapter: DynamoDBAdapter(client, { tableName }),
  session: { strategy: "database" },
  // `AUTH_SECRET` is read from the environment; `trustHost` because the app runs behind whatever Host the browser sends.
  trustHost: true,
  providers: [
    {
      id: IDP_PROVIDER_ID,
      name: "Loopback IdP",
      type: "oidc",
      issuer: oidc.issuer,
      clientId: oidc.clientId,
      clientSecret: oidc.clientSecret,
    },
  ],
  callbacks: {
    // A database session knows its user: put the user id where the page can show it.
    session({ session, user }) {
      return { ...session, user: { ...session.user, id: user.id } }
    },
  },
})
