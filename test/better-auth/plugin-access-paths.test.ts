/**
 * The flows of Better Auth's popular plugins (1.7.25), through `auth.api`
 * and over HTTP, with every DynamoDB request counted: none may be a Scan,
 * and the requests of each flow are pinned.
 *
 * The apiKey plugin is not part of `better-auth/plugins` in 1.7 (it moved to
 * the separate `@better-auth/api-key` package, not installed here); the
 * lookups its model gets are pinned in `plugin-layouts.test.ts`.
 */
import { betterAuth } from "better-auth"
import { admin, anonymous, emailOTP, jwt, magicLink, multiSession, organization, phoneNumber, twoFactor, username } from "better-auth/plugins"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { singleTableAdapter } from "../../src/better-auth/index.js"
import { countRequests, type RequestCounter } from "../../src/core/client/request-counter.js"
import { cookieHeader } from "../support/better-auth-app.js"
import { simulateIndexLag } from "../support/index-lag.js"
import { createTestTable, localClient, type TestTable } from "../support/test-table.js"

let table: TestTable
let client: ReturnType<typeof localClient>
let counter: RequestCounter
let auth: ReturnType<typeof makeAuth>
const otps: Record<string, string> = {}

function makeAuth() {
  return betterAuth({
    secret: "a-test-secret-that-is-long-enough-for-better-auth",
    baseURL: "http://localhost:3000",
    // Refused Scans fail the flow loudly, besides the counts below.
    database: singleTableAdapter({ client, tableName: table.tableName, scans: "refuse" }),
    emailAndPassword: { enabled: true, password: { hash: async (p) => `hashed:${p}`, verify: async ({ hash, password }) => hash === `hashed:${password}` } },
    advanced: { database: { joins: true } },
    rateLimit: { enabled: true, storage: "database", window: 60, max: 3 },
    logger: { disabled: true },
    plugins: [
      username(),
      admin(),
      organization({ teams: { enabled: true } }),
      twoFactor(),
      magicLink({ sendMagicLink: async () => {} }),
      emailOTP({ sendVerificationOTP: async () => {} }),
      multiSession(),
      jwt(),
      anonymous(),
      phoneNumber({ sendOTP: async ({ phoneNumber: phone, code }) => void (otps[phone] = code) }),
    ],
  })
}

async function measure<T>(run: () => Promise<T>): Promise<{ result: T; counts: Record<string, number> }> {
  counter.reset()
  const result = await run()
  return { result, counts: counter.byCommand() }
}

/**
 * Requests per step, as measured (Better Auth 1.7.25). Reads by a lookup are
 * a Query of index entries and a BatchGetItem, by a unique value a GetItem of
 * the claim and one of the record; the session read by token is one GetItem.
 */
const PIN: Record<string, Record<string, number> | undefined> = {
  created: { GetItem: 10, Query: 3, TransactWriteItems: 6 },
  members: { GetItem: 2, Query: 3, BatchGetItem: 4 },
  invited: { GetItem: 4, Query: 4, BatchGetItem: 2, TransactWriteItems: 1 },
  invitations: { GetItem: 2, Query: 2, BatchGetItem: 2 },
  accepted: { GetItem: 8, Query: 1, BatchGetItem: 1, UpdateItem: 1, TransactWriteItems: 1 },
  team: { GetItem: 3, Query: 2, BatchGetItem: 2, TransactWriteItems: 1 },
  teams: { GetItem: 2, Query: 2, BatchGetItem: 2 },
  added: { GetItem: 10, Query: 4, BatchGetItem: 2, TransactWriteItems: 1 },
  full: { GetItem: 2, Query: 4, BatchGetItem: 5 },
  listed: { GetItem: 2, Query: 1, BatchGetItem: 1 },
  removed: { GetItem: 19, Query: 3, BatchGetItem: 3, TransactWriteItems: 2 },
  enabled: { GetItem: 3, Query: 1, TransactWriteItems: 1 },
  uri: { GetItem: 2, Query: 1, BatchGetItem: 1 },
}

/** No Scan, and exactly the requests pinned for the step. */
function pin(counts: Record<string, number>, expected: Record<string, number> | undefined): void {
  expect(expected).toBeDefined()
  expect(counts.Scan).toBeUndefined()
  expect(counts).toEqual(expected)
}

beforeAll(async () => {
  table = await createTestTable()
  client = localClient()
  counter = countRequests(client)
  auth = makeAuth()
})

afterAll(async () => {
  counter.detach()
  client.destroy()
  await table.drop()
})

async function signUp(name: string) {
  const response = await auth.api.signUpEmail({
    body: { email: `${name}@example.com`, password: "password123", name, username: name },
    returnHeaders: true,
  })
  return { headers: cookieHeader(response.headers), user: response.response.user }
}

describe("plugin flows never Scan", () => {
  it("sign-up with a username claims it: GetItem for the availability check, no Scan", async () => {
    const { counts } = await measure(() => auth.api.signUpEmail({ body: { email: "ann@example.com", password: "password123", name: "Ann", username: "ann" } }))
    expect(counts.Scan).toBeUndefined()
    // The username's claim (availability), the email's claim, then one transaction: user, both claims, account, session.
    expect(counts).toEqual({ GetItem: 3, TransactWriteItems: 1 })
    const claim = (await table.scanAll()).find((item) => item.pk === "UNIQUE#USER#username#ann")
    expect(claim).toMatchObject({ type: "UNIQUE", ownerId: expect.any(String) })
  })

  it("sign-in with a username reads the claim and the user by key", async () => {
    await signUp("bob")
    const { result, counts } = await measure(() => auth.api.signInUsername({ body: { username: "bob", password: "password123" } }))
    expect(result?.user).toMatchObject({ username: "bob" })
    expect(counts.Scan).toBeUndefined()
    // The username's claim and its user, the credential account, the user again for the session's copy; the session.
    expect(counts).toEqual({ GetItem: 4, TransactWriteItems: 1 })
  })

  it("isUsernameAvailable is one GetItem", async () => {
    await signUp("carl")
    const taken = await measure(() => auth.api.isUsernameAvailable({ body: { username: "carl" } }))
    expect(taken.result).toEqual({ available: false })
    expect(taken.counts).toEqual({ GetItem: 2 })
    const free = await measure(() => auth.api.isUsernameAvailable({ body: { username: "nobodyhasthis" } }))
    expect(free.result).toEqual({ available: true })
    expect(free.counts).toEqual({ GetItem: 1 })
  })

  it("phone verification finds the user by phone number through its claim", async () => {
    const { headers } = await signUp("dora")
    await auth.api.sendPhoneNumberOTP({ body: { phoneNumber: "+15550001111" }, headers })
    const { result, counts } = await measure(() => auth.api.verifyPhoneNumber({ body: { phoneNumber: "+15550001111", code: otps["+15550001111"]!, updatePhoneNumber: true }, headers }))
    expect(result?.status).toBe(true)
    expect(counts.Scan).toBeUndefined()
    const claim = (await table.scanAll()).find((item) => item.pk === "UNIQUE#USER#phoneNumber#+15550001111")
    expect(claim?.ownerId).toBe(result?.user.id)
  })

  it("getSession with the jwt plugin lists the key set with one Query of its own partition", async () => {
    const { headers } = await signUp("erin")
    await auth.api.getToken({ headers })
    const { counts } = await measure(() => auth.handler(new Request("http://localhost:3000/api/auth/get-session", { headers })))
    expect(counts.Scan).toBeUndefined()
    // Over HTTP the rate limiter counts the request first (its row by its key claim, created here: GetItem + TransactWriteItems);
    // then the session with its user (one GetItem) and the key set (one Query of the JWKS partition).
    expect(counts).toEqual({ GetItem: 2, Query: 1, TransactWriteItems: 1 })
    expect(counter.requests.find((r) => r.command === "Query")!.input).toMatchObject({ KeyConditionExpression: "#n0 = :v0", ExpressionAttributeValues: { ":v0": "JWKS" } })
    const jwks = (await table.scanAll()).filter((item) => item.type === "JWKS")
    expect(jwks).toHaveLength(1)
    expect(jwks[0]!.pk).toBe("JWKS")
  })

  it("organization: create, members, invitations, teams: no Scan", async () => {
    const owner = await signUp("olga")
    const invitee = await signUp("ivan")
    const created = await measure(() => auth.api.createOrganization({ body: { name: "Acme", slug: "acme" }, headers: owner.headers }))
    pin(created.counts, PIN.created)
    const organizationId = created.result!.id
    const members = await measure(() => auth.api.listMembers({ query: { organizationId }, headers: owner.headers }))
    expect(members.result.members).toHaveLength(1)
    pin(members.counts, PIN.members)
    const invited = await measure(() =>
      auth.api.createInvitation({ body: { organizationId, email: "ivan@example.com", role: "member" }, headers: owner.headers }),
    )
    pin(invited.counts, PIN.invited)
    const invitations = await measure(() => auth.api.listInvitations({ query: { organizationId }, headers: owner.headers }))
    expect(invitations.result).toHaveLength(1)
    pin(invitations.counts, PIN.invitations)
    const accepted = await measure(() => auth.api.acceptInvitation({ body: { invitationId: invited.result!.id }, headers: invitee.headers }))
    pin(accepted.counts, PIN.accepted)
    const team = await measure(() => auth.api.createTeam({ body: { name: "Core", organizationId }, headers: owner.headers }))
    pin(team.counts, PIN.team)
    const teams = await measure(() => auth.api.listOrganizationTeams({ query: { organizationId }, headers: owner.headers }))
    expect(teams.result.length).toBeGreaterThanOrEqual(1)
    pin(teams.counts, PIN.teams)
    const added = await measure(() => auth.api.addTeamMember({ body: { teamId: team.result!.id, userId: invitee.user.id }, headers: owner.headers }))
    pin(added.counts, PIN.added)
    const full = await measure(() => auth.api.getFullOrganization({ query: { organizationId }, headers: owner.headers }))
    expect(full.result?.members).toHaveLength(2)
    pin(full.counts, PIN.full)
    const listed = await measure(() => auth.api.listOrganizations({ headers: invitee.headers }))
    expect(listed.result).toHaveLength(1)
    pin(listed.counts, PIN.listed)
    const removed = await measure(() => auth.api.deleteOrganization({ body: { organizationId }, headers: owner.headers }))
    pin(removed.counts, PIN.removed)
  })

  it("two-factor enable and the TOTP lookup by user: no Scan", async () => {
    const { headers } = await signUp("tina")
    const enabled = await measure(() => auth.api.enableTwoFactor({ body: { password: "password123" }, headers }))
    expect(enabled.result).toMatchObject({ totpURI: expect.stringContaining("otpauth://") })
    pin(enabled.counts, PIN.enabled)
    const uri = await measure(() => auth.api.getTOTPURI({ body: { password: "password123" }, headers }))
    pin(uri.counts, PIN.uri)
  })

  it("rate-limited requests over HTTP: the counter by key, never a Scan, and the fourth request refused", async () => {
    counter.reset()
    const statuses: number[] = []
    for (let i = 0; i < 4; i++) {
      const response = await auth.handler(
        new Request("http://localhost:3000/api/auth/is-username-available", {
          method: "POST",
          headers: { "content-type": "application/json", "x-forwarded-for": "203.0.113.7" },
          body: JSON.stringify({ username: "someone" }),
        }),
      )
      statuses.push(response.status)
    }
    expect(statuses).toEqual([200, 200, 200, 429])
    expect(counter.byCommand().Scan).toBeUndefined()
    const rows = (await table.scanAll()).filter((item) => item.type === "RATE_LIMIT" && item.key === "203.0.113.7|/is-username-available")
    expect(rows).toHaveLength(1)
    expect(rows[0]!.count).toBe(3)
  })

  it("the rate-limit prune (deleteMany lastRequest lt) reads its markers, never the table", async () => {
    const context = await auth.$context
    await context.adapter.create({ model: "rateLimit", data: { key: "old-key", count: 1, lastRequest: Date.now() - 3_600_000 } })
    const { result, counts } = await measure(() => context.adapter.deleteMany({ model: "rateLimit", where: [{ field: "lastRequest", operator: "lt", value: Date.now() - 600_000 }] }))
    expect(result).toBe(1)
    expect(counts.Scan).toBeUndefined()
    expect((await table.scanAll()).filter((item) => String(item.pk).includes("old-key"))).toEqual([])
  })
})

describe("lookups that must see a fresh write do not read GSI1", () => {
  it("an organization's members and a user's memberships are found the moment they are written, however much GSI1 lags", async () => {
    const laggedClient = localClient()
    const lag = simulateIndexLag(laggedClient, { lagMs: 60_000 })
    try {
      const db = singleTableAdapter({ client: laggedClient, tableName: table.tableName })({ plugins: [organization({ teams: { enabled: true } })] })
      const org = await db.create<{ id: string }>({ model: "organization", data: { name: "Fresh", slug: "fresh-org", createdAt: new Date() } })
      await db.create({ model: "member", data: { organizationId: org.id, userId: "fresh-user", role: "owner", createdAt: new Date() } })
      expect(await db.findMany({ model: "member", where: [{ field: "organizationId", value: org.id }] })).toHaveLength(1)
      expect(await db.findMany({ model: "member", where: [{ field: "userId", value: "fresh-user" }] })).toHaveLength(1)
      expect(await db.findOne({ model: "member", where: [{ field: "organizationId", value: org.id }, { field: "userId", value: "fresh-user" }] })).not.toBeNull()
      expect(await db.findOne({ model: "organization", where: [{ field: "slug", value: "fresh-org" }] })).toMatchObject({ id: org.id })
      expect(await db.count({ model: "team", where: [{ field: "organizationId", value: org.id }] })).toBe(0)
      expect(lag.indexReads()).toBe(0)
    } finally {
      lag.detach()
      laggedClient.destroy()
    }
  })
})
