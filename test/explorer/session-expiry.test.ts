/**
 * A session extended right after it expired, while its user is updated
 * (issue #11, defect 6): the update leaves the copies of expired sessions
 * alone, so the extension must not bring an old copy back to life.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { AuthjsFront } from "./front-ends.js"
import { explore, formatViolations } from "./scheduler.js"
import { createWorld, identityScenario, inAnHour, seedUser, type World } from "./world.js"

let world: World
let authjs: AuthjsFront

beforeAll(async () => {
  world = await createWorld()
  authjs = world.authjs({ label: "Auth.js" })
  await world.betterAuth({ label: "Better Auth" })
})

afterAll(async () => {
  await world?.close()
})

describe("a session extended just after it expired, during updateUser (defect 6)", () => {
  it("Auth.js updateUser vs updateSession(expires: later) of a session that expired 2 s ago: the extended session shows the updated user", { timeout: 120_000 }, async () => {
    const report = await explore(
      identityScenario(world, {
        name: "updateUser vs extending an expired session",
        async prepare(context) {
          const user = await seedUser(authjs, context, { sessions: 0 })
          const token = `tok-expired-${context.ns}`
          await authjs.adapter.createSession({ sessionToken: token, userId: user.id, expires: new Date(Date.now() - 2_000) })
          context.journal.sessionCreated(token, user.id)
          return {
            operations: [
              { id: "U", run: () => context.journal.update(user.id, { name: "New Name" }, () => authjs.adapter.updateUser({ id: user.id, name: "New Name" })) },
              { id: "X", run: () => authjs.adapter.updateSession({ sessionToken: token, expires: inAnHour() }) },
            ],
          }
        },
      }),
    )
    expect(report.violations, formatViolations(report)).toEqual([])
  })
})
