/**
 * A request through Better Auth's HTTP handler with rate limiting on, its
 * counts kept by this library's rate-limit storage (`rateLimit.customStorage`).
 * The endpoint (`/ok`) reads nothing else, so the row shows the limiter's own
 * cost: one conditional UpdateItem. Each context is a client address of its
 * own, so no request is refused.
 */
import { randomInt } from "node:crypto"
import { betterAuth } from "better-auth"
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb"
import { dynamoRateLimitStorage, singleTableAdapter } from "../../src/better-auth/index.js"

export function createRateLimitedAuth(client: DynamoDBClient, tableName: string) {
  return betterAuth({
    secret: "a-benchmark-secret-that-is-long-enough-for-better-auth",
    baseURL: "http://localhost:3000",
    database: singleTableAdapter({ client, tableName }),
    rateLimit: { enabled: true, window: 60, max: 1_000, customStorage: dynamoRateLimitStorage({ client, tableName }) },
    logger: { disabled: true },
  })
}

type RateLimitedAuth = ReturnType<typeof createRateLimitedAuth>

export const rateLimitFlows = [
  {
    name: "Better Auth: rate-limited request",
    prepare: async (auth: RateLimitedAuth) => ({ auth, ip: `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}` }),
    async run({ auth, ip }: { auth: RateLimitedAuth; ip: string }) {
      const response = await auth.handler(new Request("http://localhost:3000/api/auth/ok", { headers: { "x-forwarded-for": ip } }))
      if (response.status !== 200) throw new Error(`rate-limited request answered ${response.status}`)
    },
  },
]
