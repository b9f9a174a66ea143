/**
 * The shared example: Better Auth under `/api/auth` and Auth.js under
 * `/auth` on one server, over one DynamoDB table, with the loopback identity
 * provider, and a page at `/` showing who is signed in through which
 * framework. `npm start` runs it (main.ts); the end-to-end tests start it
 * the same way.
 */
import type { ExampleAuthjs } from "../lib/authjs-setup.js"
import type { ExampleBetterAuth } from "../lib/better-auth-setup.js"
import { startExample, type ExampleOptions, type RunningExample } from "../lib/example-server.js"

export type SharedExampleOptions = ExampleOptions

export interface SharedExample extends RunningExample {
  betterAuth: ExampleBetterAuth
  authjs: ExampleAuthjs
}

export async function startSharedExample(options: SharedExampleOptions = {}): Promise<SharedExample> {
  const example = await startExample({ authjs: true, betterAuth: true }, options)
  const { betterAuth, authjs } = example
  if (!betterAuth || !authjs) throw new Error("startSharedExample: both frameworks should be mounted")
  return { ...example, betterAuth, authjs }
}
