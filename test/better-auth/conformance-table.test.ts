/**
 * Regression for the official suites' flake ("find many models with join",
 * "find many with join and limit": a user's sessions missing): DynamoDB
 * Local's TTL job deleted the suites' already-expired sessions between their
 * creation and the join. Their table (`createConformanceTable`) has TTL off.
 */
import { DescribeTimeToLiveCommand } from "@aws-sdk/client-dynamodb"
import { afterAll, describe, expect, it } from "vitest"
import { singleTableAdapter } from "../../src/better-auth/index.js"
import { createTestTable, localClient, type TestTable } from "../support/test-table.js"
import { createConformanceTable } from "./conformance-table.js"

/**
 * How long DynamoDB Local's TTL job may take to reach an expired item: it
 * passes over a table, pauses 10 s after a pass that failed on nothing, and
 * is started again within a second.
 */
const SWEEP_WAIT_MS = 12_000

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * A session item shaped as the adapter writes it (user partition, GSI1 keys)
 * that expired ten seconds ago: the only expired item of its table, so the
 * TTL job reaches it on its first pass whatever the scan order.
 */
async function putExpiredSessionItem(table: TestTable, label: string): Promise<Record<string, string>> {
  const key = { pk: `USER#${label}`, sk: `SESSION#${label}` }
  await table.document.put({
    TableName: table.tableName,
    Item: { ...key, GSI1PK: `SESSION#${label}`, GSI1SK: `SESSION#${label}`, type: "SESSION", expires: Math.floor(Date.now() / 1000) - 10 },
  })
  return key
}

const tables: TestTable[] = []
afterAll(async () => {
  await Promise.all(tables.map((table) => table.drop()))
})

describe.concurrent("the official suites' table", { timeout: 30_000 }, () => {
  it("is needed: on a TTL-enabled table DynamoDB Local deletes an expired session item within seconds", async () => {
    const table = await createTestTable()
    tables.push(table)
    const key = await putExpiredSessionItem(table, "ttl-on")
    const gone = async () => !(await table.scanAll()).some((item) => item.pk === key.pk && item.sk === key.sk)
    const deadline = Date.now() + SWEEP_WAIT_MS + 3_000
    while (!(await gone()) && Date.now() < deadline) await sleep(200)
    expect(await gone()).toBe(true)
  })

  it("keeps records that expire as they are written, as the suites create them, for their joins to read", async () => {
    const table = await createConformanceTable()
    tables.push(table)
    const ttl = await table.client.send(new DescribeTimeToLiveCommand({ TableName: table.tableName }))
    expect(ttl.TimeToLiveDescription?.TimeToLiveStatus).toBe("DISABLED")
    const client = localClient()
    try {
      const adapter = singleTableAdapter({ client, tableName: table.tableName })({})
      const now = new Date()
      const user = await adapter.create({
        model: "user",
        data: { id: "conformance-user", name: "join-user-0", email: "conformance-user@example.com", emailVerified: true, createdAt: now, updatedAt: now },
        forceAllowId: true,
      })
      // The suites' generated session: expiresAt is the moment of creation.
      await adapter.create({
        model: "session",
        data: { id: "conformance-session", token: "conformance-token", userId: user.id, expiresAt: new Date(), createdAt: now, updatedAt: now },
        forceAllowId: true,
      })
      const canary = await putExpiredSessionItem(table, "ttl-off")

      await sleep(SWEEP_WAIT_MS)

      const [found] = (await adapter.findMany({ model: "user", join: { session: true }, limit: 2 })) as { id: string; session: { id: string }[] }[]
      expect(found?.id).toBe(user.id)
      expect(found?.session.map((session) => session.id)).toEqual(["conformance-session"])
      const keys = (await table.scanAll()).map((item) => `${String(item.pk)} ${String(item.sk)}`)
      expect(keys).toEqual(
        expect.arrayContaining([`${canary.pk} ${canary.sk}`, "USER#conformance-user SESSION#conformance-token", "SESSION#conformance-token SESSION#conformance-token"]),
      )
    } finally {
      client.destroy()
    }
  })
})
