/**
 * deleteUser racing the writes that move a user's claims: an email change
 * (issue #11, defect 2), a new linked account (defect 3), and an email that
 * changes hands while the delete runs (defect 5). Through Auth.js
 * (deleteWithEverything: Query, BatchWriteItem) and Better Auth
 * (internalAdapter.deleteUser: sessions, accounts, then the user).
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

describe("deleteUser racing an email change (defect 2)", () => {
  it("Auth.js deleteUser vs updateUser(email): the deleted user is never found by its new email, and the email stays free", { timeout: 120_000 }, async () => {
    const report = await explore(
      identityScenario(world, {
        name: "Auth.js deleteUser vs email change",
        async prepare(context) {
          const user = await seedUser(authjs, context)
          const email = context.journal.email(`new-${context.ns}@example.com`)
          return {
            operations: [
              { id: "D", run: () => context.journal.delete(user.id, () => authjs.adapter.deleteUser(user.id)) },
              { id: "U", run: () => context.journal.update(user.id, { email }, () => authjs.adapter.updateUser({ id: user.id, email })) },
            ],
          }
        },
      }),
    )
    expect(report.violations, formatViolations(report)).toEqual([])
  })

  it("Better Auth deleteUser vs Auth.js updateUser(email): same", { timeout: 120_000 }, async () => {
    const report = await explore(
      identityScenario(world, {
        name: "Better Auth deleteUser vs email change",
        async prepare(context) {
          const user = await seedUser(authjs, context)
          const email = context.journal.email(`new-${context.ns}@example.com`)
          return {
            operations: [
              { id: "D", run: () => context.journal.delete(user.id, () => betterAuth.context.internalAdapter.deleteUser(user.id)) },
              { id: "U", run: () => context.journal.update(user.id, { email }, () => authjs.adapter.updateUser({ id: user.id, email })) },
            ],
          }
        },
      }),
    )
    expect(report.violations, formatViolations(report)).toEqual([])
  })
})

describe("deleteUser racing linkAccount (defect 3)", () => {
  it("Auth.js: once the user is deleted, its provider account can be linked again", { timeout: 120_000 }, async () => {
    const report = await explore(
      identityScenario(world, {
        name: "Auth.js deleteUser vs linkAccount",
        async prepare(context) {
          const user = await seedUser(authjs, context)
          const account = context.journal.providerAccount("github", `gh-new-${context.ns}`)
          return {
            operations: [
              { id: "D", run: () => context.journal.delete(user.id, () => authjs.adapter.deleteUser(user.id)) },
              { id: "L", run: () => authjs.adapter.linkAccount({ userId: user.id, type: "oauth", ...account }) },
            ],
          }
        },
      }),
    )
    expect(report.violations, formatViolations(report)).toEqual([])
  })

  it("Better Auth deleteUser vs Better Auth linkAccount: same", { timeout: 120_000 }, async () => {
    const report = await explore(
      identityScenario(world, {
        name: "Better Auth deleteUser vs linkAccount",
        async prepare(context) {
          const user = await seedUser(authjs, context)
          const account = context.journal.providerAccount("github", `gh-new-${context.ns}`)
          return {
            operations: [
              { id: "D", run: () => context.journal.delete(user.id, () => betterAuth.context.internalAdapter.deleteUser(user.id)) },
              {
                id: "L",
                run: () => betterAuth.context.internalAdapter.linkAccount({ userId: user.id, providerId: account.provider, accountId: account.providerAccountId }),
              },
            ],
          }
        },
      }),
    )
    expect(report.violations, formatViolations(report)).toEqual([])
  })
})

describe("deleteUser while its email changes hands (defect 5)", () => {
  it("Auth.js deleteUser(X) vs X's email change followed by Y's sign-up with X's old email: Y keeps its claim", { timeout: 120_000 }, async () => {
    const report = await explore(
      identityScenario(world, {
        name: "deleteUser vs email changing hands",
        // Defect 2 shows up in this race too; go on past it to the schedules where Y's claim is lost.
        bounds: { maxViolations: 40 },
        async prepare(context) {
          const x = await seedUser(authjs, context, { key: "x" })
          const moved = context.journal.email(`moved-${context.ns}@example.com`)
          const y = `y-${context.ns}`
          return {
            operations: [
              { id: "D", run: () => context.journal.delete(x.id, () => authjs.adapter.deleteUser(x.id)) },
              {
                // Once X's email change returned, the old email is free: Y takes it.
                id: "M",
                async run() {
                  await context.journal.update(x.id, { email: moved }, () => authjs.adapter.updateUser({ id: x.id, email: moved }))
                  await authjs.adapter.createUser({ id: y, email: x.email, emailVerified: null, name: "Y" })
                },
              },
            ],
          }
        },
      }),
    )
    expect(report.violations, formatViolations(report)).toEqual([])
  })
})
