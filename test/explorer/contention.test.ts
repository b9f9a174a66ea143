/**
 * Contention on one user (issue #11, defect 9): 200 concurrent
 * createSession and 20 concurrent updateUser of the same user. A load
 * test, not an interleaving: afterwards every session must hold a copy of
 * the user equal to its user item (the one-GetItem session read), with at
 * most 3 TransactWriteItems per operation.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { DynamoDBAdapter } from "../../src/authjs/index.js"
import { countRequests } from "../../src/core/client/request-counter.js"
import { withoutKeys } from "../support/user-copies.js"
import { createTestTable, localClient, type TestTable } from "../support/test-table.js"

const SESSIONS = 200
const UPDATES = 20

let table: TestTable
const client = localClient()

beforeAll(async () => {
  table = await createTestTable()
})

afterAll(async () => {
  client.destroy()
  await table?.drop()
})

describe("200 createSession and 20 updateUser on one user at once (defect 9)", () => {
  it("every session ends with a copy equal to the user item; at most 3 TransactWriteItems per operation", { timeout: 180_000 }, async () => {
    const adapter = DynamoDBAdapter(client, { tableName: table.tableName })
    const userId = "contended"
    await adapter.createUser({ id: userId, email: "contended@example.com", emailVerified: null, name: "Name 0" })
    const counter = countRequests(client)
    const started = Date.now()
    const results = await Promise.allSettled([
      ...Array.from({ length: SESSIONS }, (_, n) => adapter.createSession({ sessionToken: `contended-${n}`, userId, expires: new Date(Date.now() + 3_600_000) })),
      ...Array.from({ length: UPDATES }, (_, n) => adapter.updateUser({ id: userId, name: `Name ${n + 1}` })),
    ])
    const elapsedMs = Date.now() - started
    counter.detach()
    const items = await table.scanAll()
    const user = items.find((item) => item.pk === `USER#${userId}` && item.sk === `USER#${userId}`)!
    const tokenItems = items.filter((item) => item.pk === item.sk && String(item.pk).startsWith("SESSION#contended-"))
    const withoutCopy = tokenItems.filter((item) => item.user === undefined).length
    const staleCopy = tokenItems.filter((item) => item.user !== undefined && JSON.stringify(sorted(item.user as Record<string, unknown>)) !== JSON.stringify(sorted(withoutKeys(user)))).length
    const failed = results.filter((result) => result.status === "rejected").length
    const transactions = counter.byCommand().TransactWriteItems ?? 0
    const measured = { sessions: tokenItems.length, withoutCopy, staleCopy, failed, transactions, perOperation: +(transactions / (SESSIONS + UPDATES)).toFixed(2), requests: counter.total(), elapsedMs }
    console.log(`[explorer] contention: ${JSON.stringify(measured)}`)
    expect({ failed, sessions: tokenItems.length, withoutCopy, staleCopy }).toEqual({ failed: 0, sessions: SESSIONS, withoutCopy: 0, staleCopy: 0 })
    expect(transactions).toBeLessThanOrEqual(3 * (SESSIONS + UPDATES))
  })
})

function sorted(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}
