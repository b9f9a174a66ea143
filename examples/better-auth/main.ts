/**
 * Better Auth alone on an embedded DynamoDB Local:
 *
 *   npx tsx examples/better-auth/main.ts [--port 3001] [--data DIR] [--table NAME]
 */
import { runFromCommandLine } from "../lib/run-example.js"
import { startBetterAuthExample } from "./server.js"

await runFromCommandLine(startBetterAuthExample, 3001)
