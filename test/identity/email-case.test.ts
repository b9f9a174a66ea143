/**
 * One person per email, whatever its case, across Auth.js and Better Auth:
 * claims and lookups use the normalized email (`normalizeEmail`: ECMAScript
 * `toLowerCase()`, what both frameworks apply on their own flows); the
 * stored `email` and the official GSI1 keys keep the email as given.
 * Legacy users (written by `@auth/dynamodb-adapter`, no claim) are found
 * case-insensitively once a backfill gave them their claim; before that,
 * only by the exact form they were stored with, or by any case when they
 * were stored in lowercase.
 */
import { DynamoDBAdapter as OfficialAdapter } from "@auth/dynamodb-adapter"
import type { Adapter, AdapterUser } from "@auth/core/adapters"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { DynamoDBAdapter, type DynamoDBAuthjsAdapter } from "../../src/authjs/index.js"
import { runBackfill } from "../../src/core/backfill/index.js"
import { TableClient } from "../../src/core/client/table-client.js"
import { normalizeEmail } from "../../src/table/entities.js"
import { testBetterAuth } from "../support/better-auth-app.js"
import { createTestTable, localClient, type TestTable } from "../support/test-table.js"

type Official = Required<Pick<Adapter, keyof ReturnType<typeof OfficialAdapter>>>

/** Auth.js (this library), Better Auth and, on a legacy table, the official adapter, on one table. */
function useTable(legacy: boolean) {
  const context = {} as { table: TestTable; ours: DynamoDBAuthjsAdapter; official: Official; betterAuth: ReturnType<typeof testBetterAuth> }
  const client = localClient()
  beforeAll(async () => {
    context.table = await createTestTable({ legacy })
    context.ours = DynamoDBAdapter(context.table.document, { tableName: context.table.tableName })
    context.official = OfficialAdapter(context.table.document, { tableName: context.table.tableName }) as Official
    context.betterAuth = testBetterAuth(client, context.table.tableName)
  })
  afterAll(async () => {
    client.destroy()
    await context.table.drop()
  })
  const items = () => context.table.scanAll()
  const itemAt = async (pk: string, sk = pk) => (await items()).find((item) => item.pk === pk && item.sk === sk)
  const users = async (email: string) => (await items()).filter((item) => item.type === "USER" && normalizeEmail(String(item.email)) === normalizeEmail(email))
  const internal = async () => (await context.betterAuth.$context).internalAdapter
  const findAnyCase = async (email: string) =>
    (await context.betterAuth.$context).adapter.findOne<{ id: string }>({ model: "user", where: [{ field: "email", value: email, mode: "insensitive" }] })
  const signUp = (email: string) => context.betterAuth.api.signUpEmail({ body: { email, password: "password-123", name: "Better Auth" } })
  return { context, itemAt, users, internal, signUp, findAnyCase }
}

describe("the normalization", () => {
  it("is toLowerCase and nothing more: É is é, but no Unicode normalization and no locale rules", () => {
    expect(normalizeEmail("Alice@Example.COM")).toBe("alice@example.com")
    expect(normalizeEmail("ÉLODIE@Exemple.fr")).toBe("élodie@exemple.fr")
    // A decomposed é (e + U+0301) stays another string: a mail server may tell them apart.
    expect(normalizeEmail("E\u0301lodie@exemple.fr")).toBe("e\u0301lodie@exemple.fr")
    // No case folding (ß is not ss) and no Turkish dotless i: the same on every server, whatever its locale.
    expect(normalizeEmail("STRAßE@example.de")).toBe("straße@example.de")
    expect(normalizeEmail("I@example.tr")).toBe("i@example.tr")
  })
})

describe("on a table made by create-table (the fast path)", () => {
  const { context, itemAt, users, internal, signUp, findAnyCase } = useTable(false)

  it("an Auth.js user Alice@Example.COM takes Better Auth's alice@example.com: a second sign-up is refused", async () => {
    const alice = await context.ours.createUser({ id: "alice", email: "Alice@Example.COM", emailVerified: null })

    // Better Auth's own lookup (a where naming no mode) finds the Auth.js user through the claim; so does an insensitive one.
    expect((await (await internal()).findUserByEmail("alice@example.com"))?.user.id).toBe(alice.id)
    expect((await findAnyCase("alice@example.com"))?.id).toBe(alice.id)
    // An exact comparison asked for explicitly stays exact.
    const exact = await (await context.betterAuth.$context).adapter.findOne({ model: "user", where: [{ field: "email", value: "alice@example.com", mode: "sensitive" }] })
    expect(exact).toBeNull()
    // Its sign-up claims the normalized email, which the Auth.js user holds: refused, no second user.
    await expect(signUp("alice@example.com")).rejects.toMatchObject({ statusCode: 422 })
    expect((await users("alice@example.com")).map((u) => u.id)).toEqual(["alice"])
    // Stored as given, claimed normalized.
    expect(await itemAt("USER#alice")).toMatchObject({ email: "Alice@Example.COM", GSI1PK: "USER#Alice@Example.COM", GSI1SK: "USER#Alice@Example.COM" })
    expect(await itemAt("EMAIL#alice@example.com")).toMatchObject({ email: "alice@example.com", userId: "alice" })
  })

  it("a Better Auth user bob@example.com is Auth.js's BOB@Example.com: found, and createUser refused with EMAIL_EXISTS", async () => {
    const { user } = await signUp("bob@example.com")

    expect((await context.ours.getUserByEmail("BOB@Example.com"))?.id).toBe(user.id)
    await expect(context.ours.createUser({ id: "bob-2", email: "Bob@Example.com", emailVerified: null })).rejects.toMatchObject({ code: "EMAIL_EXISTS" })
    expect((await users("bob@example.com")).map((u) => u.id)).toEqual([user.id])
  })

  it("getUserByEmail in another case is still one GetItem", async () => {
    await context.ours.createUser({ id: "counted", email: "Counted@Example.com", emailVerified: null })
    context.table.counter.reset()
    expect((await context.ours.getUserByEmail("COUNTED@example.COM"))?.id).toBe("counted")
    expect(context.table.counter.byCommand()).toEqual({ GetItem: 1 })
  })

  it("an email change of case only keeps the claim and moves the GSI1 keys", async () => {
    await context.ours.createUser({ id: "carol", email: "Carol@Example.com", emailVerified: null })

    const updated = await context.ours.updateUser({ id: "carol", email: "carol@example.com" })

    expect(updated.email).toBe("carol@example.com")
    expect(await itemAt("USER#carol")).toMatchObject({ email: "carol@example.com", GSI1PK: "USER#carol@example.com" })
    expect(await itemAt("EMAIL#carol@example.com")).toMatchObject({ userId: "carol", user: expect.objectContaining({ email: "carol@example.com" }) })
    expect((await context.ours.getUserByEmail("CAROL@example.com"))?.email).toBe("carol@example.com")
  })

  it("an email change to another user's email in another case is refused with EMAIL_EXISTS", async () => {
    await context.ours.createUser({ id: "dan", email: "dan@example.com", emailVerified: null })
    await context.ours.createUser({ id: "eve", email: "eve@example.com", emailVerified: null })

    await expect(context.ours.updateUser({ id: "eve", email: "DAN@example.com" })).rejects.toMatchObject({ code: "EMAIL_EXISTS" })
    expect((await itemAt("USER#eve"))?.email).toBe("eve@example.com")
  })

  it("deleteUser releases the normalized claim: the email signs up again in any case", async () => {
    await context.ours.createUser({ id: "gone", email: "Gone@Example.com", emailVerified: null })
    await context.ours.deleteUser("gone")
    expect(await itemAt("EMAIL#gone@example.com")).toBeUndefined()

    const { user } = await signUp("gone@example.com")
    expect((await itemAt("EMAIL#gone@example.com"))?.userId).toBe(user.id)
  })
})

describe("on a legacy table (the official adapter wrote users without claims)", () => {
  const { context, itemAt, users, signUp, findAnyCase } = useTable(true)

  it("a legacy user stored in lowercase is found in any case before a backfill, and its email is taken in any case", async () => {
    const dave = (await context.official.createUser({ id: "", email: "dave@example.com", emailVerified: null })) as AdapterUser

    expect((await context.ours.getUserByEmail("Dave@Example.com"))?.id).toBe(dave.id)
    await expect(context.ours.createUser({ id: "dave-2", email: "DAVE@example.com", emailVerified: null })).rejects.toMatchObject({ code: "EMAIL_EXISTS" })
    expect(await users("dave@example.com")).toHaveLength(1)
  })

  it("before a backfill, a legacy user stored with capitals is found only by the exact form it was stored with (the documented limit)", async () => {
    const erin = (await context.official.createUser({ id: "", email: "Erin@Example.COM", emailVerified: null })) as AdapterUser

    expect((await context.ours.getUserByEmail("Erin@Example.COM"))?.id).toBe(erin.id)
    // GSI1 keys it as USER#Erin@Example.COM, and it has no claim yet: another case cannot reach it.
    expect(await context.ours.getUserByEmail("erin@example.com")).toBeNull()
  })

  it("after a backfill, that user is found in any case and its email is taken in any case, through both front-ends", async () => {
    const frank = (await context.official.createUser({ id: "", email: "Frank@Example.COM", emailVerified: null })) as AdapterUser

    await runBackfill(new TableClient({ names: context.table.names, client: context.table.client }))

    expect(await itemAt("EMAIL#frank@example.com")).toMatchObject({ userId: frank.id, email: "frank@example.com" })
    expect((await context.ours.getUserByEmail("frank@example.com"))?.id).toBe(frank.id)
    expect((await findAnyCase("frank@example.com"))?.id).toBe(frank.id)
    await expect(context.ours.createUser({ id: "frank-2", email: "FRANK@example.com", emailVerified: null })).rejects.toMatchObject({ code: "EMAIL_EXISTS" })
    await expect(signUp("frank@example.com")).rejects.toMatchObject({ statusCode: 422 })
    expect((await users("frank@example.com")).map((u) => u.id)).toEqual([frank.id])
  })

  it("the backfill reports two legacy users whose emails differ only in case as a conflict, and claims neither", async () => {
    const upper = (await context.official.createUser({ id: "", email: "Grace@Example.com", emailVerified: null })) as AdapterUser
    const lower = (await context.official.createUser({ id: "", email: "grace@example.com", emailVerified: null })) as AdapterUser

    const result = await runBackfill(new TableClient({ names: context.table.names, client: context.table.client }))

    const conflict = result.conflicts.find((c) => c.kind === "email" && c.what.toLowerCase().includes("grace@example.com"))
    expect(conflict?.userIds.sort()).toEqual([upper.id, lower.id].sort())
    // Whichever was scanned first: a claim written before the conflict showed is taken back.
    expect(await itemAt("EMAIL#grace@example.com")).toBeUndefined()
    expect(result.counts.written.email).toBe(0)
  })
})
