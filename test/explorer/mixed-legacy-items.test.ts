/**
 * Two adapter instances with different `legacyItems` on one table (issue
 * #11, defect 1): one trusts the copies of users, the other updates users
 * without refreshing them. Once B's updateUser returned, A must not show
 * the old user, nor copy it into a session it creates afterwards. No
 * interleaving is needed: the schedule is one sequence, judged by the same
 * invariants.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { LegacyItems } from "../../src/core/identity/table-mode.js"
import { viewOf, type AuthjsFront } from "./front-ends.js"
import { explore, formatViolations } from "./scheduler.js"
import { createWorld, identityScenario, inAnHour, seedUser, type World } from "./world.js"

const worlds: World[] = []

afterAll(async () => {
  for (const world of worlds) await world.close()
})

/** A custom user field, as apps add them (Auth.js stores what it is given). */
const roleUser = { role: "user" } as Record<string, unknown>

/** A (`a`) and B (`b`) on one table; the user is made by A. */
function mixedScenario(world: World, a: AuthjsFront, b: AuthjsFront, name: string) {
  return identityScenario(world, {
    name,
    async prepare(context) {
      const user = await seedUser(a, context, { sessions: 1, account: true, extra: { role: "admin" } })
      const later = `tok-later-${context.ns}`
      return {
        operations: [
          {
            id: "BA",
            async run() {
              await context.journal.update(user.id, { role: "user" }, () => b.adapter.updateUser({ id: user.id, ...roleUser }))
              await context.journal.read(`A getUserByEmail(${user.email}) right after`, () => a.adapter.getUserByEmail(user.email), (found) => viewOf(found as Record<string, unknown> | null))
              await context.journal.createSession(later, user.id, () => a.adapter.createSession({ sessionToken: later, userId: user.id, expires: inAnHour() }))
            },
          },
        ],
      }
    },
  })
}

async function pair(legacy: boolean, aItems: LegacyItems, bItems: LegacyItems) {
  const world = await createWorld({ legacy })
  worlds.push(world)
  return { world, a: world.authjs({ label: `A (${aItems})`, legacyItems: aItems }), b: world.authjs({ label: `B (${bItems})`, legacyItems: bItems }) }
}

describe("instances with different legacyItems on one table (defect 1)", () => {
  let marked: Awaited<ReturnType<typeof pair>>
  let legacy: Awaited<ReturnType<typeof pair>>

  beforeAll(async () => {
    marked = await pair(false, "auto", "present")
    legacy = await pair(true, "none", "auto")
  })

  it('table made by createTable: A "auto", B "present"; after B\'s updateUser returned, A shows the new role everywhere', { timeout: 60_000 }, async () => {
    const report = await explore(mixedScenario(marked.world, marked.a, marked.b, 'A "auto" + B "present" (marked table)'))
    expect(report.violations, formatViolations(report)).toEqual([])
  })

  it('legacy table (no metadata item): A "none", B "auto"; same', { timeout: 60_000 }, async () => {
    const report = await explore(mixedScenario(legacy.world, legacy.a, legacy.b, 'A "none" + B "auto" (legacy table)'))
    expect(report.violations, formatViolations(report)).toEqual([])
  })
})
