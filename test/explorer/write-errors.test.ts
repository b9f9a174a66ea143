/**
 * Errors of single writes and transactions (issue #11, defects 7 and 8):
 * a fault at each request of an operation (conflict, throttling, a network
 * failure before or after DynamoDB applied it) must end in success or in a
 * typed error, never a raw AWS error; a throttled transaction is retried
 * (THROTTLED at worst); and on the two-step update path (over 90 copies) a
 * failed copy refresh must not leave copies stale.
 */
import { BatchWriteCommand, DynamoDBDocument } from "@aws-sdk/lib-dynamodb"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { AuthjsFront } from "./front-ends.js"
import { explore, formatViolations } from "./scheduler.js"
import { createWorld, identityScenario, inAnHour, seedUser, type IdentityContext, type World } from "./world.js"

let world: World
let authjs: AuthjsFront

beforeAll(async () => {
  world = await createWorld()
  authjs = world.authjs({ label: "Auth.js" })
})

afterAll(async () => {
  await world?.close()
})

/**
 * Gives the user `count` more sessions by copying the items of its first
 * one (session item and token item, with its copy of the user) under new
 * tokens: the layout of the items, without a transaction per session.
 */
async function cloneSessions(context: IdentityContext, userId: string, token: string, count: number): Promise<void> {
  const document = DynamoDBDocument.from(world.inspector)
  const table = world.tableName
  const session = (await document.get({ TableName: table, Key: { pk: `USER#${userId}`, sk: `SESSION#${token}` } })).Item!
  const tokenItem = (await document.get({ TableName: table, Key: { pk: `SESSION#${token}`, sk: `SESSION#${token}` } })).Item!
  const puts: Record<string, unknown>[] = []
  for (let n = 1; n <= count; n++) {
    const clone = `tok-bulk${n}-${context.ns}`
    const key = `SESSION#${clone}`
    puts.push({ ...session, sk: key, GSI1PK: key, GSI1SK: key, sessionToken: clone, id: `${clone}-id` })
    puts.push({ ...tokenItem, pk: key, sk: key, sessionToken: clone, id: `${clone}-id` })
    context.journal.sessionCreated(clone, userId, false)
  }
  for (let start = 0; start < puts.length; start += 25) {
    await document.send(new BatchWriteCommand({ RequestItems: { [table]: puts.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } })) } }))
  }
}

describe("a fault at each request: typed errors, throttling retried (defects 7 and 8)", () => {
  it("Auth.js updateUser (email change): conflict, throttling, network failure before and after the send", { timeout: 120_000 }, async () => {
    const report = await explore(
      identityScenario(world, {
        name: "updateUser(email) with a fault at each request",
        faults: { operations: ["U"], kinds: ["conflict", "throttle", "network-before", "network-after"] },
        bounds: { maxViolations: 20 },
        async prepare(context) {
          const user = await seedUser(authjs, context, { sessions: 1 })
          const email = context.journal.email(`new-${context.ns}@example.com`)
          return { operations: [{ id: "U", run: () => context.journal.update(user.id, { email }, () => authjs.adapter.updateUser({ id: user.id, email })) }] }
        },
      }),
    )
    expect(report.violations, formatViolations(report)).toEqual([])
  })

  it("Auth.js createSession: conflict and throttling of its transaction", { timeout: 120_000 }, async () => {
    const report = await explore(
      identityScenario(world, {
        name: "createSession with a fault at each request",
        faults: { operations: ["S"], kinds: ["conflict", "throttle"] },
        bounds: { maxViolations: 20 },
        async prepare(context) {
          const user = await seedUser(authjs, context, { sessions: 0 })
          const token = `tok-new-${context.ns}`
          return {
            operations: [{ id: "S", run: () => context.journal.createSession(token, user.id, () => authjs.adapter.createSession({ sessionToken: token, userId: user.id, expires: inAnHour() })) }],
          }
        },
      }),
    )
    expect(report.violations, formatViolations(report)).toEqual([])
  })
})

describe("the two-step update path, over 90 copies (defect 7)", () => {
  it("Auth.js updateUser of a user with 91 sessions, a TransactionConflict at each of its first requests: typed error, no stale copy", { timeout: 180_000 }, async () => {
    const report = await explore(
      identityScenario(world, {
        name: "updateUser over 90 copies with a conflict",
        faults: { operations: ["U"], kinds: ["conflict"], maxRequest: 6 },
        bounds: { maxViolations: 20 },
        async prepare(context) {
          const user = await seedUser(authjs, context, { sessions: 1 })
          await cloneSessions(context, user.id, user.tokens[0]!, 90)
          return { operations: [{ id: "U", run: () => context.journal.update(user.id, { name: "New Name" }, () => authjs.adapter.updateUser({ id: user.id, name: "New Name" })) }] }
        },
      }),
    )
    expect(report.violations, formatViolations(report)).toEqual([])
  })
})
