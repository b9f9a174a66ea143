/**
 * The email flows read their own fresh writes: under simulated GSI1 lag they
 * must still work (base-table lookups back every hot read).
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { simulateIndexLag, type IndexLag } from "../support/index-lag.js"
import { cookieHeader, testBetterAuth } from "../support/better-auth-app.js"
import { useTableWithClient } from "../support/test-table.js"

async function emailFlows(client: DynamoDBClient, tableName: string): Promise<void> {
  const auth = testBetterAuth(client, tableName)
  const email = "laggy@example.com"
  await auth.api.signUpEmail({ body: { email, password: "password-123", name: "Laggy" } })
  await expect(auth.api.signUpEmail({ body: { email, password: "password-123", name: "Again" } })).rejects.toMatchObject({ statusCode: 422 })
  const signIn = await auth.api.signInEmail({ body: { email, password: "password-123" }, returnHeaders: true })
  const headers = cookieHeader(signIn.headers)
  expect((await auth.api.getSession({ headers }))?.user.email).toBe(email)
  expect(await auth.api.listSessions({ headers })).toHaveLength(2)
}

describe.each([
  { kind: "a table made by createTable", legacy: false },
  { kind: "a legacy table (reads by email try GSI1 first)", legacy: true },
])("on $kind", ({ legacy }) => {
  const local = useTableWithClient({ legacy })
  let lag: IndexLag

  // After the fixture's own hooks: the lag goes on its client, and comes off before the client is destroyed.
  beforeAll(() => {
    lag = simulateIndexLag(local.client, { lagMs: 60_000 })
  })
  afterAll(() => lag.detach())

  it("sign-up, then at once a duplicate sign-up, sign-in, get session and list sessions, with GSI1 lagging a minute behind", async () => {
    await emailFlows(local.client, local.table.tableName)
    if (legacy) expect(lag.hiddenReads()).toBeGreaterThan(0)
    // Where lookups are complete no hot read goes through GSI1 at all: its lag cannot matter.
    else expect(lag.indexReads()).toBe(0)
    expect((await local.table.scanAll()).filter((i) => i.type === "USER")).toHaveLength(1)
  })
})
