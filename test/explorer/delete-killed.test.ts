/**
 * deleteUser killed midway (a fault at each of its requests: the process
 * dies after that request was applied) while a session of the user is
 * being created (issue #11, defect 4): whatever the delete got done, no
 * session may log the deleted user in.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { AuthjsFront, BetterAuthFront } from "./front-ends.js"
import { explore, formatViolations } from "./scheduler.js"
import { createWorld, identityScenario, inAnHour, seedUser, type World } from "./world.js"

let world: World
let authjs: AuthjsFront
let betterAuth: BetterAuthFront

beforeAll(async () => {
  world = await createWorld()
  authjs = world.authjs({ label: "Auth.js" })
  betterAuth = await world.betterAuth({ label: "Better Auth" })
})

afterAll(async () => {
  await world?.close()
})

describe("deleteUser killed midway while a session is created (defect 4)", () => {
  it("Auth.js deleteUser (killed after each request) vs createSession: no session logs the deleted user in", { timeout: 180_000 }, async () => {
    const report = await explore(
      identityScenario(world, {
        name: "Auth.js deleteUser killed vs createSession",
        faults: { operations: ["D"], kinds: ["killed-after"] },
        bounds: { maxSchedules: 12 },
        async prepare(context) {
          const user = await seedUser(authjs, context, { sessions: 0 })
          const token = `tok-new-${context.ns}`
          return {
            operations: [
              { id: "D", run: () => context.journal.delete(user.id, () => authjs.adapter.deleteUser(user.id)) },
              { id: "S", run: () => context.journal.createSession(token, user.id, () => authjs.adapter.createSession({ sessionToken: token, userId: user.id, expires: inAnHour() })) },
            ],
          }
        },
      }),
    )
    expect(report.violations, formatViolations(report)).toEqual([])
  })

  it("Better Auth deleteUser (killed after each request) vs Better Auth createSession: same", { timeout: 180_000 }, async () => {
    const report = await explore(
      identityScenario(world, {
        name: "Better Auth deleteUser killed vs createSession",
        faults: { operations: ["D"], kinds: ["killed-after"] },
        // Better Auth's delete takes ~8 requests: one hold per request keeps each kill's interleavings few enough to try them all.
        holdAfterAnswer: false,
        bounds: { maxSchedules: 16, maxTotalSchedules: 160 },
        async prepare(context) {
          const user = await seedUser(authjs, context, { sessions: 0 })
          const { internalAdapter } = betterAuth.context
          return {
            operations: [
              { id: "D", run: () => context.journal.delete(user.id, () => internalAdapter.deleteUser(user.id)) },
              { id: "S", run: () => context.journal.createSessionWithToken(user.id, () => internalAdapter.createSession(user.id)) },
            ],
          }
        },
      }),
    )
    expect(report.violations, formatViolations(report)).toEqual([])
  })
})
