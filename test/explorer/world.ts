/**
 * The table, clients and front-end instances one explorer test file works
 * with, and `identityScenario`, which turns a scenario's set-up and
 * operations into a `Scenario` checked by `checkInvariants`. Every schedule
 * gets fresh ids (its namespace) on the file's one table.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb"
import { createTestTable, localClient, type TestTable } from "../support/test-table.js"
import { authjsFront, betterAuthFront, type AuthjsFront, type BetterAuthFront, type FrontEnd, type FrontEndOptions } from "./front-ends.js"
import { GateSlot, operationContext } from "./hold-middleware.js"
import { checkInvariants } from "./invariants.js"
import { Journal } from "./journal.js"
import type { Bounds, Operation, Scenario, ScheduleContext } from "./scheduler.js"
import type { FaultKind } from "./faults.js"

export interface World {
  table: TestTable
  tableName: string
  slot: GateSlot
  /** Not instrumented: the invariant checker's raw reads. */
  inspector: DynamoDBClient
  /** Every front-end made through this world; the checker reads through each. */
  readonly frontEnds: FrontEnd[]
  /** A new Auth.js instance on a client of its own. */
  authjs(options: Omit<FrontEndOptions, "tableName" | "slot" | "client">): AuthjsFront
  /** A new Better Auth instance on a client of its own. */
  betterAuth(options: Omit<FrontEndOptions, "tableName" | "slot" | "client">): Promise<BetterAuthFront>
  close(): Promise<void>
}

/** A fresh table (`legacy`: without the "lookups complete" marker) and what the explorer needs around it. */
export async function createWorld(options: { legacy?: boolean } = {}): Promise<World> {
  const table = await createTestTable(options.legacy ? { legacy: true } : {})
  const slot = new GateSlot()
  const inspector = localClient()
  const frontEnds: FrontEnd[] = []
  const clients: DynamoDBClient[] = [inspector]
  const ownClient = () => {
    const client = localClient()
    clients.push(client)
    return client
  }
  return {
    table,
    tableName: table.tableName,
    slot,
    inspector,
    frontEnds,
    authjs(front) {
      const made = authjsFront({ ...front, tableName: table.tableName, slot, client: ownClient() })
      frontEnds.push(made)
      return made
    },
    async betterAuth(front) {
      const made = await betterAuthFront({ ...front, tableName: table.tableName, slot, client: ownClient() })
      frontEnds.push(made)
      return made
    },
    async close() {
      for (const client of clients) client.destroy()
      await table.drop()
    },
  }
}

export interface IdentityContext extends ScheduleContext {
  journal: Journal
}

export interface IdentityScenarioSpec<Extra> {
  name: string
  /** Sets the initial state up (ids from `ns`, recorded in `journal`) and returns the operations. */
  prepare(context: IdentityContext): Promise<{ extra?: Extra; operations: Operation[] }>
  faults?: { operations: string[]; kinds: FaultKind[]; maxRequest?: number }
  holdAfterAnswer?: boolean
  holdStart?: boolean
  bounds?: Partial<Bounds>
  /** Front-ends the checker reads through (default: every one of the world). */
  readers?: FrontEnd[]
}

/** What a scenario's checks need of its world. */
export type CheckedWorld = Pick<World, "tableName" | "slot" | "inspector" | "frontEnds">

/** A scenario over the identity API, checked by every invariant of `invariants.ts`. */
export function identityScenario<Extra = undefined>(world: CheckedWorld, spec: IdentityScenarioSpec<Extra>): Scenario<IdentityContext & { extra: Extra | undefined }> {
  return {
    name: spec.name,
    slot: world.slot,
    ...(spec.faults ? { faults: spec.faults } : {}),
    ...(spec.holdAfterAnswer !== undefined ? { holdAfterAnswer: spec.holdAfterAnswer } : {}),
    ...(spec.holdStart !== undefined ? { holdStart: spec.holdStart } : {}),
    ...(spec.bounds ? { bounds: spec.bounds } : {}),
    async prepare(base) {
      const killedNow = () => {
        const operation = operationContext.getStore()
        return operation !== undefined && world.slot.current?.isKilled(operation) === true
      }
      const context: IdentityContext = { ...base, journal: new Journal(killedNow) }
      const { extra, operations } = await spec.prepare(context)
      return { context: { ...context, extra }, operations }
    },
    check(context, run) {
      return checkInvariants({
        tableName: world.tableName,
        inspector: world.inspector,
        readers: spec.readers ?? world.frontEnds,
        ns: context.ns,
        journal: context.journal,
        run,
      })
    },
  }
}

/** An hour from now (a session's expiry). */
export const inAnHour = () => new Date(Date.now() + 3_600_000)

export interface SeededUser {
  id: string
  email: string
  tokens: string[]
  account: { provider: string; providerAccountId: string } | undefined
}

/**
 * A user made through Auth.js (id, email and name from `ns`), with
 * `sessions` sessions and, with `account`, a linked GitHub account: the
 * common initial state. Everything is recorded in the journal.
 */
export async function seedUser(
  front: AuthjsFront,
  context: IdentityContext,
  options: { key?: string; name?: string; sessions?: number; account?: boolean; extra?: Record<string, unknown> } = {},
): Promise<SeededUser> {
  const { journal, ns } = context
  const key = options.key ?? "u"
  const id = `${key}-${ns}`
  const email = journal.email(`${key}-${ns}@example.com`)
  await front.adapter.createUser({ id, email, emailVerified: null, name: options.name ?? "Old Name", ...options.extra })
  const account = options.account ? journal.providerAccount("github", `gh-${key}-${ns}`) : undefined
  if (account) await front.adapter.linkAccount({ userId: id, type: "oauth", ...account })
  const tokens: string[] = []
  for (let n = 0; n < (options.sessions ?? 1); n++) {
    const token = `tok-${key}${n}-${ns}`
    await front.adapter.createSession({ sessionToken: token, userId: id, expires: inAnHour() })
    journal.sessionCreated(token, id)
    tokens.push(token)
  }
  return { id, email, tokens, account }
}
