/**
 * Better Auth flows through `auth.api`, on this library's adapter. Password
 * hashing is replaced by a cheap stand-in so that the timings show the
 * database work, not scrypt. Joins are on, as the README recommends: a
 * session read by token then answers with its copy of the user.
 */
import { randomUUID } from "node:crypto"
import { betterAuth } from "better-auth"
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb"
import { singleTableAdapter } from "../../src/better-auth/index.js"

export function createBenchAuth(client: DynamoDBClient, tableName: string) {
  return betterAuth({
    secret: "a-benchmark-secret-that-is-long-enough-for-better-auth",
    baseURL: "http://localhost:3000",
    database: singleTableAdapter({ client, tableName }),
    emailAndPassword: {
      enabled: true,
      password: { hash: async (p) => `hashed:${p}`, verify: async ({ hash, password }) => hash === `hashed:${password}` },
    },
    advanced: { database: { joins: true } },
    logger: { disabled: true },
  })
}

export type BenchAuth = ReturnType<typeof createBenchAuth>

export interface BetterAuthContext {
  auth: BenchAuth
  email: string
  /** Cookie header of a signed-in session. */
  headers: Headers
}

function cookieHeader(headers: Headers): Headers {
  return new Headers({ cookie: headers.getSetCookie().map((c) => c.split(";")[0]!).join("; ") })
}

const password = "bench-password-123"

async function signedUp(auth: BenchAuth): Promise<BetterAuthContext> {
  const email = `${randomUUID().slice(0, 12)}@example.com`
  const { headers } = await auth.api.signUpEmail({ body: { email, password, name: "Bench" }, returnHeaders: true })
  return { auth, email, headers: cookieHeader(headers) }
}

const fresh = async (auth: BenchAuth): Promise<BetterAuthContext> => ({
  auth,
  email: `${randomUUID().slice(0, 12)}@example.com`,
  headers: new Headers(),
})

export const betterAuthFlows = [
  {
    name: "Better Auth: email sign-up",
    prepare: fresh,
    async run({ auth, email }: BetterAuthContext) {
      await auth.api.signUpEmail({ body: { email, password, name: "Bench" } })
    },
  },
  {
    name: "Better Auth: email sign-in",
    prepare: signedUp,
    async run({ auth, email }: BetterAuthContext) {
      await auth.api.signInEmail({ body: { email, password } })
    },
  },
  {
    name: "Better Auth: get session",
    prepare: signedUp,
    async run({ auth, headers }: BetterAuthContext) {
      const session = await auth.api.getSession({ headers, query: { disableCookieCache: true } })
      if (!session) throw new Error("no session")
    },
  },
  {
    name: "Better Auth: list sessions",
    prepare: signedUp,
    async run({ auth, headers }: BetterAuthContext) {
      await auth.api.listSessions({ headers })
    },
  },
  {
    name: "Better Auth: sign-out",
    prepare: signedUp,
    async run({ auth, headers }: BetterAuthContext) {
      await auth.api.signOut({ headers })
    },
  },
]
