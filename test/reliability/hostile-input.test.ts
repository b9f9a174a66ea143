/**
 * Hostile input through both front-ends: ids, emails, names, tokens,
 * provider account ids and plugin field names with `#`, `:`, `.`, spaces,
 * quotes, expression fragments, unicode, empty and very long strings. Each
 * either round-trips exactly or fails with a typed error, and every request
 * is captured to prove that no value and no field name is ever written into
 * an expression string (they travel only as placeholders).
 *
 * Already proven elsewhere: ITEM_TOO_LARGE on Auth.js createUser with 0
 * requests (test/authjs/defects.test.ts), the item-size arithmetic
 * (test/core/item-size.test.ts), unknown where operators (test/where).
 */
import type { BetterAuthOptions } from "@better-auth/core"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { DynamoDBAdapter, type DynamoDBAuthjsAdapter } from "../../src/authjs/index.js"
import { singleTableAdapter } from "../../src/better-auth/index.js"
import { isDynamoAuthAdapterError } from "../../src/core/errors.js"
import { MAX_ITEM_BYTES } from "../../src/core/item-size.js"
import { createTestTable, type TestTable } from "../support/test-table.js"
import { expressionsOf, makeBetterAuth } from "./support.js"

/** Every hostile string carries the marker, so an interpolated value cannot hide in an expression. */
const MARKER = "ZQX"
const HOSTILE = [
  `${MARKER}#hash#USER#`,
  `${MARKER}:colon:v0`,
  `${MARKER}.dot.path[0]`,
  `${MARKER} with  spaces `,
  `${MARKER} "double" 'single' \`back\``,
  `${MARKER} a = :b OR #c <> :d`,
  `${MARKER}) OR attribute_exists(pk`,
  `${MARKER} ünïcödé 日本語 🎉 \u200b`,
  `${MARKER}\n\ttabs\r\nlines`,
  `${MARKER}${"long".repeat(200)}`,
]

let table: TestTable
let authjs: DynamoDBAuthjsAdapter

beforeAll(async () => {
  table = await createTestTable()
  authjs = DynamoDBAdapter(table.document, { tableName: table.tableName })
})

afterAll(async () => {
  await table.drop()
})

beforeEach(() => {
  table.counter.reset()
})

/** No request's expression strings contain a marked value or a hostile field name. */
function expectNothingInterpolated(alsoForbidden: string[] = []) {
  expect(table.counter.total()).toBeGreaterThan(0)
  for (const request of table.counter.requests) {
    for (const expression of expressionsOf(request.input)) {
      expect(expression).not.toContain(MARKER)
      for (const forbidden of alsoForbidden) expect(expression).not.toContain(forbidden)
    }
  }
}

async function typedOrValue<T>(run: () => Promise<T>): Promise<{ value?: T; code?: string }> {
  try {
    return { value: await run() }
  } catch (error) {
    if (isDynamoAuthAdapterError(error)) return { code: error.code }
    throw error
  }
}

describe("Auth.js: hostile ids, emails, names, tokens and provider account ids", () => {
  it.each(HOSTILE.map((value, i) => [i, value] as const))("round-trips #%i exactly through every method", async (i, value) => {
    const id = `${value}-id-${i}`
    const email = `${value}@example.com`
    const created = await authjs.createUser({ id, email, emailVerified: null, name: value, image: value })
    expect(created).toEqual({ id, email, emailVerified: null, name: value, image: value })
    expect(await authjs.getUser(id)).toEqual(created)
    expect(await authjs.getUserByEmail(email)).toEqual(created)

    await authjs.linkAccount({ userId: id, type: "oauth", provider: `provider-${i}`, providerAccountId: value, access_token: value })
    expect(await authjs.getUserByAccount({ provider: `provider-${i}`, providerAccountId: value })).toEqual(created)
    expect(await authjs.getAccount(value, `provider-${i}`)).toMatchObject({ providerAccountId: value, access_token: value, userId: id })

    const expires = new Date(Math.floor(Date.now() / 1000) * 1000 + 3_600_000)
    await authjs.createSession({ sessionToken: value, userId: id, expires })
    expect(await authjs.getSessionAndUser(value)).toEqual({ session: expect.objectContaining({ sessionToken: value, userId: id, expires }), user: created })

    await authjs.createVerificationToken({ identifier: email, token: value, expires })
    expect(await authjs.useVerificationToken({ identifier: email, token: value })).toEqual({ identifier: email, token: value, expires })

    const renamed = await authjs.updateUser({ id, name: `${value} renamed`, email: `${value}.2@example.com` })
    expect(renamed).toMatchObject({ id, name: `${value} renamed`, email: `${value}.2@example.com` })
    expect(await authjs.getUserByEmail(email)).toBeNull()

    expectNothingInterpolated([value])
    // Keys are the value, byte for byte, after the fixed prefix.
    const items = await table.scanAll()
    expect(items.find((item) => item.pk === `USER#${id}` && item.sk === `USER#${id}`)).toMatchObject({ name: `${value} renamed` })
    expect(items.find((item) => item.pk === `SESSION#${value}`)).toMatchObject({ userId: id })

    await authjs.deleteUser(id)
    expect((await table.scanAll()).filter((item) => JSON.stringify(item).includes(JSON.stringify(id).slice(1, -1)))).toEqual([])
  })

  it("empty strings: an empty id gets a generated one, an empty email claims nothing; an empty key part is INVALID_INPUT with nothing written", async () => {
    // The library's own marshalling keeps "" (a DynamoDBDocument made with convertEmptyValues, as the official adapter's docs suggest, stores null instead).
    const authjs = DynamoDBAdapter(table.client, { tableName: table.tableName })
    const created = await authjs.createUser({ id: "", email: "", emailVerified: null, name: "" })
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/)
    expect(created).toMatchObject({ email: "", name: "" })
    expect(await authjs.getUser(created.id)).toEqual(created)
    const before = await table.scanAll()
    expect(before.filter((item) => item.pk === "EMAIL#")).toEqual([])

    const outcomes = {
      getUser: await typedOrValue(() => authjs.getUser("")),
      getUserByEmail: await typedOrValue(() => authjs.getUserByEmail("")),
      linkEmptyProvider: await typedOrValue(() => authjs.linkAccount({ userId: created.id, type: "oauth", provider: "", providerAccountId: "x" })),
      linkEmptyAccountId: await typedOrValue(() => authjs.linkAccount({ userId: created.id, type: "oauth", provider: "p", providerAccountId: "" })),
      createSessionEmptyToken: await typedOrValue(() => authjs.createSession({ sessionToken: "", userId: created.id, expires: new Date(Date.now() + 60_000) })),
      getSessionEmptyToken: await typedOrValue(() => authjs.getSessionAndUser("")),
      verificationEmptyToken: await typedOrValue(() => authjs.createVerificationToken({ identifier: "a@example.com", token: "", expires: new Date() })),
    }
    for (const [call, outcome] of Object.entries(outcomes)) {
      // Reads of an empty key find nothing or are refused; writes with an empty key part are refused.
      if (call.startsWith("get")) expect(outcome.value === null || outcome.code === "INVALID_INPUT", call).toBe(true)
      else expect(outcome, call).toEqual({ code: "INVALID_INPUT" })
    }
    expect(await table.scanAll()).toEqual(before)
  })

  it("a provider id with '#' cannot make two provider accounts share one key (INVALID_INPUT, nothing written)", async () => {
    await authjs.createUser({ id: "hash-a", email: "hash-a@example.com", emailVerified: null })
    await authjs.createUser({ id: "hash-b", email: "hash-b@example.com", emailVerified: null })
    await authjs.linkAccount({ userId: "hash-a", type: "oauth", provider: "gh", providerAccountId: "x#y" })
    const before = await table.scanAll()
    // ("gh#x", "y") would be keyed ACCOUNT#gh#x#y, the key of ("gh", "x#y").
    const error = await authjs.linkAccount({ userId: "hash-b", type: "oauth", provider: "gh#x", providerAccountId: "y" }).catch((e: unknown) => e)
    expect(isDynamoAuthAdapterError(error, "INVALID_INPUT")).toBe(true)
    expect((error as Error).message).toContain("gh#x")
    expect(await table.scanAll()).toEqual(before)
    const lookupError = await authjs.getUserByAccount({ provider: "gh#x", providerAccountId: "y" }).catch((e: unknown) => e)
    expect(isDynamoAuthAdapterError(lookupError, "INVALID_INPUT")).toBe(true)
    expect(await authjs.getUserByAccount({ provider: "gh", providerAccountId: "x#y" })).toMatchObject({ id: "hash-a" })
  })

  it("key values longer than DynamoDB allows (2,048-byte partition key, 1,024-byte sort key) are INVALID_INPUT, nothing written", async () => {
    const before = await table.scanAll()
    const long = "k".repeat(3_000)
    const outcomes = {
      createUserLongId: await typedOrValue(() => authjs.createUser({ id: long, email: "long-id@example.com", emailVerified: null })),
      createUserLongEmail: await typedOrValue(() => authjs.createUser({ id: "long-email", email: `${long}@example.com`, emailVerified: null })),
      createSessionLongToken: await typedOrValue(() => authjs.createSession({ sessionToken: long, userId: "someone", expires: new Date(Date.now() + 60_000) })),
      linkLongAccountId: await typedOrValue(() => authjs.linkAccount({ userId: "someone", type: "oauth", provider: "p", providerAccountId: long })),
      getUserLongId: await typedOrValue(() => authjs.getUser(long)),
      getUserByEmailLong: await typedOrValue(() => authjs.getUserByEmail(`${long}@example.com`)),
      getSessionLongToken: await typedOrValue(() => authjs.getSessionAndUser(long)),
    }
    for (const [call, outcome] of Object.entries(outcomes)) expect(outcome, call).toEqual({ code: "INVALID_INPUT" })
    // Writes were refused before sending; only the reads that needed DynamoDB's answer (the GSI1 Query by email) went out.
    expect(table.counter.requests.filter((r) => r.command !== "Query")).toEqual([])
    expect(await table.scanAll()).toEqual(before)
  })

  it("a 1 MB name is ITEM_TOO_LARGE on update too, before any request is sent", async () => {
    await authjs.createUser({ id: "grower", email: "grower@example.com", emailVerified: null, name: "small" })
    table.counter.reset()
    const error = await authjs.updateUser({ id: "grower", name: "n".repeat(MAX_ITEM_BYTES + 1) }).catch((e: unknown) => e)
    expect(isDynamoAuthAdapterError(error, "ITEM_TOO_LARGE")).toBe(true)
    expect(table.counter.total()).toBe(0)
    expect(await authjs.getUser("grower")).toMatchObject({ name: "small" })
  })
})

describe("Better Auth: hostile values, plugin field names and where clauses", () => {
  const FIELD_NAMES = ["nick.name", "a = :b OR", "#hash", "with space", "ünï:cödé", "'quoted'"]
  const options: BetterAuthOptions = {
    user: { additionalFields: Object.fromEntries(FIELD_NAMES.map((name) => [name, { type: "string", required: false }])) },
  }
  const adapter = () => singleTableAdapter({ client: table.client, tableName: table.tableName })(options)

  it("plugin fields with hostile names store under those exact attribute names and are found by a where on them", async () => {
    const data: Record<string, unknown> = { name: HOSTILE[5], email: "fields@example.com", emailVerified: false, createdAt: new Date(), updatedAt: new Date() }
    FIELD_NAMES.forEach((field, i) => (data[field] = HOSTILE[i]))
    const created = await adapter().create<Record<string, unknown>>({ model: "user", data })
    for (const [i, field] of FIELD_NAMES.entries()) expect(created[field]).toBe(HOSTILE[i])
    const stored = (await table.scanAll()).find((item) => item.type === "USER" && item.email === "fields@example.com")
    for (const [i, field] of FIELD_NAMES.entries()) expect(stored?.[field]).toBe(HOSTILE[i])

    table.counter.reset()
    for (const [i, field] of FIELD_NAMES.entries()) {
      const found = await adapter().findMany<Record<string, unknown>>({ model: "user", where: [{ field, value: HOSTILE[i]! }] })
      expect(found.map((row) => row.id)).toEqual([created.id])
    }
    const updated = await adapter().update<Record<string, unknown>>({ model: "user", where: [{ field: "id", value: String(created.id) }], update: { [FIELD_NAMES[1]!]: HOSTILE[6] } })
    expect(updated?.[FIELD_NAMES[1]!]).toBe(HOSTILE[6])
    expectNothingInterpolated(FIELD_NAMES)
  })

  it("sign-up, sign-in and get session with a hostile name and an unusual (valid) email", async () => {
    const auth = makeBetterAuth(table.client, table.tableName)
    const email = "zqx.o'neil+tag_1@example.com"
    const name = HOSTILE.slice(0, 9).join(" | ")
    await auth.api.signUpEmail({ body: { email, password: "password-123", name } })
    const signIn = await auth.api.signInEmail({ body: { email, password: "password-123" }, returnHeaders: true })
    const cookie = signIn.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ")
    const session = await auth.api.getSession({ headers: new Headers({ cookie }) })
    expect(session?.user).toMatchObject({ email, name })
    expectNothingInterpolated([email])
  })

  it("a where clause on an unknown field is refused naming the model and the field; nothing is sent", async () => {
    table.counter.reset()
    const error = await adapter()
      .findMany({ model: "session", where: [{ field: "no_such_field", value: "x" }] })
      .catch((e: unknown) => e)
    // Better Auth's adapter factory maps field names before the adapter sees the clause, so its own error comes first.
    expect(error).toBeInstanceOf(Error)
    expect((error as Error).message).toMatch(/no_such_field.*session/)
    expect(table.counter.total()).toBe(0)
  })

  it("a sortBy on an unknown field is INVALID_WHERE naming the field and listing the model's fields; nothing is sent", async () => {
    table.counter.reset()
    const error = await adapter()
      .findMany({ model: "session", where: [{ field: "userId", value: "x" }], sortBy: { field: "no_such_field", direction: "asc" } })
      .catch((e: unknown) => e)
    expect(isDynamoAuthAdapterError(error, "INVALID_WHERE")).toBe(true)
    expect((error as Error).message).toContain('session has no field "no_such_field"')
    expect((error as Error).message).toMatch(/Use one of: .*userId/)
    expect(table.counter.total()).toBe(0)
  })

  it("a user over 400 KB is ITEM_TOO_LARGE before any request", async () => {
    table.counter.reset()
    const error = await adapter()
      .create({ model: "user", data: { name: "b".repeat(MAX_ITEM_BYTES), email: "big@example.com", emailVerified: false, createdAt: new Date(), updatedAt: new Date() } })
      .catch((e: unknown) => e)
    expect(isDynamoAuthAdapterError(error, "ITEM_TOO_LARGE")).toBe(true)
    expect(table.counter.total()).toBe(0)
    expect((await table.scanAll()).filter((item) => item.email === "big@example.com")).toEqual([])
  })
})
