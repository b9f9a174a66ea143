/**
 * `npm run bench`: the same scripted flows through this library and through
 * `@auth/dynamodb-adapter` 2.11.3, interleaved in one run on one DynamoDB
 * Local, plus the in-process overhead per adapter call against a stubbed
 * client. Prints the tables and writes them to bench/RESULTS.md.
 *
 *   npm run bench                  # full run
 *   npm run bench -- --quick       # fewer iterations, for a smoke test
 */
import { writeFileSync } from "node:fs"
import { cpus, totalmem } from "node:os"
import { parseArgs } from "node:util"
import { DynamoDBClient } from "@aws-sdk/client-dynamodb"
import { DynamoDBDocument } from "@aws-sdk/lib-dynamodb"
import { createTable } from "../src/table/create-table.js"
import { countRequests } from "../src/core/client/request-counter.js"
import { localClientConfig, startDynamoDBLocal } from "../test/support/dynamodb-local.js"
import { authjsFlows } from "./flows/authjs.js"
import { measureFlow, type FlowResult, type Subject } from "./support/measure.js"
import { requestConsumedCapacity } from "./support/capacity.js"
import { measureOverhead, type OverheadResult } from "./support/overhead.js"
import { renderResults } from "./support/report.js"
import { authjsSubjects, OURS, type SubjectTable } from "./subjects.js"
import { betterAuthFlows, createBenchAuth } from "./flows/better-auth.js"
import { createRateLimitedAuth, rateLimitFlows } from "./flows/rate-limit.js"
import { betterAuthPluginFlows, createPluginBenchAuth } from "./flows/better-auth-plugins.js"

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true"

const { values } = parseArgs({ options: { quick: { type: "boolean", default: false }, out: { type: "string", default: "bench/RESULTS.md" } } })
const iterations = values.quick ? 10 : 100
const throughputFlows = values.quick ? 32 : 128

const database = await startDynamoDBLocal({ forceSpawn: true })
console.log(`DynamoDB Local at ${database.endpoint}; ${iterations} iterations per flow and subject`)
const client = new DynamoDBClient(localClientConfig(database.endpoint))

try {
  // One client and table per subject, so request counts never mix.
  async function makeSubjectTable(label: string): Promise<SubjectTable> {
    const subjectClient = new DynamoDBClient(localClientConfig(database.endpoint))
    requestConsumedCapacity(subjectClient)
    const tableName = `bench-${label}`
    await createTable(client, { tableName })
    const document = DynamoDBDocument.from(subjectClient, {
      marshallOptions: { convertEmptyValues: true, removeUndefinedValues: true, convertClassInstanceToMap: true },
    })
    return { client: subjectClient, document, tableName, counter: countRequests(subjectClient) }
  }
  const subjects = await authjsSubjects(makeSubjectTable)

  const results: FlowResult[] = []
  for (const flow of authjsFlows) {
    process.stdout.write(`Auth.js: ${flow.name} … `)
    const flowResults = await measureFlow(flow, subjects as Subject<never>[], { iterations, throughputFlows })
    results.push(...flowResults)
    console.log(flowResults.map((r) => `${r.subject} ${r.medianMs.toFixed(2)} ms`).join(", "))
  }

  // Better Auth through auth.api on this library (there is no official single-table Better Auth adapter to set beside it).
  const ba = await makeSubjectTable("better-auth")
  const auth = createBenchAuth(ba.client, ba.tableName)
  const baSubject = { name: OURS, adapter: auth, counter: ba.counter }
  for (const flow of betterAuthFlows) {
    process.stdout.write(`${flow.name} … `)
    const flowResults = await measureFlow(flow, [baSubject], { iterations, throughputFlows })
    results.push(...flowResults)
    console.log(flowResults.map((r) => `${r.medianMs.toFixed(2)} ms`).join(", "))
  }

  // Rate limiting over HTTP with this library's rate-limit storage, on the same table.
  const rateLimited = { name: OURS, adapter: createRateLimitedAuth(ba.client, ba.tableName), counter: ba.counter }
  for (const flow of rateLimitFlows) {
    process.stdout.write(`${flow.name} … `)
    const flowResults = await measureFlow(flow, [rateLimited], { iterations, throughputFlows })
    results.push(...flowResults)
    console.log(flowResults.map((r) => `${r.medianMs.toFixed(2)} ms`).join(", "))
  }

  // The plugins' hot paths, on a table of their own.
  const plugins = await makeSubjectTable("better-auth-plugins")
  const pluginSubject = { name: OURS, adapter: createPluginBenchAuth(plugins.client, plugins.tableName), counter: plugins.counter }
  for (const flow of betterAuthPluginFlows) {
    process.stdout.write(`${flow.name} … `)
    const flowResults = await measureFlow(flow, [pluginSubject], { iterations, throughputFlows })
    results.push(...flowResults)
    console.log(flowResults.map((r) => `${r.medianMs.toFixed(2)} ms`).join(", "))
  }

  const overhead: OverheadResult[] = await measureOverhead(values.quick ? 500 : 5_000)

  const markdown = renderResults({
    machine: `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
    iterations,
    throughputFlows,
    results,
    overhead,
  })
  writeFileSync(values.out, markdown)
  console.log(`\n${markdown}\nWritten to ${values.out}`)
} finally {
  client.destroy()
  await database.stop()
}
