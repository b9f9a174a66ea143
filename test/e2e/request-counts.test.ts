/**
 * DynamoDB requests per step of the cross-framework flows, counted on the
 * example's client over real HTTP. Ceilings are what was measured (Better
 * Auth 1.7.25, @auth/core 0.41.3); a change that needs more requests should
 * say why here. The table is made by createTable, so it is marked "lookups
 * complete": a lookup miss is one GetItem, no GSI1 Query, and each adapter
 * reads that marker once, on its first miss (one GetItem in each of the first
 * two steps). An account Auth.js writes has its id lookup item, so Better
 * Auth finds it by id without a Scan.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startSharedExample, type SharedExample } from "../../examples/shared/server.js"
import { HttpSession } from "../support/http-session.js"
import { createTestTable, type TestTable } from "../support/test-table.js"
import { authjsSession, betterAuthSession, signInWithAuthjs, signInWithBetterAuth } from "./flows.js"

let table: TestTable
let example: SharedExample

beforeAll(async () => {
  table = await createTestTable()
  example = await startSharedExample({ client: table.client, tableName: table.tableName })
})
afterAll(async () => {
  await example?.stop()
  await table?.drop()
})

async function counted(step: () => Promise<unknown>): Promise<{ byCommand: Record<string, number>; total: number }> {
  table.counter.reset()
  await step()
  return { byCommand: table.counter.byCommand(), total: table.counter.total() }
}

describe("requests per step", () => {
  const browser = new HttpSession()

  it("Auth.js first OIDC sign-in: no Scan, no GSI1 Query, at most 9 requests", async () => {
    const counts = await counted(() => signInWithAuthjs(browser, example.url, "alice"))
    expect(counts.byCommand.Scan).toBeUndefined()
    // The two getUserByAccount misses and the getUserByEmail miss are one GetItem each (lookup items).
    expect(counts.byCommand.Query).toBeUndefined()
    expect(counts.total).toBeLessThanOrEqual(9)
  })
  it("Better Auth sign-in onto the account Auth.js wrote: no Scan, at most 25 requests", async () => {
    const counts = await counted(() => signInWithBetterAuth(browser, example.url, "alice"))
    expect(counts.byCommand.Scan).toBeUndefined()
    // Better Auth updates the user from the IdP profile: that update then refreshes the copies of the user, in the
    // email claim, the provider-account claim and the Auth.js session's token item (one UpdateItem each, and a Query
    // of the user's partition to find them).
    expect(counts.total).toBeLessThanOrEqual(25)
  })
  it("Better Auth sign-in again: no Scan, at most 17 requests", async () => {
    const counts = await counted(() => signInWithBetterAuth(browser, example.url, "alice"))
    expect(counts.byCommand.Scan).toBeUndefined()
    expect(counts.total).toBeLessThanOrEqual(17)
  })
  it("Auth.js sign-in again after Better Auth updated the account: GetItems only, at most 10", async () => {
    const counts = await counted(() => signInWithAuthjs(browser, example.url, "alice"))
    expect(Object.keys(counts.byCommand)).toEqual(["GetItem"])
    expect(counts.total).toBeLessThanOrEqual(10)
  })
  it("session reads: one GetItem for each framework (the token item holds a copy of the user; the example turns Better Auth's joins on)", async () => {
    expect((await counted(() => authjsSession(browser, example.url))).byCommand).toEqual({ GetItem: 1 })
    expect((await counted(() => betterAuthSession(browser, example.url))).byCommand).toEqual({ GetItem: 1 })
  })
})
