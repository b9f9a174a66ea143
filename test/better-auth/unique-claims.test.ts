/**
 * Every field a Better Auth schema declares `unique` is enforced by a claim
 * item written in the record's own transaction: under a 50-way race exactly
 * one writer wins, the others get the duplicate error Better Auth gives on
 * SQLite for the same flow, and DynamoDB Local holds one record and one claim.
 *
 * What SQLite (better-sqlite3, Better Auth's own migrations) answers, measured
 * on 1.7.25: a sign-up whose username is taken fails with
 * USERNAME_IS_ALREADY_TAKEN when the plugin's check sees the other user, and
 * with FAILED_TO_CREATE_USER (422) when the insert hits the UNIQUE constraint;
 * a raw adapter create fails with the constraint error ("UNIQUE constraint
 * failed: user.username"); a taken slug is ORGANIZATION_ALREADY_EXISTS.
 */
import { betterAuth } from "better-auth"
import { organization, phoneNumber, username } from "better-auth/plugins"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { singleTableAdapter } from "../../src/better-auth/index.js"
import { DynamoDBAdapter } from "../../src/authjs/index.js"
import { isDynamoAuthAdapterError } from "../../src/core/errors.js"
import { cookieHeader } from "../support/better-auth-app.js"
import { createTestTable, localClient, type TestTable } from "../support/test-table.js"

const RACERS = 50

let table: TestTable
let client: ReturnType<typeof localClient>
let auth: ReturnType<typeof makeAuth>

function makeAuth() {
  return betterAuth({
    secret: "a-test-secret-that-is-long-enough-for-better-auth",
    baseURL: "http://localhost:3000",
    database: singleTableAdapter({ client, tableName: table.tableName }),
    emailAndPassword: { enabled: true, password: { hash: async (p) => `hashed:${p}`, verify: async ({ hash, password }) => hash === `hashed:${password}` } },
    logger: { disabled: true },
    plugins: [username(), organization({ organizationLimit: 1000 }), phoneNumber({ sendOTP: async () => {} })],
  })
}

beforeAll(async () => {
  table = await createTestTable()
  client = localClient()
  auth = makeAuth()
})

afterAll(async () => {
  client.destroy()
  await table.drop()
})

function codeOf(reason: unknown): string {
  const error = reason as { body?: { code?: string }; code?: string }
  return error.body?.code ?? error.code ?? String(reason)
}

async function items(predicate: (item: Record<string, unknown>) => boolean) {
  return (await table.scanAll()).filter(predicate)
}

async function adapter() {
  return (await auth.$context).adapter
}

async function newUsers(prefix: string, count: number): Promise<string[]> {
  const db = await adapter()
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const user = await db.create<{ id: string }>({ model: "user", data: { email: `${prefix}-${i}@example.com`, name: "N", emailVerified: false, createdAt: new Date(), updatedAt: new Date() } })
      return user.id
    }),
  )
}

describe("unique fields under a 50-way race", () => {
  it("username: of 50 concurrent sign-ups exactly one wins; the others get Better Auth's duplicate answers", async () => {
    const results = await Promise.allSettled(
      Array.from({ length: RACERS }, (_, i) => auth.api.signUpEmail({ body: { email: `race-${i}@example.com`, password: "password123", name: "R", username: "raced" } })),
    )
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1)
    const codes = new Set(results.flatMap((r) => (r.status === "rejected" ? [codeOf(r.reason)] : [])))
    for (const code of codes) expect(["USERNAME_IS_ALREADY_TAKEN", "FAILED_TO_CREATE_USER"]).toContain(code)
    expect(await items((item) => item.type === "USER" && item.username === "raced")).toHaveLength(1)
    const claims = await items((item) => item.pk === "UNIQUE#USER#username#raced")
    expect(claims).toHaveLength(1)
    // Losers wrote nothing: no user, no email claim beyond the winner's.
    expect(await items((item) => item.type === "EMAIL" && String(item.email).startsWith("race-"))).toHaveLength(1)
  })

  it("username: a raw create with a taken username fails like SQLite's UNIQUE constraint, naming model and field", async () => {
    const db = await adapter()
    await db.create({ model: "user", data: { email: "first@example.com", name: "F", username: "taken", emailVerified: false, createdAt: new Date(), updatedAt: new Date() } })
    const error = await db
      .create({ model: "user", data: { email: "second@example.com", name: "S", username: "taken", emailVerified: false, createdAt: new Date(), updatedAt: new Date() } })
      .catch((e: unknown) => e)
    expect(isDynamoAuthAdapterError(error, "UNIQUE_VIOLATION")).toBe(true)
    expect((error as Error).message).toContain("UNIQUE constraint failed: user.username")
    expect(await items((item) => item.email === "second@example.com")).toEqual([])
  })

  it("phoneNumber: of 50 users setting one number at once exactly one holds it", async () => {
    const ids = await newUsers("phone", RACERS)
    const db = await adapter()
    const results = await Promise.allSettled(ids.map((id) => db.update({ model: "user", where: [{ field: "id", value: id }], update: { phoneNumber: "+15550009999" } })))
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1)
    for (const r of results) if (r.status === "rejected") expect(codeOf(r.reason)).toBe("UNIQUE_VIOLATION")
    const holders = await items((item) => item.type === "USER" && item.phoneNumber === "+15550009999")
    expect(holders).toHaveLength(1)
    const [claim] = await items((item) => item.pk === "UNIQUE#USER#phoneNumber#+15550009999")
    expect(claim?.ownerId).toBe(holders[0]!.id)
  })

  it("a value changing hands: the old claim is released in the update's transaction and can be taken", async () => {
    const [a, b] = await newUsers("hands", 2)
    const db = await adapter()
    await db.update({ model: "user", where: [{ field: "id", value: a! }], update: { username: "handed" } })
    await db.update({ model: "user", where: [{ field: "id", value: a! }], update: { username: "handed-2" } })
    await db.update({ model: "user", where: [{ field: "id", value: b! }], update: { username: "handed" } })
    expect((await items((item) => item.pk === "UNIQUE#USER#username#handed"))[0]?.ownerId).toBe(b)
    expect((await items((item) => item.pk === "UNIQUE#USER#username#handed-2"))[0]?.ownerId).toBe(a)
    const found = await db.findOne<{ id: string }>({ model: "user", where: [{ field: "username", value: "handed" }] })
    expect(found?.id).toBe(b)
  })

  it("deleting a user releases its claims", async () => {
    const [id] = await newUsers("gone", 1)
    const db = await adapter()
    await db.update({ model: "user", where: [{ field: "id", value: id! }], update: { username: "released" } })
    await db.delete({ model: "user", where: [{ field: "id", value: id! }] })
    expect(await items((item) => item.pk === "UNIQUE#USER#username#released")).toEqual([])
  })

  it("organization.slug: of 50 concurrent creations exactly one wins", async () => {
    const response = await auth.api.signUpEmail({ body: { email: "org-owner@example.com", password: "password123", name: "O", username: "orgowner" }, returnHeaders: true })
    const headers = cookieHeader(response.headers)
    const results = await Promise.allSettled(Array.from({ length: RACERS }, () => auth.api.createOrganization({ body: { name: "Same", slug: "same-slug" }, headers })))
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1)
    for (const r of results) if (r.status === "rejected") expect(["ORGANIZATION_ALREADY_EXISTS", "UNIQUE_VIOLATION"]).toContain(codeOf(r.reason))
    const orgs = await items((item) => item.type === "ORGANIZATION" && item.slug === "same-slug")
    expect(orgs).toHaveLength(1)
    const claims = await items((item) => item.pk === "UNIQUE#ORGANIZATION#slug#same-slug")
    expect(claims).toHaveLength(1)
    expect(claims[0]!.ownerId).toBe(orgs[0]!.id)
    // The losers' owner memberships were not left behind either.
    expect(await items((item) => item.type === "MEMBER" && item.organizationId !== orgs[0]!.id && item.role === "owner" && item.userId === response.response.user.id)).toEqual([])
  })

  it("organization.slug on update: of 50 organizations renamed to one slug at once exactly one gets it", async () => {
    const db = await adapter()
    const orgs = await Promise.all(
      Array.from({ length: RACERS }, (_, i) => db.create<{ id: string }>({ model: "organization", data: { name: `O${i}`, slug: `slug-${i}`, createdAt: new Date() } })),
    )
    const results = await Promise.allSettled(orgs.map((o) => db.update({ model: "organization", where: [{ field: "id", value: o.id }], update: { slug: "renamed" } })))
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1)
    for (const r of results) if (r.status === "rejected") expect(codeOf(r.reason)).toBe("UNIQUE_VIOLATION")
    const winner = await items((item) => item.type === "ORGANIZATION" && item.slug === "renamed")
    expect(winner).toHaveLength(1)
    expect((await items((item) => item.pk === "UNIQUE#ORGANIZATION#slug#renamed"))[0]?.ownerId).toBe(winner[0]!.id)
    // The winner's old slug was released in its transaction; the losers keep theirs.
    expect(await items((item) => String(item.pk).startsWith("UNIQUE#ORGANIZATION#slug#slug-"))).toHaveLength(RACERS - 1)
  })

  describe("a claim left behind never blocks", () => {
    it("a username claim whose user was deleted through Auth.js (which knows no usernames) is replaced at sign-up", async () => {
      const first = await auth.api.signUpEmail({ body: { email: "left@example.com", password: "password123", name: "L", username: "leftbehind" } })
      // Auth.js deletes the user with everything it knows of; the username claim stays.
      await DynamoDBAdapter(table.document, { tableName: table.tableName }).deleteUser!(first.user.id)
      expect(await items((item) => item.pk === "UNIQUE#USER#username#leftbehind")).toHaveLength(1)
      // Sign-up runs in a Better Auth transaction: the stale claim is found at the commit and replaced.
      const second = await auth.api.signUpEmail({ body: { email: "again@example.com", password: "password123", name: "A", username: "leftbehind" } })
      const [claim] = await items((item) => item.pk === "UNIQUE#USER#username#leftbehind")
      expect(claim?.ownerId).toBe(second.user.id)
    })

    it("outside a transaction too: an update takes a value whose claim names a user that no longer holds it", async () => {
      const [holder, taker] = await newUsers("stale", 2)
      const db = await adapter()
      await db.update({ model: "user", where: [{ field: "id", value: holder! }], update: { phoneNumber: "+15550004242" } })
      // Another program changes the user behind the library's back: the claim is stale.
      await table.document.update({ TableName: table.tableName, Key: { pk: `USER#${holder}`, sk: `USER#${holder}` }, UpdateExpression: "REMOVE phoneNumber" })
      await db.update({ model: "user", where: [{ field: "id", value: taker! }], update: { phoneNumber: "+15550004242" } })
      const [claim] = await items((item) => item.pk === "UNIQUE#USER#phoneNumber#+15550004242")
      expect(claim?.ownerId).toBe(taker)
    })
  })
})
