/**
 * `npm start`: the shared example on an embedded DynamoDB Local.
 *
 *   npm start                          # data in memory, http://127.0.0.1:3000/
 *   npm start -- --data .dynamodb      # data kept in a folder between runs
 *   npm start -- --port 4000 --table my-auth-table
 *   DYNAMODB_ENDPOINT=http://127.0.0.1:8000 npm start   # a DynamoDB (Local) already running
 */
import { runFromCommandLine } from "../lib/run-example.js"
import { startSharedExample } from "./server.js"

await runFromCommandLine(startSharedExample, 3000)
