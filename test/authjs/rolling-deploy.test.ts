/**
 * A rolling deploy: `@auth/dynamodb-adapter` 2.11.3 (the old instances) and
 * this library (Auth.js front-end and Better Auth, the new ones) on ONE
 * table, interleaved. Where the official adapter may write, what it writes
 * is the truth: this library's own items (session token items, email
 * claims, copies) are hints checked against it, never a source that
 * outlives or contradicts it.
 */
import { DynamoDBAdapter as OfficialAdapter } from "@auth/dynamodb-adapter"
import type { Adapter, AdapterUser } from "@auth/core/adapters"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { DynamoDBAdapter, type DynamoDBAuthjsAdapter } from "../../src/authjs/index.js"
import { runBackfill } from "../../src/core/backfill/index.js"
import { TableClient } from "../../src/core/client/table-client.js"
import { testBetterAuth } from "../support/better-auth-app.js"
import { createTestTable, localClient, type TestTable } from "../support/test-table.js"

type Official = Required<Pick<Adapter, keyof ReturnType<typeof OfficialAdapter>>>

let table: TestTable
let ours: DynamoDBAuthjsAdapter
let official: Official
let betterAuth: ReturnType<typeof testBetterAuth>
const betterAuthClient = localClient()

beforeAll(async () => {
  // A table the official adapter writes to: no "lookups complete" marker.
  table = await createTestTable({ legacy: true })
  ours = DynamoDBAdapter(table.document, { tableName: table.tableName })
  official = OfficialAdapter(table.document, { tableName: table.tableName }) as Official
  betterAuth = testBetterAuth(betterAuthClient, table.tableName)
})
afterAll(async () => {
  betterAuthClient.destroy()
  await table.drop()
})

const inAnHour = () => new Date(Math.floor(Date.now() / 1000) * 1000 + 3_600_000)
const inAMonth = () => new Date(Math.floor(Date.now() / 1000) * 1000 + 30 * 86_400_000)
const internal = async () => (await betterAuth.$context).internalAdapter
const itemAt = async (pk: string, sk = pk) => (await table.scanAll()).find((item) => item.pk === pk && item.sk === sk)
const usersWithEmail = async (email: string) => (await table.scanAll()).filter((item) => item.type === "USER" && item.email === email)

async function signUpWithBetterAuth(email: string) {
  return betterAuth.api.signUpEmail({ body: { email, password: "password-123", name: "Better Auth" } })
}

describe("sessions: the session item is the truth", () => {
  it("a session signed out through the official adapter is gone for this library and for Better Auth (its token item with it)", async () => {
    await ours.createUser({ id: "out", email: "out@example.com", emailVerified: null })
    await ours.createSession({ sessionToken: "tok-out", userId: "out", expires: inAnHour() })
    expect(await itemAt("SESSION#tok-out")).toBeDefined()

    await official.deleteSession("tok-out")

    expect(await ours.getSessionAndUser("tok-out")).toBeNull()
    expect(await (await internal()).findSession("tok-out")).toBeNull()
    // The token item, the only thing the official adapter did not delete, is gone too: it can never come back to life.
    expect(await itemAt("SESSION#tok-out")).toBeUndefined()
  })

  it("a session extended through the official adapter is read with its new expiry, and its token item catches up", async () => {
    await ours.createUser({ id: "ext", email: "ext@example.com", emailVerified: null })
    await ours.createSession({ sessionToken: "tok-ext", userId: "ext", expires: inAnHour() })
    const later = inAMonth()

    await official.updateSession({ sessionToken: "tok-ext", expires: later })

    expect((await ours.getSessionAndUser("tok-ext"))?.session.expires).toEqual(later)
    expect((await (await internal()).findSession("tok-ext"))?.session.expiresAt).toEqual(later)
    expect((await itemAt("SESSION#tok-ext"))?.expires).toBe(later.getTime() / 1000)
  })

  it("get session stays two sequential requests on a legacy table: the token item, then the session item and the user in one BatchGetItem", async () => {
    await ours.createUser({ id: "cnt", email: "cnt@example.com", emailVerified: null })
    await ours.createSession({ sessionToken: "tok-cnt", userId: "cnt", expires: inAnHour() })
    await ours.getSessionAndUser("tok-cnt") // the table's marker is read (and found missing) once per adapter
    table.counter.reset()
    expect((await ours.getSessionAndUser("tok-cnt"))?.user.id).toBe("cnt")
    expect(table.counter.byCommand()).toEqual({ GetItem: 1, BatchGetItem: 1 })
  })
})

describe("users by email: the user item is the truth", () => {
  it("after an official email change, the old email finds no one (GSI1 keys the official adapter left behind)", async () => {
    const user = (await official.createUser({ id: "", email: "before@example.com", emailVerified: null })) as AdapterUser
    await official.updateUser({ id: user.id, email: "after@example.com" })
    // The official adapter leaves the user's GSI1 keys on the old email.
    expect((await itemAt(`USER#${user.id}`))?.GSI1PK).toBe("USER#before@example.com")

    expect(await ours.getUserByEmail("before@example.com")).toBeNull()
    expect(await (await internal()).findUserByEmail("before@example.com")).toBeNull()
  })

  it("after an official email change of a user with an email claim, the old email finds no one and can be taken", async () => {
    await ours.createUser({ id: "claimed", email: "old-claim@example.com", emailVerified: null })
    await official.updateUser({ id: "claimed", email: "new-claim@example.com" } as AdapterUser)

    expect(await ours.getUserByEmail("old-claim@example.com")).toBeNull()
    expect(await (await internal()).findUserByEmail("old-claim@example.com")).toBeNull()
    // The claim left behind is stale (its owner has another email): it blocks no one.
    await ours.createUser({ id: "taker", email: "old-claim@example.com", emailVerified: null })
    expect((await itemAt("EMAIL#old-claim@example.com"))?.userId).toBe("taker")
  })

  it('getUserByEmail("undefined") finds none of the official adapter\'s users without an email (it writes USER#undefined)', async () => {
    const user = (await official.createUser({ id: "", email: undefined as unknown as string, emailVerified: null, name: "No email" })) as AdapterUser
    expect((await itemAt(`USER#${user.id}`))?.GSI1PK).toBe("USER#undefined")

    expect(await ours.getUserByEmail("undefined")).toBeNull()
    expect(await (await internal()).findUserByEmail("undefined")).toBeNull()
  })
})

describe("one user per email, legacy users included", () => {
  it("createUser with an email a legacy user holds is refused with EMAIL_EXISTS, through both front-ends", async () => {
    await official.createUser({ id: "", email: "legacy-holder@example.com", emailVerified: null })

    await expect(ours.createUser({ id: "second", email: "legacy-holder@example.com", emailVerified: null })).rejects.toMatchObject({ code: "EMAIL_EXISTS" })
    await expect(signUpWithBetterAuth("legacy-holder@example.com")).rejects.toMatchObject({ statusCode: 422 })
    expect(await usersWithEmail("legacy-holder@example.com")).toHaveLength(1)
    expect(await itemAt("USER#second")).toBeUndefined()
  })

  it("an email change to an email a legacy user holds is refused with EMAIL_EXISTS", async () => {
    await official.createUser({ id: "", email: "legacy-target@example.com", emailVerified: null })
    await ours.createUser({ id: "mover", email: "mover@example.com", emailVerified: null })

    await expect(ours.updateUser({ id: "mover", email: "legacy-target@example.com" })).rejects.toMatchObject({ code: "EMAIL_EXISTS" })
    expect((await itemAt("USER#mover"))?.email).toBe("mover@example.com")
  })

  it("after a backfill, an email two legacy users share still takes no third user", async () => {
    await official.createUser({ id: "", email: "twice@example.com", emailVerified: null })
    await official.createUser({ id: "", email: "twice@example.com", emailVerified: null })
    const result = await runBackfill(new TableClient({ names: table.names, client: table.client }))
    expect(result.conflicts.map((c) => c.what)).toContain('email "twice@example.com"')

    await expect(ours.createUser({ id: "third", email: "twice@example.com", emailVerified: null })).rejects.toMatchObject({ code: "EMAIL_EXISTS" })
    await expect(signUpWithBetterAuth("twice@example.com")).rejects.toMatchObject({ statusCode: 422 })
    expect(await usersWithEmail("twice@example.com")).toHaveLength(2)
  })

  it("the email of a user the official adapter deleted signs up again through Better Auth (the stale claim is replaced at the commit)", async () => {
    await ours.createUser({ id: "deleted-officially", email: "reborn@example.com", emailVerified: null })
    await official.deleteUser("deleted-officially")
    expect((await itemAt("EMAIL#reborn@example.com"))?.userId).toBe("deleted-officially")

    const { user } = await signUpWithBetterAuth("reborn@example.com")

    expect((await itemAt("EMAIL#reborn@example.com"))?.userId).toBe(user.id)
    expect((await usersWithEmail("reborn@example.com")).map((item) => item.id)).toEqual([user.id])
  })

  it("the email and provider account of a user the official adapter deleted sign up again through Better Auth's OAuth flow", async () => {
    await ours.createUser({ id: "oauth-gone", email: "oauth-reborn@example.com", emailVerified: null })
    await ours.linkAccount({ userId: "oauth-gone", type: "oidc", provider: "mock", providerAccountId: "sub-reborn" })
    await official.deleteUser("oauth-gone")

    const { user } = await (await internal()).createOAuthUser(
      { email: "oauth-reborn@example.com", name: "Reborn", emailVerified: true },
      { providerId: "mock", accountId: "sub-reborn" },
    )

    expect((await itemAt("EMAIL#oauth-reborn@example.com"))?.userId).toBe(user.id)
    expect((await itemAt("ACCOUNT#mock#sub-reborn"))?.userId).toBe(user.id)
  })

  it("the email of a user the official adapter deleted signs up again through Auth.js", async () => {
    await ours.createUser({ id: "deleted-again", email: "reborn-authjs@example.com", emailVerified: null })
    await official.deleteUser("deleted-again")

    await ours.createUser({ id: "reborn-authjs", email: "reborn-authjs@example.com", emailVerified: null })

    expect((await itemAt("EMAIL#reborn-authjs@example.com"))?.userId).toBe("reborn-authjs")
  })
})
