/**
 * Drop-in compatibility with @auth/dynamodb-adapter 2.11.3, both ways, for
 * every item kind the official adapter has (user, account, session,
 * verification token): what one writes, the other reads back, and both
 * return the same thing for the same data.
 */
import { DynamoDBAdapter as OfficialAdapter, format } from "@auth/dynamodb-adapter"
import type { Adapter, AdapterAccount, AdapterUser } from "@auth/core/adapters"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { DynamoDBAdapter, type DynamoDBAuthjsAdapter } from "../../src/authjs/index.js"
import { createTestTable, type TestTable } from "../support/test-table.js"

/**
 * What the official adapter returns, without this library's protocol
 * attributes on the user item (`userVersion`, `userLinks`): the official
 * adapter returns every attribute it does not know as part of the user.
 */
function withoutProtocol<T>(value: T): T {
  if (value === null || typeof value !== "object") return value
  const strip = (user: Record<string, unknown>) => {
    const { userVersion: _version, userLinks: _links, ...rest } = user
    return rest
  }
  const record = value as Record<string, unknown>
  if ("user" in record && "session" in record) return { ...record, user: strip(record.user as Record<string, unknown>) } as T
  return strip(record) as T
}

let table: TestTable
let ours: DynamoDBAuthjsAdapter
let official: Required<Pick<Adapter, keyof ReturnType<typeof OfficialAdapter>>>
beforeAll(async () => {
  // The official adapter writes here too: a table without the "lookups complete" marker.
  table = await createTestTable({ legacy: true })
  ours = DynamoDBAdapter(table.document, { tableName: table.tableName })
  official = OfficialAdapter(table.document, { tableName: table.tableName }) as typeof official
})
afterAll(async () => {
  await table.drop()
})

const rawItem = async (pk: string, sk: string) => (await table.scanAll()).find((i) => i.pk === pk && i.sk === sk)
const inAnHour = () => new Date(Math.floor(Date.now() / 1000) * 1000 + 3_600_123)

const account = (userId: string, providerAccountId: string): AdapterAccount => ({
  userId,
  type: "oidc",
  provider: "mock",
  providerAccountId,
  access_token: "at",
  refresh_token: "rt",
  id_token: "idt",
  expires_at: 1_900_000_000,
  token_type: "bearer",
  scope: "openid email",
  session_state: "state",
})

describe("written by @auth/dynamodb-adapter, read by ours", () => {
  it("user: getUser, getUserByEmail return what the official adapter returns", async () => {
    const created = (await official.createUser({
      id: "",
      email: "legacy@example.com",
      emailVerified: new Date("2023-03-04T05:06:07.089Z"),
      name: "Legacy",
      image: "https://img",
    })) as AdapterUser
    const expected = await official.getUser(created.id)
    expect(expected).toEqual(created)
    expect(await ours.getUser(created.id)).toEqual(expected)
    expect(await ours.getUserByEmail("legacy@example.com")).toEqual(await official.getUserByEmail("legacy@example.com"))
  })

  it("account: getUserByAccount, getAccount and unlinkAccount return what the official adapter returns", async () => {
    const user = (await official.createUser({ id: "", email: "acc@example.com", emailVerified: null })) as AdapterUser
    await official.linkAccount(account(user.id, "legacy-sub"))
    expect(await ours.getUserByAccount({ provider: "mock", providerAccountId: "legacy-sub" })).toEqual(
      await official.getUserByAccount({ provider: "mock", providerAccountId: "legacy-sub" }),
    )
    const stored = format.from<AdapterAccount>(await rawItem(`USER#${user.id}`, "ACCOUNT#mock#legacy-sub"))
    expect(await ours.getAccount("legacy-sub", "mock")).toEqual(stored)
    // The first read wrote the missing lookup item: the account is now claimed.
    await expect(ours.linkAccount(account("someone-else", "legacy-sub"))).rejects.toMatchObject({ code: "ACCOUNT_EXISTS" })
    expect(await ours.unlinkAccount({ provider: "mock", providerAccountId: "legacy-sub" })).toEqual(stored)
    expect((await table.scanAll()).filter((i) => JSON.stringify(i).includes("legacy-sub"))).toEqual([])
  })

  it("session: getSessionAndUser, updateSession, deleteSession return what the official adapter returns", async () => {
    const user = (await official.createUser({ id: "", email: "sess@example.com", emailVerified: null })) as AdapterUser
    await official.createSession({ sessionToken: "legacy-tok", userId: user.id, expires: inAnHour() })
    const expected = await official.getSessionAndUser("legacy-tok")
    expect(expected).not.toBeNull()
    expect(await ours.getSessionAndUser("legacy-tok")).toEqual(expected)
    const later = new Date(inAnHour().getTime() + 60_000)
    const updated = await ours.updateSession({ sessionToken: "legacy-tok", expires: later })
    expect(updated).toEqual({ ...expected!.session, expires: later })
    expect(withoutProtocol(await official.getSessionAndUser("legacy-tok"))).toEqual({ session: updated, user: expected!.user })
    expect(await ours.deleteSession("legacy-tok")).toEqual(updated)
    expect((await table.scanAll()).filter((i) => JSON.stringify(i).includes("legacy-tok"))).toEqual([])
  })

  it("verification token: useVerificationToken returns what the official adapter stored", async () => {
    const token = { identifier: "vt-legacy@example.com", token: "abc", expires: inAnHour() }
    await official.createVerificationToken(token)
    expect(await ours.useVerificationToken({ identifier: token.identifier, token: token.token })).toEqual(token)
  })

  it("updateUser moves the email of a user without a lookup item, and deleteUser removes everything", async () => {
    const user = (await official.createUser({ id: "", email: "old-legacy@example.com", emailVerified: null })) as AdapterUser
    await official.linkAccount(account(user.id, "legacy-2"))
    await official.createSession({ sessionToken: "legacy-tok-2", userId: user.id, expires: inAnHour() })
    const updated = await ours.updateUser({ id: user.id, email: "new-legacy@example.com" })
    expect(updated).toEqual({ ...user, email: "new-legacy@example.com" })
    expect(withoutProtocol(await official.getUserByEmail("new-legacy@example.com"))).toEqual(updated)
    await ours.deleteUser(user.id)
    expect((await table.scanAll()).filter((i) => JSON.stringify(i).includes(user.id))).toEqual([])
  })
})

describe("written by ours, read by @auth/dynamodb-adapter", () => {
  it("user: the official getUser, getUserByEmail return what ours returns", async () => {
    const created = await ours.createUser({ id: "ours-1", email: "ours@example.com", emailVerified: new Date("2024-02-03T04:05:06.007Z"), name: "Ours" })
    expect(withoutProtocol(await official.getUser("ours-1"))).toEqual(created)
    expect(withoutProtocol(await official.getUserByEmail("ours@example.com"))).toEqual(await ours.getUserByEmail("ours@example.com"))
    const updated = await ours.updateUser({ id: "ours-1", email: "ours-new@example.com" })
    expect(withoutProtocol(await official.getUserByEmail("ours-new@example.com"))).toEqual(updated)
    expect(withoutProtocol(await official.getUserByEmail("ours@example.com"))).toBeNull()
  })

  it("account: the official getUserByAccount and unlinkAccount read ours", async () => {
    await ours.createUser({ id: "ours-2", email: "ours2@example.com", emailVerified: null })
    await ours.linkAccount(account("ours-2", "ours-sub"))
    expect(withoutProtocol(await official.getUserByAccount({ provider: "mock", providerAccountId: "ours-sub" }))).toEqual(await ours.getUser("ours-2"))
    const mine = await ours.getAccount("ours-sub", "mock")
    expect(mine).toEqual({ ...account("ours-2", "ours-sub"), id: expect.any(String) })
    expect(await official.unlinkAccount({ provider: "mock", providerAccountId: "ours-sub" })).toEqual(mine)
  })

  it("session: the official getSessionAndUser, updateSession, deleteSession read ours", async () => {
    await ours.createUser({ id: "ours-3", email: "ours3@example.com", emailVerified: null })
    const session = await ours.createSession({ sessionToken: "ours-tok", userId: "ours-3", expires: inAnHour() })
    const mine = await ours.getSessionAndUser("ours-tok")
    expect(mine).toEqual({ session, user: await ours.getUser("ours-3") })
    expect(withoutProtocol(await official.getSessionAndUser("ours-tok"))).toEqual(mine)
    const later = new Date(inAnHour().getTime() + 60_000)
    expect(await official.updateSession({ sessionToken: "ours-tok", expires: later })).toEqual({ ...session, expires: later })
    expect(await official.deleteSession("ours-tok")).toEqual({ ...session, expires: later })
  })

  it("verification token: the official useVerificationToken reads ours", async () => {
    const token = { identifier: "vt-ours@example.com", token: "xyz", expires: inAnHour() }
    await ours.createVerificationToken(token)
    expect(await official.useVerificationToken({ identifier: token.identifier, token: token.token })).toEqual(token)
  })

  it("the stored items are the official adapter's, byte for byte, plus our lookup items", async () => {
    const input = { id: "user-under-test", email: "bytes@example.com", emailVerified: new Date("2024-01-01T00:00:00.000Z"), name: "B" }
    await ours.createUser(input)
    const mine = await rawItem("USER#user-under-test", "USER#user-under-test")
    await table.document.delete({ TableName: table.tableName, Key: { pk: "USER#user-under-test", sk: "USER#user-under-test" } })
    const created = (await official.createUser(input)) as AdapterUser
    const theirs = await rawItem(`USER#${created.id}`, `USER#${created.id}`)
    const withoutId = (item: Record<string, unknown> | undefined, id: string) => JSON.parse(JSON.stringify(item ?? {}).replaceAll(id, "<id>"))
    expect(withoutId(mine, "user-under-test")).toEqual(withoutId(theirs, created.id))
  })

  it("lookup items left behind by the official deleteUser/unlinkAccount do not block a new sign-up or link", async () => {
    await ours.createUser({ id: "gone", email: "reuse@example.com", emailVerified: null })
    await ours.linkAccount(account("gone", "reuse-sub"))
    await official.unlinkAccount({ provider: "mock", providerAccountId: "reuse-sub" })
    await official.deleteUser("gone")
    const stale = (await table.scanAll()).filter((i) => i.userId === "gone").map((i) => i.type)
    // The official adapter knows none of them; the user directory entry is skipped by listings (its user is gone).
    expect(stale.sort()).toEqual(["ACCOUNT_ID", "ACCOUNT_OWNER", "EMAIL", "USER_DIRECTORY"])

    const again = await ours.createUser({ id: "again", email: "reuse@example.com", emailVerified: null })
    expect(again).toMatchObject({ id: "again" })
    await ours.linkAccount(account("again", "reuse-sub"))
    const all = await table.scanAll()
    expect(all.find((i) => i.pk === "EMAIL#reuse@example.com")?.userId).toBe("again")
    expect(all.find((i) => i.pk === "ACCOUNT#mock#reuse-sub")?.userId).toBe("again")
    expect(await ours.getUserByAccount({ provider: "mock", providerAccountId: "reuse-sub" })).toEqual(again)
    // A live claim is still enforced.
    await expect(ours.createUser({ id: "third", email: "reuse@example.com", emailVerified: null })).rejects.toMatchObject({ code: "EMAIL_EXISTS" })
  })
})
