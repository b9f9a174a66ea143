/**
 * Unique claims under every interleaving (issue #12): an organization
 * created with a slug while another organization is renamed to it, and a
 * username taken by a sign-up while another user renames themself to it.
 * Whatever the order of their requests (each held before it is sent and
 * after it is answered), exactly one of the two holds the value, its claim
 * names it, the loser kept its old value and claim, and the loser failed
 * with UNIQUE_VIOLATION (or, for a sign-up, Better Auth's own answer).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ScanCommand } from "@aws-sdk/lib-dynamodb"
import { DynamoDBDocument } from "@aws-sdk/lib-dynamodb"
import { organization, username } from "better-auth/plugins"
import { singleTableAdapter } from "../../src/better-auth/index.js"
import { testBetterAuth } from "../support/better-auth-app.js"
import { createTestTable, localClient, type TestTable } from "../support/test-table.js"
import { attachHoldMiddleware, GateSlot } from "./hold-middleware.js"
import { explore, formatViolations, type Outcome, type Scenario } from "./scheduler.js"

let table: TestTable
const slot = new GateSlot()
const client = localClient()
const inspectorClient = localClient()
const inspector = DynamoDBDocument.from(inspectorClient)
let auth: ReturnType<typeof makeAuth>

function makeAuth() {
  attachHoldMiddleware(client, slot)
  return testBetterAuth(client, table.tableName, {
    database: singleTableAdapter({ client, tableName: table.tableName }),
    plugins: [username(), organization()],
  })
}

beforeAll(async () => {
  table = await createTestTable()
  auth = makeAuth()
})

afterAll(async () => {
  client.destroy()
  inspectorClient.destroy()
  await table.drop()
})

async function itemsOf(ns: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = []
  let ExclusiveStartKey: Record<string, unknown> | undefined
  do {
    const page = await inspector.send(new ScanCommand({ TableName: table.tableName, ExclusiveStartKey, ConsistentRead: true }))
    items.push(...((page.Items ?? []) as Record<string, unknown>[]).filter((item) => JSON.stringify(item).includes(ns)))
    ExclusiveStartKey = page.LastEvaluatedKey
  } while (ExclusiveStartKey)
  return items
}

function failedWith(outcome: Outcome | undefined, codes: readonly string[]): boolean {
  if (outcome?.status !== "failed") return false
  const error = outcome.error as { code?: string; body?: { code?: string } }
  return codes.includes(error.body?.code ?? error.code ?? "")
}

/**
 * The invariants after a schedule of two writers racing for `value` of
 * `field` on `kind` records: one holder, its claim, the loser unchanged.
 */
function checkRace(items: Record<string, unknown>[], kind: string, field: string, value: string, loserCodes: readonly string[], outcomes: Map<string, Outcome>): string[] {
  const problems: string[] = []
  const holders = items.filter((item) => item.type === kind && item[field] === value)
  const claims = items.filter((item) => item.pk === `UNIQUE#${kind}#${field}#${value}`)
  if (holders.length !== 1) problems.push(`${holders.length} ${kind} records hold ${field} = ${value}`)
  if (claims.length !== 1 || claims[0]!.ownerId !== holders[0]?.id) problems.push(`the claim on ${value} names ${String(claims[0]?.ownerId)}, the holder is ${String(holders[0]?.id)}`)
  const ok = [...outcomes.entries()].filter(([, o]) => o.status === "ok").map(([id]) => id)
  if (ok.length !== 1) problems.push(`${ok.length} writers succeeded (${ok.join(", ")})`)
  for (const [id, outcome] of outcomes) if (outcome.status !== "ok" && !failedWith(outcome, loserCodes)) problems.push(`${id} failed with ${String((outcome as { error?: unknown }).error)}`)
  // Every claim of this schedule names a record that holds its value.
  for (const claim of items.filter((item) => item.type === "UNIQUE")) {
    const owner = items.find((item) => item.id === claim.ownerId && item.type === kind)
    const claimed = String(claim.claim).split("#").slice(2).join("#")
    if (!owner || owner[field] !== claimed) problems.push(`claim ${String(claim.pk)} names ${String(claim.ownerId)}, which does not hold ${claimed}`)
  }
  return problems
}

describe("unique claims under every interleaving", () => {
  it("organization.slug: a create and a rename to the same slug", { timeout: 120_000 }, async () => {
    const db = (await auth.$context).adapter
    const scenario: Scenario = {
      name: "create organization with slug S | rename another organization to S",
      slot,
      async prepare(base) {
        const other = await db.create<{ id: string }>({ model: "organization", data: { name: "Other", slug: `old-${base.ns}`, createdAt: new Date() } })
        return {
          context: base,
          operations: [
            { id: "create", run: () => db.create({ model: "organization", data: { name: "New", slug: `s-${base.ns}`, createdAt: new Date() } }) },
            { id: "rename", run: () => db.update({ model: "organization", where: [{ field: "id", value: other.id }], update: { slug: `s-${base.ns}` } }) },
          ],
        }
      },
      async check(context, run) {
        const items = await itemsOf(context.ns)
        const problems = checkRace(items, "ORGANIZATION", "slug", `s-${context.ns}`, ["UNIQUE_VIOLATION"], run.outcomes)
        const renamed = run.outcomes.get("rename")?.status === "ok"
        const oldClaims = items.filter((item) => item.pk === `UNIQUE#ORGANIZATION#slug#old-${context.ns}`)
        if (oldClaims.length !== (renamed ? 0 : 1)) problems.push(`the old slug's claim: ${oldClaims.length} (rename ${renamed ? "won" : "lost"})`)
        return problems
      },
    }
    const report = await explore(scenario)
    expect(report.schedules).toBeGreaterThan(1)
    expect(report.violations, formatViolations(report)).toEqual([])
  })

  it("user.username: a sign-up and a rename to the same username", { timeout: 120_000 }, async () => {
    const db = (await auth.$context).adapter
    const scenario: Scenario = {
      name: "sign up with username U | rename another user to U",
      slot,
      async prepare(base) {
        const other = await db.create<{ id: string }>({
          model: "user",
          data: { email: `other-${base.ns}@example.com`, name: "O", username: `old${base.ns}`.toLowerCase(), emailVerified: false, createdAt: new Date(), updatedAt: new Date() },
        })
        const wanted = `u${base.ns}`.toLowerCase()
        // The username plugin's field (the shared test app's type knows only the core fields).
        const body = { email: `new-${base.ns}@example.com`, password: "password123", name: "N", username: wanted }
        return {
          context: base,
          operations: [
            { id: "sign-up", run: () => auth.api.signUpEmail({ body }) },
            { id: "rename", run: () => db.update({ model: "user", where: [{ field: "id", value: other.id }], update: { username: wanted } }) },
          ],
        }
      },
      async check(context, run) {
        const items = await itemsOf(context.ns.toLowerCase())
        return checkRace(items, "USER", "username", `u${context.ns}`.toLowerCase(), ["UNIQUE_VIOLATION", "USERNAME_IS_ALREADY_TAKEN", "FAILED_TO_CREATE_USER"], run.outcomes)
      },
    }
    const report = await explore(scenario)
    expect(report.schedules).toBeGreaterThan(1)
    expect(report.violations, formatViolations(report)).toEqual([])
  })
})
