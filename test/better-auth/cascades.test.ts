/**
 * `references.onDelete`, as Better Auth's SQL schema has it: deleting a user
 * or an organization deletes what references it (`cascade`, the default),
 * sets the reference null (`set null`) or is refused (`restrict`). Every
 * script runs on DynamoDB Local and on Better Auth's own SQLite
 * (better-sqlite3, schema from `getMigrations`), and the rows left per model
 * must be the same; the DynamoDB side is asserted by scanning the table.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb"
import Database from "better-sqlite3"
import { betterAuth, type BetterAuthOptions, type BetterAuthPlugin } from "better-auth"
import { getMigrations } from "better-auth/db/migration"
import { organization, twoFactor, username } from "better-auth/plugins"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { singleTableAdapter } from "../../src/better-auth/index.js"
import { countRequests } from "../../src/core/client/request-counter.js"
import { defaultKind } from "../../src/core/models/generic-layout.js"
import { simulateIndexLag } from "../support/index-lag.js"
import { createTestTable, localClient, type TestTable } from "../support/test-table.js"

/** A plugin with the references no installed plugin declares: `set null`, `restrict`, and many dependents of one user. */
const referencesPlugin = {
  id: "references-test",
  schema: {
    note: {
      fields: {
        title: { type: "string", required: true },
        authorId: { type: "string", required: false, references: { model: "user", field: "id", onDelete: "set null" } },
      },
    },
    ledger: {
      fields: { ownerId: { type: "string", required: true, references: { model: "user", field: "id", onDelete: "restrict" } } },
    },
    bookmark: {
      fields: { userId: { type: "string", required: true, references: { model: "user", field: "id" } } },
    },
  },
} satisfies BetterAuthPlugin

const MODELS = ["user", "session", "account", "organization", "member", "team", "teamMember", "invitation", "twoFactor", "note", "ledger", "bookmark"] as const
type Model = (typeof MODELS)[number]
type Counts = Record<Model, number>

function options(database: BetterAuthOptions["database"]) {
  return {
    secret: "a-test-secret-that-is-long-enough-for-better-auth",
    baseURL: "http://localhost:3000",
    database,
    emailAndPassword: { enabled: true, password: { hash: async (p) => `hashed:${p}`, verify: async ({ hash, password }) => hash === `hashed:${password}` } },
    user: { deleteUser: { enabled: true } },
    logger: { disabled: true },
  } satisfies BetterAuthOptions
}

/** Better Auth on `database`, with the plugins given inline so that their endpoints are typed. */
function makeAuth(database: BetterAuthOptions["database"]) {
  return betterAuth({ ...options(database), plugins: [organization({ teams: { enabled: true } }), twoFactor(), username(), referencesPlugin] })
}
type Auth = ReturnType<typeof makeAuth>

interface App {
  auth: Auth
  /** Rows per model, read from the database itself. */
  counts(): Promise<Counts>
}

async function sqliteApp(): Promise<App & { db: Database.Database }> {
  const db = new Database(":memory:")
  const auth = makeAuth(db)
  const { runMigrations } = await getMigrations(auth.options)
  await runMigrations()
  return {
    db,
    auth,
    counts: async () => Object.fromEntries(MODELS.map((m) => [m, (db.prepare(`select count(*) as n from "${m}"`).get() as { n: number }).n])) as Counts,
  }
}

/** The model of a DynamoDB item, or undefined for lookup items, claims and markers. */
function modelOf(item: Record<string, unknown>): Model | undefined {
  if (item.type === "USER") return "user"
  if (item.type === "SESSION" && String(item.sk).startsWith("SESSION#") && String(item.pk).startsWith("USER#")) return "session"
  if (String(item.pk).startsWith("USER#") && String(item.sk).startsWith("ACCOUNT#")) return "account"
  return MODELS.find((m) => !["user", "session", "account"].includes(m) && item.type === defaultKind(m))
}

function dynamoApp(table: TestTable, client: DynamoDBClient): App {
  return {
    auth: makeAuth(singleTableAdapter({ client, tableName: table.tableName })),
    counts: async () => {
      const counts = Object.fromEntries(MODELS.map((m) => [m, 0])) as Counts
      for (const item of await table.scanAll()) {
        const model = modelOf(item)
        if (model) counts[model]++
      }
      return counts
    },
  }
}

async function signUp(auth: Auth, name: string) {
  const result = await auth.api.signUpEmail({ body: { email: `${name}@example.com`, password: "password123", name, username: name }, returnHeaders: true })
  const headers = new Headers({ cookie: result.headers.getSetCookie().map((c) => c.split(";")[0]!).join("; ") })
  return { id: result.response.user.id, headers }
}

/**
 * Alice and Bob each own an organization (with its default team) where the
 * other is a member and a team member; each invited someone; both have
 * two-factor on; Alice wrote a note and owns bookmarks.
 */
async function populate(auth: Auth, bookmarks = 2) {
  const alice = await signUp(auth, "alice")
  const bob = await signUp(auth, "bobby")
  const acme = await auth.api.createOrganization({ body: { name: "Acme", slug: "acme" }, headers: alice.headers })
  const beta = await auth.api.createOrganization({ body: { name: "Beta", slug: "beta" }, headers: bob.headers })
  const acmeTeam = (await auth.api.listOrganizationTeams({ query: { organizationId: acme!.id }, headers: alice.headers }))[0]!
  const betaTeam = (await auth.api.listOrganizationTeams({ query: { organizationId: beta!.id }, headers: bob.headers }))[0]!
  await auth.api.addMember({ body: { userId: bob.id, role: "member", organizationId: acme!.id } })
  await auth.api.addMember({ body: { userId: alice.id, role: "member", organizationId: beta!.id } })
  await auth.api.addTeamMember({ body: { teamId: acmeTeam.id, userId: bob.id }, headers: alice.headers })
  await auth.api.addTeamMember({ body: { teamId: betaTeam.id, userId: alice.id }, headers: bob.headers })
  await auth.api.createInvitation({ body: { email: "carol@example.com", role: "member", organizationId: acme!.id }, headers: alice.headers })
  await auth.api.createInvitation({ body: { email: "dave@example.com", role: "member", organizationId: beta!.id }, headers: bob.headers })
  await auth.api.enableTwoFactor({ body: { password: "password123" }, headers: alice.headers })
  await auth.api.enableTwoFactor({ body: { password: "password123" }, headers: bob.headers })
  const { adapter } = await auth.$context
  await adapter.create({ model: "note", data: { title: "by alice", authorId: alice.id } })
  for (let i = 0; i < bookmarks; i++) await adapter.create({ model: "bookmark", data: { userId: alice.id } })
  return { alice, bob, acme: acme!, beta: beta! }
}

let table: TestTable
let client: DynamoDBClient
let sqlite: Awaited<ReturnType<typeof sqliteApp>>
let dynamo: App

beforeEach(async () => {
  table = await createTestTable()
  client = localClient()
  dynamo = dynamoApp(table, client)
  sqlite = await sqliteApp()
})

afterEach(async () => {
  sqlite.db.close()
  client.destroy()
  await table.drop()
})

/** Every DynamoDB item that still names `id` (a record, a lookup, a claim): nothing of a deleted record may stay. */
async function itemsNaming(id: string) {
  return (await table.scanAll()).filter((item) => JSON.stringify(item).includes(id))
}

describe("deleting a user", () => {
  it("deletes its members, team members, invitations, two-factor secrets, bookmarks, sessions and accounts, as SQLite does", async () => {
    const results: Counts[] = []
    for (const app of [sqlite, dynamo]) {
      const { alice } = await populate(app.auth)
      await app.auth.api.deleteUser({ body: { password: "password123" }, headers: alice.headers })
      results.push(await app.counts())
    }
    const [onSqlite, onDynamo] = results
    expect(onDynamo).toEqual(onSqlite)
    expect(onDynamo).toMatchObject({ user: 1, session: 1, account: 1, member: 2, teamMember: 2, invitation: 1, twoFactor: 1, bookmark: 0 })
  })

  it("leaves no item that names the user in the table", async () => {
    const { alice } = await populate(dynamo.auth)
    await dynamo.auth.api.deleteUser({ body: { password: "password123" }, headers: alice.headers })
    expect(await itemsNaming(alice.id)).toEqual([])
  })

  it("sets a `set null` reference to null and keeps the record, as SQLite does", async () => {
    const notes: unknown[] = []
    for (const app of [sqlite, dynamo]) {
      const { alice } = await populate(app.auth)
      await app.auth.api.deleteUser({ body: { password: "password123" }, headers: alice.headers })
      const { adapter } = await app.auth.$context
      notes.push((await adapter.findMany<{ title: string; authorId: string | null }>({ model: "note" })).map(({ title, authorId }) => ({ title, authorId })))
    }
    expect(notes[1]).toEqual(notes[0])
    expect(notes[1]).toEqual([{ title: "by alice", authorId: null }])
  })

  it("is refused by a `restrict` reference, before any of the user's plugin records is deleted, as on SQLite", async () => {
    const results: { counts: Counts; failed: boolean }[] = []
    for (const app of [sqlite, dynamo]) {
      const { alice } = await populate(app.auth)
      const { adapter, internalAdapter } = await app.auth.$context
      await adapter.create({ model: "ledger", data: { ownerId: alice.id } })
      const failed = await internalAdapter.deleteUser(alice.id).then(
        () => false,
        () => true,
      )
      results.push({ counts: await app.counts(), failed })
    }
    expect(results[1]).toEqual(results[0])
    expect(results[1]).toMatchObject({ failed: true, counts: { user: 2, member: 4, teamMember: 4, twoFactor: 2, bookmark: 2, ledger: 1 } })
  })

  it("deletes the user and its dependents in one TransactWriteItems when they fit", async () => {
    const { alice } = await populate(dynamo.auth)
    const counter = countRequests(client)
    await dynamo.auth.api.deleteUser({ body: { password: "password123" }, headers: alice.headers })
    counter.detach()
    const transactions = counter.requests.filter((r) => r.command === "TransactWriteItems")
    const withUser = transactions.filter((r) => JSON.stringify(r.input).includes(`"Key":{"pk":"USER#${alice.id}","sk":"USER#${alice.id}"}`))
    expect(withUser).toHaveLength(1)
    const deleted = ((withUser[0]!.input.TransactItems ?? []) as { Delete?: { Key: Record<string, unknown> } }[]).flatMap((a) => (a.Delete ? [String(a.Delete.Key.pk)] : []))
    for (const kind of ["MEMBER#", "TEAM_MEMBER#", "TWO_FACTOR#", "INVITATION#", "BOOKMARK#", `USER#${alice.id}`]) {
      expect(deleted.some((pk) => pk.startsWith(kind))).toBe(true)
    }
  })

  it("finds dependents written just now although GSI1 lags (base-table reads only)", async () => {
    const lag = simulateIndexLag(client, { lagMs: 60_000 })
    try {
      // Written through the adapter: some of Better Auth's own organization flows read GSI1 and fail under lag.
      const { adapter, internalAdapter } = await dynamo.auth.$context
      const alice = await signUp(dynamo.auth, "alice")
      const org = await adapter.create<{ id: string }>({ model: "organization", data: { name: "Acme", slug: "acme", createdAt: new Date() } })
      const team = await adapter.create<{ id: string }>({ model: "team", data: { name: "Acme", organizationId: org.id, createdAt: new Date() } })
      await adapter.create({ model: "member", data: { organizationId: org.id, userId: alice.id, role: "owner", createdAt: new Date() } })
      await adapter.create({ model: "teamMember", data: { teamId: team.id, userId: alice.id, createdAt: new Date() } })
      await adapter.create({ model: "twoFactor", data: { userId: alice.id, secret: "s", backupCodes: "b" } })
      await adapter.create({ model: "bookmark", data: { userId: alice.id } })
      expect(await adapter.findMany({ model: "twoFactor", where: [{ field: "userId", value: alice.id }] })).toEqual([])
      await internalAdapter.deleteUser(alice.id)
      expect(await itemsNaming(alice.id)).toEqual([])
    } finally {
      lag.detach()
    }
  })
})

describe("deleting an organization", () => {
  it("deletes its teams, team members, members and invitations, as SQLite does", async () => {
    const results: Counts[] = []
    for (const app of [sqlite, dynamo]) {
      const { alice, acme } = await populate(app.auth)
      await app.auth.api.deleteOrganization({ body: { organizationId: acme.id }, headers: alice.headers })
      results.push(await app.counts())
    }
    expect(results[1]).toEqual(results[0])
    expect(results[1]).toMatchObject({ organization: 1, team: 1, teamMember: 2, member: 2, invitation: 1 })
  })

  it("leaves no item that names the organization or its team", async () => {
    const { alice, acme } = await populate(dynamo.auth)
    const [team] = await dynamo.auth.api.listOrganizationTeams({ query: { organizationId: acme.id }, headers: alice.headers })
    await dynamo.auth.api.deleteOrganization({ body: { organizationId: acme.id }, headers: alice.headers })
    expect(await itemsNaming(acme.id)).toEqual([])
    // A session's activeTeamId is no declared reference: SQLite keeps it too.
    expect((await itemsNaming(team!.id)).filter((item) => !String(item.sk).startsWith("SESSION#"))).toEqual([])
  })
})

/** Fails the `nth` request of `command` (whose input contains `containing`, when given) the way a lost connection does. */
function failNth(target: DynamoDBClient, command: string, nth: number, containing?: string) {
  let seen = 0
  const name = `cascade-fault-${Math.random()}`
  target.middlewareStack.add(
    (next, context) => async (args) => {
      const matches = context.commandName === `${command}Command` && (containing === undefined || JSON.stringify(args.input).includes(containing))
      if (matches && ++seen === nth) {
        throw Object.assign(new Error(`Injected network failure on ${command} #${nth}`), { name: "TimeoutError", code: "ETIMEDOUT", $metadata: {} })
      }
      return next(args)
    },
    { step: "initialize", name },
  )
  return { struck: () => seen >= nth, remove: () => target.middlewareStack.remove(name) }
}

/** Records that reference a user or an organization that no longer exists. */
async function orphans(app: App): Promise<string[]> {
  const { adapter } = await app.auth.$context
  const users = new Set((await adapter.findMany<{ id: string }>({ model: "user" })).map((u) => u.id))
  const found: string[] = []
  for (const [model, field] of [["member", "userId"], ["teamMember", "userId"], ["twoFactor", "userId"], ["bookmark", "userId"], ["invitation", "inviterId"]] as const) {
    for (const row of await adapter.findMany<Record<string, string>>({ model })) if (!users.has(row[field]!)) found.push(`${model} ${row.id}`)
  }
  return found
}

describe("a delete that fails halfway", () => {
  it("too large for one transaction: leaves the user and no orphan; deleting again finishes, as SQLite ends", async () => {
    const { alice } = await populate(dynamo.auth, 120)
    const { internalAdapter } = await dynamo.auth.$context
    const fault = failNth(client, "DeleteItem", 40)
    await expect(internalAdapter.deleteUser(alice.id)).rejects.toThrow()
    fault.remove()
    expect(fault.struck()).toBe(true)
    expect((await dynamo.counts()).user).toBe(2)
    expect((await dynamo.counts()).bookmark).toBeGreaterThan(0)
    expect(await orphans(dynamo)).toEqual([])

    await internalAdapter.deleteUser(alice.id)
    const { alice: sqliteAlice } = await populate(sqlite.auth, 120)
    await (await sqlite.auth.$context).internalAdapter.deleteUser(sqliteAlice.id)
    expect(await dynamo.counts()).toEqual(await sqlite.counts())
    expect(await itemsNaming(alice.id)).toEqual([])
  })

  it("in one transaction: leaves everything of the cascade; deleting again finishes", async () => {
    const { alice } = await populate(dynamo.auth)
    const { internalAdapter } = await dynamo.auth.$context
    const before = await dynamo.counts()
    // Better Auth deletes sessions and accounts with deleteMany first; then comes the transaction with the user's delete.
    const fault = failNth(client, "TransactWriteItems", 1, `"USER#${alice.id}","sk":"USER#${alice.id}"`)
    await expect(internalAdapter.deleteUser(alice.id)).rejects.toThrow()
    fault.remove()
    expect(fault.struck()).toBe(true)
    expect(await dynamo.counts()).toEqual({ ...before, session: before.session - 1, account: before.account - 1 })
    expect(await orphans(dynamo)).toEqual([])

    await internalAdapter.deleteUser(alice.id)
    expect(await itemsNaming(alice.id)).toEqual([])
  })
})
