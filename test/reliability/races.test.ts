/**
 * Races, for real on DynamoDB Local: many calls at once on one email, one
 * token, one provider account and one counter. Smaller versions of the
 * first two live in test/authjs/defects.test.ts (20 createUser, 10 token
 * consumers), test/better-auth/concurrent-sign-up.test.ts (50 sign-ups) and
 * test/better-auth/access-paths.test.ts (10 consumeOne); here the numbers
 * are the (200 / 100 / 50), both front-ends race on one table, and
 * the outcome of every call is tallied.
 */
import type { BetterAuthOptions } from "better-auth"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { DynamoDBAdapter, type DynamoDBAuthjsAdapter } from "../../src/authjs/index.js"
import { singleTableAdapter } from "../../src/better-auth/index.js"
import { createTestTable, localClient, type TestTable } from "../support/test-table.js"
import { makeBetterAuth, tally } from "./support.js"

let table: TestTable
let client: ReturnType<typeof localClient>
let authjs: DynamoDBAuthjsAdapter
let auth: ReturnType<typeof makeBetterAuth>
const measured: Record<string, Record<string, number>> = {}

beforeAll(async () => {
  table = await createTestTable()
  client = localClient()
  authjs = DynamoDBAdapter(table.document, { tableName: table.tableName })
  auth = makeBetterAuth(client, table.tableName)
})

afterAll(async () => {
  console.info("Race outcomes:", JSON.stringify(measured))
  client.destroy()
  await table.drop()
})

const inAnHour = () => new Date(Date.now() + 3_600_000)

async function itemsOf(email: string) {
  const items = await table.scanAll()
  const users = items.filter((i) => i.type === "USER" && i.email === email)
  const lookups = items.filter((i) => i.type === "EMAIL" && i.email === email)
  return { items, users, lookups }
}

function signUpWithBetterAuth(email: string, i: number) {
  return auth.api.signUpEmail({ body: { email, password: "password-123", name: `Racer ${i}` } })
}

describe("200 concurrent sign-ups with one email", () => {
  it("Auth.js createUser: exactly 1 user and 1 email lookup; every loser gets EMAIL_EXISTS", { timeout: 60_000 }, async () => {
    const email = "authjs-race@example.com"
    const results = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => authjs.createUser({ id: `aj-${i}`, email, emailVerified: null })))
    measured.authjsCreateUser = tally(results)
    const { users, lookups } = await itemsOf(email)
    expect(users).toHaveLength(1)
    expect(lookups).toEqual([expect.objectContaining({ userId: users[0]!.id })])
    expect(measured.authjsCreateUser).toEqual({ ok: 1, EMAIL_EXISTS: 199 })
    const winner = results.findIndex((r) => r.status === "fulfilled")
    expect(users[0]!.id).toBe(`aj-${winner}`)
  })

  it("Better Auth signUpEmail: exactly 1 user, email lookup, credential account and session; losers get USER_ALREADY_EXISTS", { timeout: 60_000 }, async () => {
    const email = "ba-race@example.com"
    const results = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => signUpWithBetterAuth(email, i)))
    measured.betterAuthSignUp = tally(results)
    const { items, users, lookups } = await itemsOf(email)
    expect(users).toHaveLength(1)
    expect(lookups).toEqual([expect.objectContaining({ userId: users[0]!.id })])
    const userPartition = items.filter((i) => i.pk === users[0]!.pk)
    expect(userPartition.filter((i) => String(i.sk).startsWith("ACCOUNT#credential#"))).toHaveLength(1)
    expect(userPartition.filter((i) => i.type === "SESSION")).toHaveLength(1)
    // No orphans: every credential account and session of the race belongs to the one user.
    expect(items.filter((i) => String(i.pk).startsWith("USER#") && String(i.sk).startsWith("ACCOUNT#credential#"))).toHaveLength(1)
    expect(items.filter((i) => i.type === "ACCOUNT_OWNER" && i.provider === "credential")).toHaveLength(1)
    expect(measured.betterAuthSignUp).toEqual({ ok: 1, "422 USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL": 199 })
  })

  it("100 through Auth.js and 100 through Better Auth on the same table at once: exactly 1 user", { timeout: 60_000 }, async () => {
    const email = "mixed-race@example.com"
    const calls = Array.from({ length: 200 }, (_, i) =>
      i % 2 === 0 ? authjs.createUser({ id: `mixed-${i}`, email, emailVerified: null }) : signUpWithBetterAuth(email, i),
    )
    const results = await Promise.allSettled(calls)
    const authjsResults = results.filter((_, i) => i % 2 === 0)
    const betterAuthResults = results.filter((_, i) => i % 2 === 1)
    measured.mixedAuthjs = tally(authjsResults)
    measured.mixedBetterAuth = tally(betterAuthResults)
    const { items, users, lookups } = await itemsOf(email)
    expect(users).toHaveLength(1)
    expect(lookups).toEqual([expect.objectContaining({ userId: users[0]!.id })])
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1)
    expect((measured.mixedAuthjs.EMAIL_EXISTS ?? 0) + (measured.mixedBetterAuth["422 USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL"] ?? 0)).toBe(199)
    // The winner's side decides which extra items exist; the losers left none.
    const winnerIsBetterAuth = measured.mixedBetterAuth.ok === 1
    expect(items.filter((i) => i.pk === users[0]!.pk && i.type === "SESSION")).toHaveLength(winnerIsBetterAuth ? 1 : 0)
    expect(items.filter((i) => String(i.pk).startsWith("USER#mixed-") || i.name === "Racer")).toHaveLength(winnerIsBetterAuth ? 0 : 1)
  })
})

describe("100 concurrent consumers of one verification", () => {
  it("Auth.js useVerificationToken: exactly 1 gets the token, the token is gone", async () => {
    await authjs.createVerificationToken({ identifier: "vt-race@example.com", token: "only-once", expires: inAnHour() })
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, () => authjs.useVerificationToken({ identifier: "vt-race@example.com", token: "only-once" })),
    )
    expect(results.every((r) => r.status === "fulfilled")).toBe(true)
    const winners = results.filter((r) => r.status === "fulfilled" && r.value !== null)
    measured.authjsUseVerificationToken = { winners: winners.length, nulls: 100 - winners.length }
    expect(winners).toHaveLength(1)
    expect((await table.scanAll()).filter((i) => i.pk === "VT#vt-race@example.com")).toEqual([])
  })

  it("Better Auth consumeOne of one verification value (by identifier, as Better Auth reads it): exactly 1 winner, the rest null", async () => {
    const adapter = singleTableAdapter({ client, tableName: table.tableName })({})
    await adapter.create({
      model: "verification",
      data: { identifier: "reset-password:race", value: "user-1", expiresAt: inAnHour(), createdAt: new Date(), updatedAt: new Date() },
    })
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, () => adapter.consumeOne<{ value: string }>({ model: "verification", where: [{ field: "identifier", value: "reset-password:race" }] })),
    )
    measured.betterAuthConsumeOne = tally(results.map((r) => (r.status === "fulfilled" && r.value === null ? { status: "rejected", reason: { name: "null" } } : r)))
    expect(measured.betterAuthConsumeOne).toEqual({ ok: 1, null: 99 })
    const won = results.find((r): r is PromiseFulfilledResult<{ value: string } | null> => r.status === "fulfilled" && r.value !== null)
    expect(won?.value).toMatchObject({ value: "user-1" })
    const left = (await table.scanAll()).filter((i) => JSON.stringify(i).includes("reset-password:race"))
    expect(left).toEqual([])
  })
})

describe("50 concurrent links of one provider account to 50 users", () => {
  it("exactly 1 owner; the account items and the lookup item agree", { timeout: 60_000 }, async () => {
    await Promise.all(Array.from({ length: 50 }, (_, i) => authjs.createUser({ id: `linker-${i}`, email: `linker-${i}@example.com`, emailVerified: null })))
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        authjs.linkAccount({ userId: `linker-${i}`, type: "oauth", provider: "github", providerAccountId: "contested", access_token: `token-${i}` }),
      ),
    )
    measured.linkAccount = tally(results)
    expect(measured.linkAccount).toEqual({ ok: 1, ACCOUNT_EXISTS: 49 })
    const winner = `linker-${results.findIndex((r) => r.status === "fulfilled")}`
    const items = await table.scanAll()
    const accountItems = items.filter((i) => String(i.sk) === "ACCOUNT#github#contested" && String(i.pk).startsWith("USER#"))
    const lookups = items.filter((i) => i.pk === "ACCOUNT#github#contested")
    expect(accountItems).toEqual([expect.objectContaining({ pk: `USER#${winner}`, userId: winner, access_token: `token-${winner.slice(7)}` })])
    expect(lookups).toEqual([expect.objectContaining({ userId: winner })])
    expect(await authjs.getUserByAccount({ provider: "github", providerAccountId: "contested" })).toMatchObject({ id: winner })
  })
})

describe("concurrent incrementOne on one rate-limit record", () => {
  it("100 concurrent increments through the adapter: the count goes up by exactly 100", { timeout: 30_000 }, async () => {
    const options: BetterAuthOptions = { rateLimit: { storage: "database", enabled: true } }
    const limiter = singleTableAdapter({ client, tableName: table.tableName })(options)
    await limiter.create({ model: "rateLimit", data: { key: "ip:race", count: 0, lastRequest: 0 } })
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, (_, i) =>
        limiter.incrementOne<{ count: number }>({ model: "rateLimit", where: [{ field: "key", value: "ip:race" }], increment: { count: 1 }, set: { lastRequest: i + 1 } }),
      ),
    )
    measured.incrementOne = tally(results)
    expect(measured.incrementOne).toEqual({ ok: 100 })
    const counts = results.map((r) => (r.status === "fulfilled" ? r.value?.count : undefined))
    // Each call saw its own increment: the returned counts are 1..100, each once.
    expect(new Set(counts).size).toBe(100)
    const record = (await table.scanAll()).find((i) => i.type === "RATE_LIMIT" && i.key === "ip:race")
    expect(record).toMatchObject({ count: 100 })
  })
})
