/**
 * A Better Auth instance on a test table: email and password with a cheap
 * stand-in for the password hash (the tests time and count database work,
 * not scrypt), logger off. `extra` adds or replaces options.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb"
import { betterAuth, type BetterAuthOptions } from "better-auth"
import { singleTableAdapter } from "../../src/better-auth/index.js"

export function testBetterAuth(client: DynamoDBClient, tableName: string, extra: Partial<BetterAuthOptions> = {}) {
  return betterAuth({
    secret: "a-test-secret-that-is-long-enough-for-better-auth",
    baseURL: "http://localhost:3000",
    database: singleTableAdapter({ client, tableName }),
    emailAndPassword: { enabled: true, password: { hash: async (p) => `hashed:${p}`, verify: async ({ hash, password }) => hash === `hashed:${password}` } },
    logger: { disabled: true },
    ...extra,
  })
}

/** The `cookie` request header that sends back every cookie a response set. */
export function cookieHeader(headers: Headers): Headers {
  return new Headers({ cookie: headers.getSetCookie().map((c) => c.split(";")[0]!).join("; ") })
}
