/**
 * Auth.js alone on an embedded DynamoDB Local:
 *
 *   npx tsx examples/authjs/main.ts [--port 3002] [--data DIR] [--table NAME]
 */
import { runFromCommandLine } from "../lib/run-example.js"
import { startAuthjsExample } from "./server.js"

await runFromCommandLine(startAuthjsExample, 3002)
