/**
 * The side under test: the same app on DynamoDB Local through
 * `singleTableAdapter`, on a fresh table, with every request the adapter
 * sends counted per step.
 */
import { singleTableAdapter } from "../../../src/better-auth/index.js"
import { countRequests } from "../../../src/core/client/request-counter.js"
import { createTestTable, localClient } from "../../support/test-table.js"
import { Outbox } from "./app-options.js"
import { adapterRows, makeDifferentialAuth, type Runner } from "./runner.js"

export async function dynamodbRunner(): Promise<Runner> {
  const table = await createTestTable()
  // A client of the adapter's own, so that only the adapter's requests are counted.
  const client = localClient()
  const counter = countRequests(client)
  const outbox = new Outbox()
  const auth = makeDifferentialAuth(singleTableAdapter({ client, tableName: table.tableName }), outbox)
  return {
    side: "dynamodb",
    auth,
    outbox,
    rows: (model) => adapterRows(auth, model),
    async measure(work) {
      counter.reset()
      const value = await work()
      const byCommand = counter.byCommand()
      return { value, requests: { total: counter.total(), scans: byCommand.Scan ?? 0, byCommand } }
    },
    async close() {
      counter.detach()
      client.destroy()
      await table.drop()
    },
  }
}
