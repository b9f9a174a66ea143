/**
 * DynamoDB Local killed (SIGKILL) in the middle of work, then restarted on
 * the same port and data folder (persistent `-dbPath` mode): calls in flight
 * fail with an error instead of hanging, and the table holds all of each
 * transaction or none of it. This file starts its own DynamoDB Local, so the
 * shared one is never disturbed.
 *
 * What is asserted is atomicity, not durability: DynamoDB Local can lose a
 * write it had already acknowledged when it is SIGKILLed (measured below:
 * a transaction reported committed came back empty), which DynamoDB itself
 * does not do. So a step that succeeded may be missing after the restart,
 * and invariants across steps (an account's user exists) are not asserted;
 * those within one transaction (a user and its email lookup) are.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { DynamoDBClient } from "@aws-sdk/client-dynamodb"
import { DynamoDBDocument, ScanCommand } from "@aws-sdk/lib-dynamodb"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { DynamoDBAdapter } from "../../src/authjs/index.js"
import { TableClient, type WriteAction } from "../../src/core/client/table-client.js"
import { createTable } from "../../src/table/create-table.js"
import { resolveTableNames } from "../../src/table/names.js"
import { freePort, localClientConfig, startDynamoDBLocal, type LocalDynamoDB } from "../support/dynamodb-local.js"
import { outcomeOf } from "./support.js"

const dataDir = mkdtempSync(join(tmpdir(), "ddb-local-kill-"))
const names = resolveTableNames({ tableName: "kill-test" })
let port: number
let database: LocalDynamoDB
let client: DynamoDBClient
const measured: Record<string, unknown> = {}

async function start() {
  database = await startDynamoDBLocal({ forceSpawn: true, dataDir, port })
}

async function scanAll(): Promise<Record<string, unknown>[]> {
  const inspector = new DynamoDBClient(localClientConfig(database.endpoint))
  const document = DynamoDBDocument.from(inspector)
  const items: Record<string, unknown>[] = []
  let ExclusiveStartKey: Record<string, unknown> | undefined
  do {
    const page = await document.send(new ScanCommand({ TableName: names.tableName, ConsistentRead: true, ExclusiveStartKey }))
    items.push(...((page.Items ?? []) as Record<string, unknown>[]))
    ExclusiveStartKey = page.LastEvaluatedKey
  } while (ExclusiveStartKey)
  inspector.destroy()
  return items
}

/** Resolves once `check()` is true (polled every few ms). */
async function until(check: () => boolean, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not reached")
    await new Promise((r) => setTimeout(r, 2))
  }
}

function tallyOf(results: PromiseSettledResult<unknown>[]) {
  const counts: Record<string, number> = {}
  for (const r of results) {
    const label = r.status === "fulfilled" ? "ok" : `${outcomeOf(r)}: ${String((r.reason as Error).message).slice(0, 60)}`
    counts[label] = (counts[label] ?? 0) + 1
  }
  return counts
}

beforeAll(async () => {
  port = await freePort()
  await start()
  // One retry only: the SDK's retries of a refused connection would only make the test slower.
  client = new DynamoDBClient({ ...localClientConfig(database.endpoint), maxAttempts: 2 })
  await createTable(client, names)
}, 60_000)

afterAll(async () => {
  console.info("Kill and restart:", JSON.stringify(measured, null, 1))
  client?.destroy()
  await database?.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

describe("DynamoDB Local killed mid-flight, restarted on the same data", () => {
  it("Auth.js sign-up flows (createUser, linkAccount, 2 × createSession): calls in flight fail fast; every user, account and session is whole", async () => {
    const adapter = DynamoDBAdapter(client, { tableName: names.tableName })
    let steps = 0
    const flow = async (i: number) => {
      const id = `flow-${i}`
      await adapter.createUser({ id, email: `${id}@example.com`, emailVerified: null })
      steps++
      await adapter.linkAccount({ userId: id, type: "oauth", provider: "github", providerAccountId: `gh-${i}` })
      steps++
      for (const n of [0, 1]) {
        await adapter.createSession({ sessionToken: `${id}-s${n}`, userId: id, expires: new Date(Date.now() + 3_600_000) })
        steps++
      }
    }
    // 8 flows at a time, so that at the kill some flows are done, some half-way and some not started.
    const results: PromiseSettledResult<void>[] = new Array(40)
    let next = 0
    let done = 0
    const worker = async () => {
      while (next < 40) {
        const i = next++
        results[i] = await flow(i).then(
          () => ({ status: "fulfilled", value: undefined }) as const,
          (reason: unknown) => ({ status: "rejected", reason }) as const,
        )
        done++
      }
    }
    const settled = Promise.all(Array.from({ length: 8 }, worker))
    await until(() => done >= 12 && steps % 4 !== 0)
    const killedAt = performance.now()
    await database.kill!("SIGKILL")
    await settled
    measured.flowsFailedWithinMs = Math.round(performance.now() - killedAt)
    measured.flows = tallyOf(results)
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected")
    expect(failed.length).toBeGreaterThan(0)
    for (const failure of failed) {
      // A network error naming the cause, not a hang and not a wrong answer such as "null" or EMAIL_EXISTS.
      expect(String((failure.reason as Error).message) + String((failure.reason as { code?: string }).code)).toMatch(/ECONNREFUSED|ECONNRESET|socket hang up|EPIPE|connect/i)
    }

    // A call made while DynamoDB is down fails fast too.
    const down = performance.now()
    const downError = await adapter.getUser("flow-0").catch((e: unknown) => e)
    measured.callWhileDownFailedInMs = Math.round(performance.now() - down)
    expect(String((downError as Error).message)).toMatch(/ECONNREFUSED/)

    await start()
    const items = await scanAll()
    const has = (pk: string, sk = pk) => items.some((i) => i[names.partitionKey] === pk && i[names.sortKey] === sk)
    const completed = results.map((r) => r.status === "fulfilled")
    let partial = 0
    let whole = 0
    for (let i = 0; i < 40; i++) {
      const id = `flow-${i}`
      const user = has(`USER#${id}`)
      expect(has(`EMAIL#${id}@example.com`)).toBe(user)
      const account = has(`USER#${id}`, `ACCOUNT#github#gh-${i}`)
      expect(has(`ACCOUNT#github#gh-${i}`)).toBe(account)
      for (const n of [0, 1]) {
        const session = has(`USER#${id}`, `SESSION#${id}-s${n}`)
        expect(has(`SESSION#${id}-s${n}`)).toBe(session)
      }
      if (completed[i]) whole += has(`USER#${id}`, `SESSION#${id}-s1`) ? 1 : 0
      else if (user) partial++
    }
    measured.flowsCompleted = completed.filter(Boolean).length
    measured.flowsCompletedAndFoundWhole = whole
    measured.flowsPartlyDoneAfterRestart = partial
    // The same adapter (and client) works again once DynamoDB is back.
    await adapter.createUser({ id: "after-restart", email: "after-restart@example.com", emailVerified: null })
    expect(await adapter.getUserByEmail("after-restart@example.com")).toMatchObject({ id: "after-restart" })
  }, 60_000)

  it("30 transactions of 100 puts each, killed mid-way: after restart each is all there or not at all", async () => {
    const table = new TableClient({ names, client })
    const payload = "x".repeat(2_000)
    const transaction = (t: number): WriteAction[] =>
      Array.from({ length: 100 }, (_, i) => ({ kind: "put", item: { pk: `TX#${t}`, sk: `ITEM#${i}`, payload }, label: `put ${t}/${i}` }))
    let committed = 0
    const running = Array.from({ length: 30 }, (_, t) =>
      table.transactWrite(transaction(t), `transaction ${t}`).then(() => {
        committed++
      }),
    )
    const settled = Promise.allSettled(running)
    await until(() => committed >= 3)
    await database.kill!("SIGKILL")
    const results = await settled
    await start()
    const items = await scanAll()
    const counts = Array.from({ length: 30 }, (_, t) => items.filter((i) => i.pk === `TX#${t}`).length)
    measured.transactions = {
      reportedCommitted: results.filter((r) => r.status === "fulfilled").length,
      failed: tallyOf(results.filter((r) => r.status === "rejected")),
      foundWhole: counts.filter((c) => c === 100).length,
      foundEmpty: counts.filter((c) => c === 0).length,
      // DynamoDB Local's durability, not the library's: acknowledged, then lost to the SIGKILL.
      acknowledgedButLost: results.filter((r, t) => r.status === "fulfilled" && counts[t] === 0).length,
      failedButCommitted: results.filter((r, t) => r.status === "rejected" && counts[t] === 100).length,
    }
    for (const count of counts) expect([0, 100]).toContain(count)
    expect(results.some((r) => r.status === "rejected")).toBe(true)
    for (const r of results) if (r.status === "rejected") expect(String((r.reason as Error).message)).toMatch(/ECONNREFUSED|ECONNRESET|socket hang up|EPIPE/i)
  }, 60_000)
})
