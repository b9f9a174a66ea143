/**
 * `npm start` (until the shared demo app lands): a DynamoDB Local with the
 * table created, for pointing an app at. Runs until Ctrl-C.
 *
 *   npm start                 # data in memory
 *   npm start -- --data .dynamodb   # data kept in a folder
 */
import { parseArgs } from "node:util"
import { DynamoDBClient } from "@aws-sdk/client-dynamodb"
import { createTable } from "../src/table/create-table.js"
import { localClientConfig, startDynamoDBLocal } from "../test/support/dynamodb-local.js"

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true"

const { values } = parseArgs({
  options: { data: { type: "string" }, table: { type: "string", default: "next-auth" }, port: { type: "string" } },
})

const database = await startDynamoDBLocal({
  ...(values.data ? { dataDir: values.data } : {}),
  ...(values.port ? { port: Number(values.port) } : {}),
})
const client = new DynamoDBClient(localClientConfig(database.endpoint))
const result = await createTable(client, { tableName: values.table })
client.destroy()

console.log(`DynamoDB ${database.owned ? "Local started" : "in use"} at ${database.endpoint}`)
console.log(`Table "${result.names.tableName}" ${result.status === "created" ? "created" : "already there"}; data ${values.data ? `in ${values.data}` : "in memory"}.`)
console.log(`Point an app at it:  DYNAMODB_ENDPOINT=${database.endpoint} AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local`)
console.log("Press Ctrl-C to stop.")

let stopping = false
async function shutdown(signal: string) {
  if (stopping) return
  stopping = true
  console.log(`\n${signal}: stopping DynamoDB Local…`)
  await database.stop()
  console.log("Stopped.")
  process.exit(0)
}
process.on("SIGINT", () => void shutdown("SIGINT"))
process.on("SIGTERM", () => void shutdown("SIGTERM"))
// Keep the process alive until a signal arrives.
setInterval(() => {}, 1 << 30)
