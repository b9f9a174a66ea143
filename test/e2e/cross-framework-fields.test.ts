/**
 * What one framework writes, the other reads as its own kind of data, and
 * nothing more: Better Auth's password account is no provider account to
 * Auth.js, a token refresh through Better Auth keeps `expires_at` in whole
 * seconds, either framework's deleteUser removes everything of the user,
 * verifying an already verified email keeps its date, and Auth.js sees as
 * Dates only the fields that are dates. All on DynamoDB Local, the stored
 * items asserted.
 */
import type { AdapterUser } from "@auth/core/adapters"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { DynamoDBAdapter } from "../../src/authjs/index.js"
import { testBetterAuth } from "../support/better-auth-app.js"
import { createTestTable, type TestTable } from "../support/test-table.js"

let table: TestTable
let authjs: ReturnType<typeof DynamoDBAdapter>
let betterAuth: ReturnType<typeof testBetterAuth>

beforeAll(async () => {
  table = await createTestTable()
  authjs = DynamoDBAdapter(table.client, { tableName: table.tableName })
  betterAuth = testBetterAuth(table.client, table.tableName, {
    user: { additionalFields: { nickname: { type: "string", required: false } } },
  })
})
afterAll(async () => {
  await table.drop()
})

async function internal() {
  return (await betterAuth.$context).internalAdapter
}

async function itemsOfUser(userId: string) {
  return (await table.scanAll()).filter((item) => item.pk === `USER#${userId}` || item.userId === userId || item.id === userId)
}

async function signUp(email: string): Promise<string> {
  const { user } = await betterAuth.api.signUpEmail({ body: { email, password: "a long enough password", name: "Someone" } })
  return user.id
}

describe("Better Auth's password account is not a provider account to Auth.js", () => {
  let userId: string
  beforeAll(async () => {
    userId = await signUp("pat@example.com")
  })

  it("getUserByAccount({ provider: 'credential', providerAccountId: <user id> }) finds nobody", async () => {
    expect(await authjs.getUserByAccount({ provider: "credential", providerAccountId: userId })).toBeNull()
  })

  it("getAccount(<user id>, 'credential') finds nothing, and the password hash never reaches Auth.js", async () => {
    expect(await authjs.getAccount(userId, "credential")).toBeNull()
  })

  it("unlinkAccount of it removes nothing: Better Auth's sign-in by password still works", async () => {
    expect(await authjs.unlinkAccount({ provider: "credential", providerAccountId: userId })).toBeUndefined()
    expect((await itemsOfUser(userId)).filter((item) => item.pk === `USER#${userId}` && item.sk === `ACCOUNT#credential#${userId}`)).toHaveLength(1)
    const signedIn = await betterAuth.api.signInEmail({ body: { email: "pat@example.com", password: "a long enough password" } })
    expect(signedIn.user.id).toBe(userId)
  })

  it("an Auth.js account of a provider that happens to be named 'credential' is still found", async () => {
    const user = await authjs.createUser({ id: "", email: "quinn@example.com", emailVerified: null })
    await authjs.linkAccount({ userId: user.id, type: "oauth", provider: "credential", providerAccountId: "quinn-sub" })
    expect(await authjs.getUserByAccount({ provider: "credential", providerAccountId: "quinn-sub" })).toMatchObject({ id: user.id })
    expect(await authjs.getAccount("quinn-sub", "credential")).toMatchObject({ userId: user.id, type: "oauth" })
  })
})

describe("a token refresh through Better Auth keeps expires_at in whole epoch seconds", () => {
  it("the stored expires_at is an integer, Auth.js reads it as such, Better Auth reads back its exact instant", async () => {
    const user = await authjs.createUser({ id: "", email: "rory@example.com", emailVerified: null })
    await authjs.linkAccount({ userId: user.id, type: "oidc", provider: "idp", providerAccountId: "rory-sub", access_token: "a1", expires_at: 1_800_000_000 })
    const [account] = (await (await internal()).findAccounts(user.id)) as { id: string }[]
    const accessTokenExpiresAt = new Date("2026-12-01T12:29:42.437Z")
    await (await internal()).updateAccount(account!.id, { accessToken: "a2", accessTokenExpiresAt })

    const [item] = (await itemsOfUser(user.id)).filter((i) => i.pk === `USER#${user.id}` && i.sk === "ACCOUNT#idp#rory-sub")
    expect(item).toMatchObject({ access_token: "a2", expires_at: 1796128182 })
    expect(Number.isInteger(item!.expires_at)).toBe(true)
    expect((await authjs.getAccount("rory-sub", "idp"))?.expires_at).toBe(1796128182)
    const [seen] = (await (await internal()).findAccounts(user.id)) as { accessTokenExpiresAt: Date }[]
    expect(seen!.accessTokenExpiresAt).toEqual(accessTokenExpiresAt)
  })

  it("an expires_at another program writes later wins over Better Auth's older exact instant", async () => {
    const user = await authjs.createUser({ id: "", email: "sam@example.com", emailVerified: null })
    await authjs.linkAccount({ userId: user.id, type: "oidc", provider: "idp", providerAccountId: "sam-sub", expires_at: 1_800_000_000 })
    const [account] = (await (await internal()).findAccounts(user.id)) as { id: string }[]
    await (await internal()).updateAccount(account!.id, { accessTokenExpiresAt: new Date("2026-12-01T12:29:42.437Z") })
    // What @auth/dynamodb-adapter (or any script) does to a token: expires_at alone changes.
    await table.document.update({
      TableName: table.tableName,
      Key: { pk: `USER#${user.id}`, sk: "ACCOUNT#idp#sam-sub" },
      UpdateExpression: "SET expires_at = :e",
      ExpressionAttributeValues: { ":e": 1_900_000_000 },
    })
    const [seen] = (await (await internal()).findAccounts(user.id)) as { accessTokenExpiresAt: Date }[]
    expect(seen!.accessTokenExpiresAt).toEqual(new Date(1_900_000_000_000))
    expect((await authjs.getAccount("sam-sub", "idp"))?.expires_at).toBe(1_900_000_000)
  })
})

describe("deleting a user removes everything of the user, whichever framework deletes", () => {
  const authenticator = (userId: string, credentialID: string) => ({
    credentialID,
    userId,
    providerAccountId: credentialID,
    credentialPublicKey: "key",
    counter: 0,
    credentialDeviceType: "singleDevice",
    credentialBackedUp: false,
  })

  it("Better Auth's deleteUser removes the user's Auth.js authenticators and their credential lookups", async () => {
    const userId = await signUp("tess@example.com")
    await authjs.createAuthenticator(authenticator(userId, "tess-passkey"))
    expect(await authjs.getAuthenticator("tess-passkey")).toMatchObject({ userId })

    await (await internal()).deleteUser(userId)

    expect(await itemsOfUser(userId)).toEqual([])
    expect((await table.scanAll()).filter((item) => String(item.pk).includes("tess"))).toEqual([])
    expect(await authjs.getAuthenticator("tess-passkey")).toBeNull()
  })

  it("Better Auth's delete-user endpoint does the same for a user signed in by password", async () => {
    const { headers } = await betterAuth.api.signUpEmail({ body: { email: "uma@example.com", password: "a long enough password", name: "Uma" }, returnHeaders: true })
    const cookie = new Headers({ cookie: headers.getSetCookie().map((c) => c.split(";")[0]!).join("; ") })
    const session = await betterAuth.api.getSession({ headers: cookie })
    const userId = session!.user.id
    await authjs.createAuthenticator(authenticator(userId, "uma-passkey"))
    const withDelete = testBetterAuth(table.client, table.tableName, { user: { deleteUser: { enabled: true } } })
    await withDelete.api.deleteUser({ body: { password: "a long enough password" }, headers: cookie })
    expect(await itemsOfUser(userId)).toEqual([])
    expect((await table.scanAll()).filter((item) => String(item.pk).includes("uma"))).toEqual([])
  })
})

describe("verifying an email that is already verified keeps its date", () => {
  it("Better Auth's update with emailVerified: true leaves Auth.js's verification date as it was", async () => {
    const verifiedAt = new Date("2024-03-04T05:06:07.089Z")
    const user = await authjs.createUser({ id: "", email: "vic@example.com", emailVerified: verifiedAt })
    await (await internal()).updateUser(user.id, { emailVerified: true, name: "Vic" })

    const [item] = (await itemsOfUser(user.id)).filter((i) => i.sk === `USER#${user.id}`)
    expect(item).toMatchObject({ emailVerified: "2024-03-04T05:06:07.089Z", name: "Vic" })
    expect((await authjs.getUser(user.id))?.emailVerified).toEqual(verifiedAt)
  })

  it("emailVerified: true on an unverified user stamps the time of verification", async () => {
    const user = await authjs.createUser({ id: "", email: "wes@example.com", emailVerified: null })
    const before = Date.now()
    await (await internal()).updateUser(user.id, { emailVerified: true })
    const stamped = (await authjs.getUser(user.id))?.emailVerified
    expect(stamped).toBeInstanceOf(Date)
    expect(stamped!.getTime()).toBeGreaterThanOrEqual(before - 1000)
  })
})

describe("Auth.js sees as Dates only the fields that are dates", () => {
  const isoLooking = "2024-05-06T07:08:09.123Z"

  it("a Better Auth plugin string field that looks like an ISO date stays a string", async () => {
    const { user } = await betterAuth.api.signUpEmail({
      body: { email: "xan@example.com", password: "a long enough password", name: "Xan", nickname: isoLooking } as never,
    })
    const seen = (await authjs.getUser(user.id)) as AdapterUser & { nickname?: unknown }
    expect(seen.nickname).toBe(isoLooking)
    expect(seen.emailVerified).toBeNull()
  })

  it("a custom Auth.js user field holding an ISO-looking string stays a string; emailVerified is a Date", async () => {
    const verifiedAt = new Date("2024-01-02T03:04:05.006Z")
    const created = await authjs.createUser({ id: "", email: "yara@example.com", emailVerified: verifiedAt, bio: isoLooking } as AdapterUser)
    for (const seen of [created, await authjs.getUser(created.id), await authjs.getUserByEmail("yara@example.com")] as (AdapterUser & { bio?: unknown })[]) {
      expect(seen.bio).toBe(isoLooking)
      expect(seen.emailVerified).toEqual(verifiedAt)
    }
  })

  it("a verification token's identifier that looks like a date stays a string; its expires is a Date", async () => {
    const expires = new Date(Date.now() + 3_600_000)
    await authjs.createVerificationToken({ identifier: isoLooking, token: "vt-iso", expires })
    const used = await authjs.useVerificationToken({ identifier: isoLooking, token: "vt-iso" })
    expect(used).toEqual({ identifier: isoLooking, token: "vt-iso", expires })
  })
})
