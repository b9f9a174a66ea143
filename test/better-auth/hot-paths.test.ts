/**
 * The flows Better Auth runs on every sign-up, sign-in and request, through
 * `auth.api`, with every DynamoDB request counted: none may be a Scan, and
 * the number of requests of each is pinned (README performance table).
 */
import { betterAuth } from "better-auth"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { singleTableAdapter } from "../../src/better-auth/index.js"
import { countRequests, type RequestCounter } from "../../src/core/client/request-counter.js"
import { cookieHeader } from "../support/better-auth-app.js"
import { createTestTable, localClient, type TestTable } from "../support/test-table.js"

let table: TestTable
let client: ReturnType<typeof localClient>
let counter: RequestCounter
let auth: ReturnType<typeof makeAuth>

function makeAuth() {
  return betterAuth({
    secret: "a-test-secret-that-is-long-enough-for-better-auth",
    baseURL: "http://localhost:3000",
    database: singleTableAdapter({ client, tableName: table.tableName }),
    emailAndPassword: {
      enabled: true,
      password: { hash: async (p) => `hashed:${p}`, verify: async ({ hash, password }) => hash === `hashed:${password}` },
      sendResetPassword: async ({ token }) => void resetTokens.push(token),
    },
    logger: { disabled: true },
  })
}


async function measure<T>(run: () => Promise<T>): Promise<{ result: T; counts: Record<string, number>; total: number }> {
  counter.reset()
  const result = await run()
  const counts = counter.byCommand()
  return { result, counts, total: counter.total() }
}

const measured: Record<string, Record<string, number>> = {}
const resetTokens: string[] = []

beforeAll(async () => {
  table = await createTestTable()
  client = localClient()
  counter = countRequests(client)
  auth = makeAuth()
})

afterAll(async () => {
  console.info("Hot-path requests per flow:", JSON.stringify(measured, null, 2))
  counter.detach()
  client.destroy()
  await table.drop()
})

describe("Better Auth hot paths through auth.api", () => {
  it("sign-up, sign-in, get session, list sessions and sign-out never Scan, with pinned request counts", async () => {
    const email = "hot-path@example.com"
    const signUp = await measure(() =>
      auth.api.signUpEmail({ body: { email, password: "password-123", name: "Hot Path" }, returnHeaders: true }),
    )
    measured.signUp = signUp.counts
    expect(signUp.counts.Scan).toBeUndefined()
    // findOne user by email (the email lookup item: one GetItem, hit or miss), then one TransactWriteItems for user, email claim
    // (with a copy of the user), account, session (its token item with a copy of the new user). The adapter's first lookup also
    // reads the table's metadata item (once).
    expect(signUp.counts).toEqual({ GetItem: 2, TransactWriteItems: 1 })

    const signIn = await measure(() => auth.api.signInEmail({ body: { email, password: "password-123" }, returnHeaders: true }))
    measured.signIn = signIn.counts
    expect(signIn.counts.Scan).toBeUndefined()
    // user by email (the email lookup's copy: one GetItem), accounts of the user (Query on its partition), the new session (TransactWriteItems).
    expect(signIn.counts).toEqual({ GetItem: 1, Query: 1, TransactWriteItems: 1 })
    const headers = cookieHeader(signIn.result.headers)

    const session = await measure(() => auth.api.getSession({ headers }))
    measured.getSession = session.counts
    expect(session.result?.user.email).toBe(email)
    expect(session.counts.Scan).toBeUndefined()
    // the session token item, then the user item: two strongly consistent GetItems.
    expect(session.counts).toEqual({ GetItem: 2 })
    expect(counter.requests.every((r) => r.input.ConsistentRead === true)).toBe(true)

    const list = await measure(() => auth.api.listSessions({ headers }))
    measured.listSessions = list.counts
    expect(list.result).toHaveLength(2)
    expect(list.counts.Scan).toBeUndefined()
    expect(list.counts).toEqual({ GetItem: 2, Query: 1 })

    const signOut = await measure(() => auth.api.signOut({ headers }))
    measured.signOut = signOut.counts
    expect(signOut.counts.Scan).toBeUndefined()
    // findSession (token item, user), deleteSession (Better Auth reads the session before deleting it: token item,
    // then the delete's own lookup by token), one transaction for both session items, then the user's accounts.
    expect(signOut.counts).toEqual({ GetItem: 4, TransactWriteItems: 1, Query: 1 })

    const items = await table.scanAll()
    expect(items.filter((i) => i.type === "USER")).toHaveLength(1)
    expect(items.filter((i) => i.type === "SESSION")).toHaveLength(1)
    expect(items.filter((i) => i.type === "SESSION_TOKEN")).toHaveLength(1)
    expect(items.filter((i) => String(i.pk).startsWith("USER#") && String(i.sk).startsWith("ACCOUNT#credential#"))).toHaveLength(1)
    expect(items.filter((i) => i.type === "ACCOUNT_OWNER")).toHaveLength(1)
    expect(items.filter((i) => i.type === "EMAIL")).toHaveLength(1)
  })

  it("password reset (a verification value written, then consumed once) never Scans", async () => {
    const email = "reset@example.com"
    await auth.api.signUpEmail({ body: { email, password: "password-123", name: "Reset" } })

    const request = await measure(() => auth.api.requestPasswordReset({ body: { email, redirectTo: "http://localhost:3000/reset" } }))
    measured.requestPasswordReset = request.counts
    expect(request.counts.Scan).toBeUndefined()
    // user by email, its accounts, then the verification value with its expiry marker (one transaction).
    expect(request.counts).toEqual({ GetItem: 1, Query: 1, TransactWriteItems: 1 })
    const token = resetTokens.at(-1)!

    const reset = await measure(() => auth.api.resetPassword({ body: { token, newPassword: "new-password-456" } }))
    measured.resetPassword = reset.counts
    // Includes Better Auth's once-a-minute cleanup of expired verification values (a Query on the expiry markers, not a Scan).
    expect(reset.counts.Scan).toBeUndefined()
    expect(reset.counts).toEqual({ Query: 5, GetItem: 7, TransactWriteItems: 1 })
    const replay = await auth.api.resetPassword({ body: { token, newPassword: "third-password-789" } }).catch((e: unknown) => e)
    expect(replay).toMatchObject({ statusCode: 400 })

    const items = await table.scanAll()
    expect(items.filter((i) => i.type === "VERIFICATION")).toEqual([])
    const user = items.find((i) => i.type === "USER" && i.email === email)
    expect(items.find((i) => i.pk === user?.pk && String(i.sk).startsWith("ACCOUNT#credential#"))).toMatchObject({ password: "hashed:new-password-456" })
  })
})
