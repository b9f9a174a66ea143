/**
 * A user update inside a Better Auth transaction (issue #11, defect 10):
 * the copies of the user are refreshed after the commit, so a process
 * killed right after it (a fault after each request: killed) must not
 * leave a session presenting the old user.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { AuthjsFront, BetterAuthFront } from "./front-ends.js"
import { explore, formatViolations } from "./scheduler.js"
import { createWorld, identityScenario, seedUser, type World } from "./world.js"

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

describe("updating a user inside a Better Auth transaction (defect 10)", () => {
  it("adapter.transaction(tx => tx.update user), killed after each request: no copy is left older than the user item", { timeout: 120_000 }, async () => {
    const report = await explore(
      identityScenario(world, {
        name: "Better Auth transaction updating a user, killed",
        faults: { operations: ["T"], kinds: ["killed-after"] },
        async prepare(context) {
          const user = await seedUser(authjs, context, { sessions: 2, account: true })
          const { adapter } = betterAuth.context
          return {
            operations: [
              {
                id: "T",
                run: () =>
                  context.journal.update(user.id, { name: "New Name" }, () =>
                    adapter.transaction((tx) => tx.update({ model: "user", where: [{ field: "id", value: user.id }], update: { name: "New Name" } })),
                  ),
              },
            ],
          }
        },
      }),
    )
    expect(report.violations, formatViolations(report)).toEqual([])
  })
})
