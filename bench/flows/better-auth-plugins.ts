/**
 * Hot paths of Better Auth's popular plugins, on this library's adapter:
 * get session with the jwt plugin (its key set is read on every call),
 * username sign-in, listing an organization's members, and a request
 * counted by the database rate limiter (over HTTP: Better Auth limits
 * `auth.handler` requests only). The apiKey plugin is the separate
 * `@better-auth/api-key` package in 1.7, not installed here: no API-key row.
 */
import { randomUUID } from "node:crypto"
import { betterAuth } from "better-auth"
import { jwt, organization, username } from "better-auth/plugins"
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb"
import { singleTableAdapter } from "../../src/better-auth/index.js"

export function createPluginBenchAuth(client: DynamoDBClient, tableName: string) {
  return betterAuth({
    secret: "a-benchmark-secret-that-is-long-enough-for-better-auth",
    baseURL: "http://localhost:3000",
    database: singleTableAdapter({ client, tableName, scans: "refuse" }),
    emailAndPassword: {
      enabled: true,
      password: { hash: async (p) => `hashed:${p}`, verify: async ({ hash, password }) => hash === `hashed:${password}` },
    },
    advanced: { database: { joins: true } },
    // High enough never to refuse a benchmark request: the row is counted, not hit.
    rateLimit: { enabled: true, storage: "database", window: 60, max: 1_000_000 },
    logger: { disabled: true },
    plugins: [username(), organization(), jwt()],
  })
}

export type PluginBenchAuth = ReturnType<typeof createPluginBenchAuth>

export interface PluginContext {
  auth: PluginBenchAuth
  username: string
  headers: Headers
  organizationId: string
  /** The client address the rate limiter keys this flow's requests by. */
  ip: string
}

function cookieHeader(headers: Headers): Headers {
  return new Headers({ cookie: headers.getSetCookie().map((c) => c.split(";")[0]!).join("; ") })
}

const password = "bench-password-123"

async function prepared(auth: PluginBenchAuth): Promise<PluginContext> {
  const name = `u${randomUUID().replace(/-/g, "").slice(0, 12)}`
  const { headers } = await auth.api.signUpEmail({ body: { email: `${name}@example.com`, password, name: "Bench", username: name }, returnHeaders: true })
  const cookies = cookieHeader(headers)
  const org = await auth.api.createOrganization({ body: { name: "Bench", slug: name }, headers: cookies })
  // The key set exists before the timed part (the first token creates it).
  await auth.api.getToken({ headers: cookies })
  const octet = () => Math.floor(Math.random() * 250) + 1
  const ip = `10.${octet()}.${octet()}.${octet()}`
  // The limiter's row for this address exists: the timed request is the common case, an increment.
  await limitedRequest(auth, ip)
  return { auth, username: name, headers: cookies, organizationId: org!.id, ip }
}

async function limitedRequest(auth: PluginBenchAuth, ip: string): Promise<void> {
  const response = await auth.handler(new Request("http://localhost:3000/api/auth/ok", { headers: { "x-forwarded-for": ip } }))
  if (response.status !== 200) throw new Error(`status ${response.status}`)
}

export const betterAuthPluginFlows = [
  {
    name: "Better Auth + jwt: get session",
    prepare: prepared,
    async run({ auth, headers }: PluginContext) {
      const session = await auth.api.getSession({ headers, query: { disableCookieCache: true } })
      if (!session) throw new Error("no session")
    },
  },
  {
    name: "Better Auth + username: sign-in",
    prepare: prepared,
    async run({ auth, username: name }: PluginContext) {
      await auth.api.signInUsername({ body: { username: name, password } })
    },
  },
  {
    name: "Better Auth + organization: list members",
    prepare: prepared,
    async run({ auth, headers, organizationId }: PluginContext) {
      const { members } = await auth.api.listMembers({ query: { organizationId }, headers })
      if (members.length !== 1) throw new Error("expected the owner")
    },
  },
  {
    name: "Better Auth: rate-limited request (database storage, HTTP)",
    prepare: prepared,
    async run({ auth, ip }: PluginContext) {
      await limitedRequest(auth, ip)
    },
  },
]
