/**
 * Better Auth alone on the table: email + password and the loopback identity
 * provider (genericOAuth) under `/api/auth`, and a page at `/`. The Better
 * Auth configuration itself is in ../lib/better-auth-setup.ts.
 */
import type { ExampleBetterAuth } from "../lib/better-auth-setup.js"
import { startExample, type ExampleOptions, type RunningExample } from "../lib/example-server.js"

export interface BetterAuthExample extends RunningExample {
  betterAuth: ExampleBetterAuth
}

export async function startBetterAuthExample(options: ExampleOptions = {}): Promise<BetterAuthExample> {
  const example = await startExample({ authjs: false, betterAuth: true }, options)
  if (!example.betterAuth) throw new Error("startBetterAuthExample: Better Auth should be mounted")
  return { ...example, betterAuth: example.betterAuth }
}
