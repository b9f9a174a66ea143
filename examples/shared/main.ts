/**
 * `npm start`: the shared example on an embedded DynamoDB Local.
 *
 *   npm start                          # data in memory, http://127.0.0.1:3000/
 *   npm start -- --data .dynamodb      # data kept in a folder between runs
 *   npm start -- --port 4000 --table my-auth-table
 *   DYNAMODB_ENDPOINT=http://127.0.0.1:8000 npm start   # use a DynamoDB Local already running
 */
import { exampleFlags, stopOnSignal } from "../lib/run-example.js"
import { startSharedExample } from "./server.js"

const flags = exampleFlags(3000)
const example = await startSharedExample({
  port: flags.port,
  ...(flags.dataDir ? { dataDir: flags.dataDir } : {}),
  ...(flags.tableName ? { tableName: flags.tableName } : {}),
  printMagicLinks: true,
})
const { table } = example
console.log(`DynamoDB ${table.startedDynamoDB ? "Local started" : "in use"} at ${table.endpoint}; table "${table.tableName}" ${table.created ? "created" : "already there"}; data ${table.startedDynamoDB ? (flags.dataDir ? `in ${flags.dataDir}` : "in memory") : "where that DynamoDB keeps it"}.`)
console.log(`Identity provider (loopback OIDC) at ${example.idp.issuer}`)
console.log(`\nOpen ${example.url}  (Better Auth under /api/auth, Auth.js under /auth)`)
console.log("Press Ctrl-C to stop.")
stopOnSignal(() => example.stop())
