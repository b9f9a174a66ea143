/**
 * The differential run (issue #12): the flows of flows.ts on Better Auth's
 * own SQLite and on DynamoDB Local through this library, compared step by
 * step — each step's result and, after selected steps, the stored rows of the
 * models it names (nulls included: null vs absent is a difference). On the
 * DynamoDB side every step's requests are counted; no step may Scan except a
 * listing of a whole model (steps marked `scan`).
 *
 * The clock is fake (Date only) and set before each step, the same on both
 * sides; it starts at the next full hour of the real clock so that DynamoDB
 * Local's TTL sweep never removes an item the fake clock still sees as live.
 */
import { writeFileSync } from "node:fs"
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import { differences, formatDifference } from "./compare.js"
import { dynamodbRunner } from "./dynamodb-runner.js"
import { FlowContext } from "./flow-context.js"
import { FLOWS } from "./flows.js"
import { runFlow, type StepOutcome } from "./run-flow.js"
import { formatRequestsTable, type RequestRow } from "./requests-table.js"
import type { Runner } from "./runner.js"
import { sqliteRunner } from "./sqlite-runner.js"

const HOUR = 3_600_000
const ORIGIN = Math.ceil(Date.now() / HOUR) * HOUR

let sqlite: Runner
let dynamodb: Runner
let sqliteContext: FlowContext
let dynamodbContext: FlowContext
const table: RequestRow[] = []
const report: { flow: string; step: string; path: string; sqlite: unknown; dynamodb: unknown }[] = []
const outcomes: { flow: string; sqlite: StepOutcome[]; dynamodb: StepOutcome[] }[] = []

beforeAll(async () => {
  vi.useFakeTimers({ toFake: ["Date"], now: ORIGIN })
  sqlite = await sqliteRunner()
  dynamodb = await dynamodbRunner()
  sqliteContext = new FlowContext(sqlite.auth, sqlite.outbox)
  dynamodbContext = new FlowContext(dynamodb.auth, dynamodb.outbox)
})

afterAll(async () => {
  vi.useRealTimers()
  console.info(`DynamoDB requests per step of the differential flows:\n${formatRequestsTable(table)}`)
  // For the lead: every remaining difference as data (DIFFERENTIAL_REPORT=path).
  if (process.env.DIFFERENTIAL_REPORT) writeFileSync(process.env.DIFFERENTIAL_REPORT, JSON.stringify(report, null, 2))
  // Both sides' normalized outcomes, step by step (DIFFERENTIAL_OUTCOMES=path), to read a difference in its context.
  if (process.env.DIFFERENTIAL_OUTCOMES) writeFileSync(process.env.DIFFERENTIAL_OUTCOMES, JSON.stringify(outcomes, null, 2))
  await sqlite?.close()
  await dynamodb?.close()
})

function stepDifferences(flow: string, sqliteStep: StepOutcome, dynamodbStep: StepOutcome): string[] {
  const found = [
    ...differences(sqliteStep.result, dynamodbStep.result, "$result"),
    ...Object.keys(sqliteStep.rows).flatMap((model) => differences(sqliteStep.rows[model], dynamodbStep.rows[model], `$rows.${model}`)),
  ]
  for (const d of found) report.push({ flow, step: sqliteStep.step, ...d })
  return found.map((d) => formatDifference(flow, sqliteStep.step, d))
}

describe("Better Auth on DynamoDB gives SQLite's results, step by step", () => {
  for (const [index, flow] of FLOWS.entries()) {
    it(flow.name, async () => {
      const start = ORIGIN + index * HOUR
      const expected = await runFlow(sqlite, sqliteContext, flow, start, ORIGIN)
      const actual = await runFlow(dynamodb, dynamodbContext, flow, start, ORIGIN)

      outcomes.push({ flow: flow.name, sqlite: expected, dynamodb: actual })
      const found = expected.flatMap((step, i) => stepDifferences(flow.name, step, actual[i]!))
      const scans: string[] = []
      for (const [i, step] of flow.steps.entries()) {
        const requests = actual[i]!.requests!
        table.push({ flow: flow.name, step: step.name, requests, scanAllowed: step.scan })
        if (requests.scans > 0 && !step.scan) scans.push(`${flow.name} › ${step.name}: ${requests.scans} Scan(s)`)
      }
      expect.soft(found, "steps whose results or rows differ from SQLite").toEqual([])
      expect.soft(scans, "steps that Scan the table (only whole-model listings may)").toEqual([])
    })
  }
})
