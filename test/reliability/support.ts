/**
 * Helpers shared by the reliability suite: a Better Auth instance on a test
 * table, a tally of how concurrent calls ended, and client middlewares that
 * inject faults (throttling, unprocessed batch items).
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb"
import { betterAuth, type BetterAuthOptions } from "better-auth"
import { singleTableAdapter } from "../../src/better-auth/index.js"
import { isDynamoAuthAdapterError } from "../../src/core/errors.js"

export const SECRET = "a-test-secret-that-is-long-enough-for-better-auth"

/** Better Auth with email and password on `tableName`; hashing is the identity so races are about the database, not scrypt. */
export function makeBetterAuth(client: DynamoDBClient, tableName: string, extra: Partial<BetterAuthOptions> = {}) {
  return betterAuth({
    secret: SECRET,
    baseURL: "http://localhost:3000",
    database: singleTableAdapter({ client, tableName }),
    emailAndPassword: { enabled: true, password: { hash: async (p) => `hashed:${p}`, verify: async ({ hash, password }) => hash === `hashed:${password}` } },
    logger: { disabled: true },
    ...extra,
  })
}

/** A label for how a call ended: `ok`, the typed error's code, Better Auth's error code, or the error's name. */
export function outcomeOf(result: PromiseSettledResult<unknown>): string {
  if (result.status === "fulfilled") return "ok"
  const reason = result.reason as { name?: string; code?: string; body?: { code?: string }; statusCode?: number; cause?: unknown }
  if (isDynamoAuthAdapterError(reason)) return reason.code
  if (reason?.body?.code) return `${reason.statusCode ?? "?"} ${reason.body.code}`
  return reason?.name ?? String(reason)
}

/** `{ ok: 1, EMAIL_EXISTS: 199 }` */
export function tally(results: PromiseSettledResult<unknown>[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const result of results) counts[outcomeOf(result)] = (counts[outcomeOf(result)] ?? 0) + 1
  return counts
}

/** Every `*Expression` string of a request input, transactions included. */
export function expressionsOf(input: unknown): string[] {
  const found: string[] = []
  const visit = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(visit)
    else if (value && typeof value === "object") {
      for (const [key, inner] of Object.entries(value)) {
        if (key.endsWith("Expression") && typeof inner === "string") found.push(inner)
        else if (key !== "ExpressionAttributeValues" && key !== "Item" && key !== "Key") visit(inner)
      }
    }
  }
  visit(input)
  return found
}

export interface InjectedFault {
  /** Attempts seen by the middleware, per command, with the time each was made. */
  attempts: { command: string; at: number }[]
  remove(): void
}

/**
 * Makes the client's requests of `commands` fail with `errorName` (the first
 * `failures` attempts, or all). Added in the deserialize step, inside the
 * SDK's retry middleware, so the SDK sees each failure as a real response
 * and retries it as it would on AWS.
 */
export function injectError(client: DynamoDBClient, errorName: string, commands: string[], failures = Number.POSITIVE_INFINITY): InjectedFault {
  const attempts: InjectedFault["attempts"] = []
  const name = `reliability/inject-${errorName}-${Math.random()}`
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName ?? "").replace(/Command$/, "")
      if (!commands.includes(command)) return next(args)
      attempts.push({ command, at: performance.now() })
      if (attempts.length > failures) return next(args)
      const error = Object.assign(new Error(`Injected ${errorName}: rate of requests exceeds the allowed throughput.`), {
        name: errorName,
        $fault: "client",
        $metadata: { httpStatusCode: 400, attempts: 1, totalRetryDelay: 0 },
      })
      throw error
    },
    { step: "deserialize", name, override: true },
  )
  return { attempts, remove: () => client.middlewareStack.remove(name) }
}
