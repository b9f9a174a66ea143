/**
 * Auth.js alone on the table: the loopback identity provider (OIDC) and
 * email magic links under `/auth` with database sessions, and a page at `/`.
 * The Auth.js configuration itself is in ../lib/authjs-setup.ts.
 */
import type { ExampleAuthjs } from "../lib/authjs-setup.js"
import { startExample, type ExampleOptions, type RunningExample } from "../lib/example-server.js"

export interface AuthjsExample extends RunningExample {
  authjs: ExampleAuthjs
}

export async function startAuthjsExample(options: ExampleOptions = {}): Promise<AuthjsExample> {
  const example = await startExample({ authjs: true, betterAuth: false }, options)
  if (!example.authjs) throw new Error("startAuthjsExample: Auth.js should be mounted")
  return { ...example, authjs: example.authjs }
}
