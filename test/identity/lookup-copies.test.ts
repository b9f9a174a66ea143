/**
 * The user copies in lookup items. The email claim: getUserByEmail (and
 * Better Auth's user-by-email reads) in ONE strongly consistent GetItem on a
 * table whose lookups are complete, hit or miss. The provider-account claim:
 * getUserByAccount in ONE GetItem. Never a user older than the last update
 * that returned, also under concurrent links and updates; legacy tables keep
 * their paths and get no copy.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { DynamoDBAdapter } from "../../src/authjs/index.js"
import { MAX_COPY_BYTES, refreshCopies, type VersionedUser } from "../../src/core/identity/user-copies.js"
import { directScope, IdentityState } from "../../src/core/identity/index.js"
import { TableClient } from "../../src/core/client/table-client.js"
import { countOf, renameAsOfficialAdapter, withoutKeys } from "../support/user-copies.js"
import { testBetterAuth } from "../support/better-auth-app.js"
import { createTestTable, localClient, type TestTable } from "../support/test-table.js"

function tableClient(table: TestTable): TableClient {
  return new TableClient({ names: table.names, client: table.client })
}

/** A refresh of the copies in `claims` to `user`, as an update's second step would send it (late). */
async function refreshLate(table: TestTable, user: VersionedUser, claims: { pk: string; sk: string }[]): Promise<void> {
  const client = tableClient(table)
  await refreshCopies(directScope(client, new IdentityState(client)), user, { sessionTokens: [], claims })
}

async function itemAt(table: TestTable, pk: string): Promise<Record<string, unknown> | undefined> {
  // Users and lookups are their partition's own item (sk = pk); a user's partition also holds its accounts and sessions.
  return (await table.scanAll()).find((item) => item.pk === pk && item.sk === pk)
}

describe("on a table whose lookups are complete", () => {
  let table: TestTable
  beforeAll(async () => {
    table = await createTestTable()
  })
  afterAll(async () => {
    await table.drop()
  })

  it("createUser writes the copy with the claim, in the same transaction", async () => {
    const adapter = DynamoDBAdapter(table.client, { tableName: table.tableName })
    await adapter.createUser({ id: "c1", email: "c1@example.com", emailVerified: null, name: "Cee" })
    const lookup = await itemAt(table, "EMAIL#c1@example.com")
    expect(lookup).toEqual({
      pk: "EMAIL#c1@example.com",
      sk: "EMAIL#c1@example.com",
      type: "EMAIL",
      email: "c1@example.com",
      userId: "c1",
      user: { id: "c1", email: "c1@example.com", emailVerified: null, name: "Cee" },
      userVersion: 0,
    })
    expect(await countOf(table, () => adapter.getUserByEmail("c1@example.com"))).toEqual({ GetItem: 1 })
    expect(await adapter.getUserByEmail("c1@example.com")).toEqual({ id: "c1", email: "c1@example.com", emailVerified: null, name: "Cee" })
  })

  it("every update is seen by getUserByEmail once updateUser returned, and the copy equals the user item", async () => {
    const adapter = DynamoDBAdapter(table.client, { tableName: table.tableName })
    await adapter.createUser({ id: "c2", email: "c2@example.com", emailVerified: null, name: "Before" })
    const verified = new Date("2026-03-04T05:06:07.000Z")
    for (const change of [{ name: "After" }, { image: "https://example.com/c2.png" }, { emailVerified: verified }, { name: null }]) {
      const updated = await adapter.updateUser({ id: "c2", ...change })
      expect(await adapter.getUserByEmail("c2@example.com")).toEqual(updated)
    }
    const user = await itemAt(table, "USER#c2")
    const lookup = await itemAt(table, "EMAIL#c2@example.com")
    expect(lookup?.user).toEqual(withoutKeys(user!))
    expect(lookup?.userVersion).toBe(user?.userVersion)
    expect(user?.userVersion).toBe(4)
  })

  it("an email change: the old email finds nobody, the new one finds the user with one GetItem, its claim holds the copy", async () => {
    const adapter = DynamoDBAdapter(table.client, { tableName: table.tableName })
    await adapter.createUser({ id: "c3", email: "c3@example.com", emailVerified: null, name: "Moves" })
    const moved = await adapter.updateUser({ id: "c3", email: "c3-new@example.com" })
    expect(await adapter.getUserByEmail("c3@example.com")).toBeNull()
    expect(await itemAt(table, "EMAIL#c3@example.com")).toBeUndefined()
    expect(await countOf(table, () => adapter.getUserByEmail("c3-new@example.com"))).toEqual({ GetItem: 1 })
    expect(await adapter.getUserByEmail("c3-new@example.com")).toEqual(moved)
    const lookup = await itemAt(table, "EMAIL#c3-new@example.com")
    expect(lookup).toMatchObject({ userId: "c3", userVersion: 1, user: { id: "c3", email: "c3-new@example.com", name: "Moves" } })
  })

  it("an email changed away and back: the new claim holds the exact new version, so a late refresh of an older one cannot land", async () => {
    const adapter = DynamoDBAdapter(table.client, { tableName: table.tableName })
    await adapter.createUser({ id: "c9", email: "c9@example.com", emailVerified: null, name: "First" })
    const old = await adapter.updateUser({ id: "c9", name: "Second" })
    await adapter.updateUser({ id: "c9", email: "c9-elsewhere@example.com" })
    table.counter.reset()
    const back = await adapter.updateUser({ id: "c9", email: "c9@example.com", name: "Third" })
    // The claim comes back in the email change's own transaction, already holding the user at its new version.
    const transaction = table.counter.requests.find((r) => r.command === "TransactWriteItems")!
    const claimPut = (transaction.input.TransactItems as { Put?: { Item: Record<string, unknown> } }[]).find((t) => t.Put?.Item.pk === "EMAIL#c9@example.com")
    expect(claimPut?.Put?.Item).toMatchObject({ userVersion: 3, user: { id: "c9", name: "Third", email: "c9@example.com" } })
    expect(await itemAt(table, "EMAIL#c9@example.com")).toMatchObject({ userVersion: 3, user: { name: "Third", email: "c9@example.com" } })
    // The refresh of version 1 ("Second"), had it been delayed until now.
    const late = { user: { id: "c9", email: old.email, emailVerified: null, name: "Second" }, version: 1 }
    await refreshLate(table, late, [{ pk: "EMAIL#c9@example.com", sk: "EMAIL#c9@example.com" }])
    expect(await adapter.getUserByEmail("c9@example.com")).toEqual(back)
  })

  it("race: email changes and other updates at once, from two adapters: the claim's copy ends equal to the user item (20 rounds)", async () => {
    const one = DynamoDBAdapter(table.client, { tableName: table.tableName })
    const two = DynamoDBAdapter(table.client, { tableName: table.tableName })
    await one.createUser({ id: "c10", email: "c10-0@example.com", emailVerified: null, name: "n0" })
    for (let round = 1; round <= 20; round++) {
      await Promise.all([one.updateUser({ id: "c10", email: `c10-${round}@example.com` }), two.updateUser({ id: "c10", name: `n${round}` })])
      const user = await itemAt(table, "USER#c10")
      const claim = await itemAt(table, `EMAIL#c10-${round}@example.com`)
      expect({ user: claim?.user, version: claim?.userVersion }).toEqual({ user: withoutKeys(user!), version: user?.userVersion })
      expect(await itemAt(table, `EMAIL#c10-${round - 1}@example.com`)).toBeUndefined()
    }
  })

  it("a claim without a copy (written by backfill) is followed to the user by key, and given the copy on that read", async () => {
    const adapter = DynamoDBAdapter(table.client, { tableName: table.tableName })
    await adapter.createUser({ id: "c4", email: "c4@example.com", emailVerified: null, name: "Backfilled" })
    await table.document.put({ TableName: table.tableName, Item: { pk: "EMAIL#c4@example.com", sk: "EMAIL#c4@example.com", type: "EMAIL", email: "c4@example.com", userId: "c4" } })
    expect(await countOf(table, () => adapter.getUserByEmail("c4@example.com"))).toEqual({ GetItem: 2, UpdateItem: 1 })
    expect(await itemAt(table, "EMAIL#c4@example.com")).toMatchObject({ userId: "c4", userVersion: 0, user: { name: "Backfilled" } })
    expect(await countOf(table, () => adapter.getUserByEmail("c4@example.com"))).toEqual({ GetItem: 1 })
    // Updates keep it current.
    await adapter.updateUser({ id: "c4", name: "Copied" })
    expect(await itemAt(table, "EMAIL#c4@example.com")).toMatchObject({ userId: "c4", userVersion: 1, user: { name: "Copied" } })
    expect(await countOf(table, () => adapter.getUserByEmail("c4@example.com"))).toEqual({ GetItem: 1 })
  })

  it("a stale claim (its user has another email now) finds nobody, and is never refreshed with another user", async () => {
    const adapter = DynamoDBAdapter(table.client, { tableName: table.tableName })
    await adapter.createUser({ id: "c5", email: "c5@example.com", emailVerified: null })
    // As another program would leave it: the user moved to another email, the claim stayed.
    await table.document.update({
      TableName: table.tableName,
      Key: { pk: "USER#c5", sk: "USER#c5" },
      UpdateExpression: "SET email = :e, GSI1PK = :g, GSI1SK = :g",
      ExpressionAttributeValues: { ":e": "elsewhere@example.com", ":g": "USER#elsewhere@example.com" },
    })
    await table.document.update({
      TableName: table.tableName,
      Key: { pk: "EMAIL#c5@example.com", sk: "EMAIL#c5@example.com" },
      UpdateExpression: "REMOVE #u, userVersion",
      ExpressionAttributeNames: { "#u": "user" },
    })
    expect(await adapter.getUserByEmail("c5@example.com")).toBeNull()
    // A new user may take the email over; the old owner's updates never touch the new claim.
    const taker = await adapter.createUser({ id: "c5b", email: "c5@example.com", emailVerified: null, name: "Taker" })
    await adapter.updateUser({ id: "c5", name: "Old owner renamed" })
    expect(await adapter.getUserByEmail("c5@example.com")).toEqual(taker)
    expect(await itemAt(table, "EMAIL#c5@example.com")).toMatchObject({ userId: "c5b", user: { id: "c5b", name: "Taker" } })
  })

  it("a user too large to copy is read by key; its claim keeps no copy", async () => {
    const adapter = DynamoDBAdapter(table.client, { tableName: table.tableName })
    await adapter.createUser({ id: "c6", email: "c6@example.com", emailVerified: null, name: "Small" })
    const big = "x".repeat(MAX_COPY_BYTES + 1)
    await adapter.updateUser({ id: "c6", image: big })
    const lookup = await itemAt(table, "EMAIL#c6@example.com")
    expect(lookup?.user).toBeUndefined()
    // The version stays: a refresh of the smaller, older user still in flight cannot bring its copy back.
    expect(lookup?.userVersion).toBe(1)
    expect(await countOf(table, () => adapter.getUserByEmail("c6@example.com"))).toEqual({ GetItem: 2 })
    expect((await adapter.getUserByEmail("c6@example.com"))?.image).toBe(big)
    const late = { user: { id: "c6", email: "c6@example.com", emailVerified: null, name: "Small" }, version: 0 }
    await refreshLate(table, late, [{ pk: "EMAIL#c6@example.com", sk: "EMAIL#c6@example.com" }])
    expect((await itemAt(table, "EMAIL#c6@example.com"))?.user).toBeUndefined()
    expect((await adapter.getUserByEmail("c6@example.com"))?.image).toBe(big)
  })

  it("a deleted user's claims cannot come back from a refresh still in flight", async () => {
    const adapter = DynamoDBAdapter(table.client, { tableName: table.tableName })
    await adapter.createUser({ id: "c8", email: "c8@example.com", emailVerified: null, name: "Going" })
    await adapter.linkAccount({ userId: "c8", type: "oidc", provider: "idp", providerAccountId: "sub-c8" })
    const claim = { pk: "ACCOUNT#idp#sub-c8", sk: "ACCOUNT#idp#sub-c8" }
    await adapter.deleteUser("c8")
    await refreshLate(table, { user: { id: "c8", email: "c8@example.com", name: "Late" }, version: 3 }, [claim, { pk: "EMAIL#c8@example.com", sk: "EMAIL#c8@example.com" }])
    expect(await itemAt(table, claim.pk)).toBeUndefined()
    expect(await itemAt(table, "EMAIL#c8@example.com")).toBeUndefined()
  })

  it("race: concurrent updates from two adapters leave the copy equal to the user item (20 rounds)", async () => {
    const one = DynamoDBAdapter(table.client, { tableName: table.tableName })
    const two = DynamoDBAdapter(table.client, { tableName: table.tableName })
    await one.createUser({ id: "c7", email: "c7@example.com", emailVerified: null, name: "r0" })
    for (let round = 1; round <= 20; round++) {
      await Promise.all([one.updateUser({ id: "c7", name: `one-${round}` }), two.updateUser({ id: "c7", image: `https://example.com/${round}.png` })])
      const user = await itemAt(table, "USER#c7")
      const lookup = await itemAt(table, "EMAIL#c7@example.com")
      expect({ user: lookup?.user, version: lookup?.userVersion }).toEqual({ user: withoutKeys(user!), version: user?.userVersion })
      expect(await two.getUserByEmail("c7@example.com")).toMatchObject({ name: `one-${round}`, image: `https://example.com/${round}.png` })
    }
  })
})

describe("provider-account claims carry a copy of the user", () => {
  let table: TestTable
  beforeAll(async () => {
    table = await createTestTable()
  })
  afterAll(async () => {
    await table.drop()
  })

  const link = (userId: string, providerAccountId: string) => ({ userId, type: "oidc" as const, provider: "idp", providerAccountId })

  it("linkAccount writes the copy under a check of the user's version; getUserByAccount is one GetItem", async () => {
    const adapter = DynamoDBAdapter(table.client, { tableName: table.tableName })
    const user = await adapter.createUser({ id: "a1", email: "a1@example.com", emailVerified: null, name: "Linked" })
    await adapter.linkAccount(link("a1", "sub-a1"))
    const claim = await itemAt(table, "ACCOUNT#idp#sub-a1")
    expect(claim).toMatchObject({ userId: "a1", userVersion: 0, user: { id: "a1", email: "a1@example.com", name: "Linked" } })
    expect(await countOf(table, () => adapter.getUserByAccount({ provider: "idp", providerAccountId: "sub-a1" }))).toEqual({ GetItem: 1 })
    expect(await adapter.getUserByAccount({ provider: "idp", providerAccountId: "sub-a1" })).toEqual(user)
  })

  it("updateUser refreshes the copy in each of the user's claims before it returns", async () => {
    const adapter = DynamoDBAdapter(table.client, { tableName: table.tableName })
    await adapter.createUser({ id: "a2", email: "a2@example.com", emailVerified: null, name: "Two accounts" })
    await adapter.linkAccount(link("a2", "sub-a2-one"))
    await adapter.linkAccount({ ...link("a2", "sub-a2-two"), provider: "other" })
    for (const change of [{ name: "Renamed" }, { email: "a2-new@example.com" }, { image: "https://example.com/a2.png" }]) {
      const updated = await adapter.updateUser({ id: "a2", ...change })
      expect(await adapter.getUserByAccount({ provider: "idp", providerAccountId: "sub-a2-one" })).toEqual(updated)
      expect(await adapter.getUserByAccount({ provider: "other", providerAccountId: "sub-a2-two" })).toEqual(updated)
    }
    const user = withoutKeys((await itemAt(table, "USER#a2"))!)
    for (const pk of ["ACCOUNT#idp#sub-a2-one", "ACCOUNT#other#sub-a2-two"]) expect((await itemAt(table, pk))?.user).toEqual(user)
  })

  it("race: links by a fresh adapter and updates at once leave every claim's copy equal to the user item (20 rounds)", async () => {
    const adapter = DynamoDBAdapter(table.client, { tableName: table.tableName })
    await adapter.createUser({ id: "a3", email: "a3@example.com", emailVerified: null, name: "r0" })
    for (let round = 1; round <= 20; round++) {
      // A fresh adapter has no recently-read copy: it reads the user, racing with the update.
      const fresh = DynamoDBAdapter(table.client, { tableName: table.tableName })
      await Promise.all([fresh.linkAccount(link("a3", `sub-a3-${round}`)), adapter.updateUser({ id: "a3", name: `r${round}` })])
      const items = await table.scanAll()
      const user = items.find((item) => item.pk === "USER#a3" && item.sk === "USER#a3")!
      const claims = items.filter((item) => item.type === "ACCOUNT_OWNER" && item.userId === "a3")
      expect(claims).toHaveLength(round)
      for (const claim of claims) expect({ claim: claim.pk, user: claim.user, version: claim.userVersion }).toEqual({ claim: claim.pk, user: withoutKeys(user), version: user.userVersion })
      expect((await fresh.getUserByAccount({ provider: "idp", providerAccountId: `sub-a3-${round}` }))?.name).toBe(`r${round}`)
    }
  })

  it("deleteUser leaves no claim, hence no copy", async () => {
    const adapter = DynamoDBAdapter(table.client, { tableName: table.tableName })
    await adapter.createUser({ id: "a4", email: "a4@example.com", emailVerified: null })
    await adapter.linkAccount(link("a4", "sub-a4"))
    await adapter.deleteUser("a4")
    expect(await adapter.getUserByAccount({ provider: "idp", providerAccountId: "sub-a4" })).toBeNull()
    const left = (await table.scanAll()).filter(
      (item) => item.userId === "a4" || item.id === "a4" || String(item.pk).includes("a4@") || String(item.pk).includes("sub-a4") || item.pk === "USER#a4",
    )
    expect(left).toEqual([])
  })

  it("a Better Auth sign-up's credential account claim carries the new user (same transaction, no check needed)", async () => {
    const auth = testBetterAuth(table.client, table.tableName)
    const { user } = await auth.api.signUpEmail({ body: { email: "ba@example.com", password: "password-123", name: "From Better Auth" } })
    const items = await table.scanAll()
    const claim = items.find((item) => item.type === "ACCOUNT_OWNER" && item.userId === user.id)
    const userItem = items.find((item) => item.pk === `USER#${user.id}` && item.sk === `USER#${user.id}`)!
    expect(claim?.user).toEqual(withoutKeys(userItem))
    const authjs = DynamoDBAdapter(table.client, { tableName: table.tableName })
    // A password account is no provider account to Auth.js (test/e2e/cross-framework-fields.test.ts).
    expect(await authjs.getUserByAccount({ provider: "credential", providerAccountId: user.id })).toBeNull()
  })
})

describe("updateUser writes the user and every copy of it in one transaction", () => {
  let table: TestTable
  beforeAll(async () => {
    table = await createTestTable()
  })
  afterAll(async () => {
    await table.drop()
  })

  const inAnHour = () => new Date(Date.now() + 3_600_000)

  async function copiesOf(userId: string): Promise<{ user: Record<string, unknown>; copies: Record<string, unknown>[] }> {
    const items = await table.scanAll()
    const user = items.find((item) => item.pk === `USER#${userId}` && item.sk === `USER#${userId}`)!
    const copies = items.filter((item) => item.userId === userId && item.pk === item.sk && item.type !== "USER" && item.type !== "ACCOUNT_ID")
    return { user, copies }
  }

  it("a crash right after the transaction leaves no copy behind: every copy already holds the updated user", async () => {
    const client = localClient()
    // The update's transaction is applied, then its answer is lost: as if the process died right after it.
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args)
        if (context.commandName === "TransactWriteItemsCommand" && JSON.stringify(args.input).includes("Crashed")) throw new Error("simulated crash after the transaction")
        return result
      },
      { step: "initialize", name: "crash-after-transaction" },
    )
    const adapter = DynamoDBAdapter(client, { tableName: table.tableName })
    await adapter.createUser({ id: "t1", email: "t1@example.com", emailVerified: null, name: "Before" })
    await adapter.linkAccount({ userId: "t1", type: "oidc", provider: "idp", providerAccountId: "sub-t1" })
    for (const token of ["t1-a", "t1-b"]) await adapter.createSession({ sessionToken: token, userId: "t1", expires: inAnHour() })
    await expect(adapter.updateUser({ id: "t1", name: "Crashed" })).rejects.toThrow("simulated crash")
    const { user, copies } = await copiesOf("t1")
    expect(user.name).toBe("Crashed")
    expect(copies.map((copy) => copy.type).sort()).toEqual(["ACCOUNT_OWNER", "EMAIL", "SESSION_TOKEN", "SESSION_TOKEN"])
    for (const copy of copies) expect({ pk: copy.pk, user: copy.user, version: copy.userVersion }).toEqual({ pk: copy.pk, user: withoutKeys(user), version: 1 })
    client.destroy()
  })

  it("a session in its last minutes stays out of the transaction, and its copy is not trusted: its user is read by key", async () => {
    const adapter = DynamoDBAdapter(table.client, { tableName: table.tableName })
    await adapter.createUser({ id: "t2", email: "t2@example.com", emailVerified: null, name: "Before" })
    await adapter.createSession({ sessionToken: "t2-live", userId: "t2", expires: inAnHour() })
    await adapter.createSession({ sessionToken: "t2-ending", userId: "t2", expires: new Date(Date.now() + 30_000) })
    await adapter.createSession({ sessionToken: "t2-gone", userId: "t2", expires: new Date(Date.now() - 60_000) })
    table.counter.reset()
    await adapter.updateUser({ id: "t2", name: "After" })
    // The user, the live session's token item and the email claim; nothing else is written.
    expect(table.counter.byCommand()).toEqual({ Query: 1, TransactWriteItems: 1 })
    const transaction = table.counter.requests.find((r) => r.command === "TransactWriteItems")!
    expect(transaction.input.TransactItems).toHaveLength(3)
    expect(table.counter.requests.filter((r) => JSON.stringify(r.input).includes("SESSION#t2-gone") || JSON.stringify(r.input).includes("SESSION#t2-ending"))).toEqual([])
    // The ending session's token item keeps its old copy, and is read with the user item: 2 GetItems, the current user.
    expect(await countOf(table, () => adapter.getSessionAndUser("t2-ending"))).toEqual({ GetItem: 2 })
    expect((await adapter.getSessionAndUser("t2-ending"))?.user.name).toBe("After")
    expect((await adapter.getSessionAndUser("t2-live"))?.user.name).toBe("After")
  })

  it("a user with more copies than one transaction holds is updated in two steps, every copy refreshed", async () => {
    const adapter = DynamoDBAdapter(table.client, { tableName: table.tableName })
    await adapter.createUser({ id: "t3", email: "t3@example.com", emailVerified: null, name: "Before" })
    for (let i = 0; i < 91; i += 13) {
      await Promise.all(Array.from({ length: Math.min(13, 91 - i) }, (_, j) => adapter.createSession({ sessionToken: `t3-${i + j}`, userId: "t3", expires: inAnHour() })))
    }
    table.counter.reset()
    await adapter.updateUser({ id: "t3", name: "After" })
    expect(table.counter.byCommand().TransactWriteItems).toBeUndefined()
    const { user, copies } = await copiesOf("t3")
    expect(copies).toHaveLength(92)
    for (const copy of copies) expect({ pk: copy.pk, user: copy.user }).toEqual({ pk: copy.pk, user: withoutKeys(user) })
  })
})

describe("on a legacy table (lookups not known complete)", () => {
  let table: TestTable
  beforeAll(async () => {
    table = await createTestTable({ legacy: true })
  })
  afterAll(async () => {
    await table.drop()
  })

  it("no copy is written, and getUserByEmail reads GSI1, seeing updates made without refreshing copies", async () => {
    const adapter = DynamoDBAdapter(table.client, { tableName: table.tableName })
    await adapter.createUser({ id: "l1", email: "l1@example.com", emailVerified: null, name: "Before" })
    await adapter.updateUser({ id: "l1", name: "Mine" })
    expect((await itemAt(table, "EMAIL#l1@example.com"))?.user).toBeUndefined()
    await renameAsOfficialAdapter(table, "l1", "Changed by the official adapter")
    expect(await countOf(table, () => adapter.getUserByEmail("l1@example.com"))).toEqual({ Query: 1 })
    expect((await adapter.getUserByEmail("l1@example.com"))?.name).toBe("Changed by the official adapter")
    // Nor on a provider-account claim: getUserByAccount reads the user by key.
    await adapter.linkAccount({ userId: "l1", type: "oidc", provider: "idp", providerAccountId: "sub-l1" })
    expect((await itemAt(table, "ACCOUNT#idp#sub-l1"))?.user).toBeUndefined()
    expect(await countOf(table, () => adapter.getUserByAccount({ provider: "idp", providerAccountId: "sub-l1" }))).toEqual({ GetItem: 2 })
  })
})
