/**
 * A rolling deploy (issue #13): `@auth/dynamodb-adapter` 2.11.3 signs out,
 * extends and deletes on a legacy table (no metadata item, every instance of
 * this library told `legacyItems: "present"`) while this library reads the
 * same sessions and repairs its token items (`session-store.ts`: the token
 * item is a hint, confirmed against the session item). Every interleaving of
 * the two operations' requests is run (exhaustively: no preemption or
 * schedule bound), and its number is asserted against a model of the
 * requests each operation makes (`expectedSchedules`).
 *
 * Invariants, beside those of `invariants.ts`:
 * - S1 a session deleted (by either adapter) is never returned by a read that
 *   started after the delete returned, nor by any read after the schedule.
 * - S2 a read never returns an expiry older than one written by an extension
 *   that returned before the read started (and not itself overwritten by a
 *   write that started after it returned): no extension is lost to a read.
 * - S3 once every operation finished, a token item whose session item is gone
 *   (as the official adapter sees it: the item with its GSI1 keys) is never
 *   believed: every front-end reads null, and the first read deletes it; a
 *   token item of a live session is brought to its session item by a read.
 * - S4 no repair write (a write of a read to a token item) leaves a token
 *   item of a session whose session item is gone, or one whose expiry
 *   differs from its session item as it is when the write lands.
 *
 * Counts. Requests are held before they are sent, and each operation before
 * it starts (`holdStart`); holding after the answer too would only add
 * orders of returns, not of requests reaching DynamoDB. With no bound, the
 * explorer runs every merge of the two operations' hold sequences: C(6,3) =
 * 20 for two operations of start + two requests, C(7,3) = 35 when the read
 * always repairs (start, GetItem, BatchGetItem, write), C(8,3) = 56 with one
 * more request (Better Auth reads; a session without a token item: GetItem,
 * Query GSI1, the token item's TransactWriteItems, GetItem user). A read whose repair depends on the
 * order adds it only after the other operation finished, so the count stays
 * that of its fixed part. The counts are pinned per scenario.
 *
 * Findings. S1 failed before the fix in `session-store.ts`: the official
 * `updateSession` racing its own `deleteSession` re-creates a fragment of
 * the session item (no type, no GSI1 keys) that the official adapter never
 * finds; the token item took it for the session and signed the user back
 * in. S4 failed next, in every scenario where the other operation lands
 * between the read's BatchGetItem and its repair write: the repair wrote
 * what the session item no longer was (an update or backfill put of a
 * session just deleted, an expiry just extended past it). Each was only a
 * hint every later read confirms (S3 held), but one that outlived or
 * contradicted the session item until then, and that a table marked
 * complete afterwards would have believed. Repairs now carry a
 * ConditionCheck on the session item as read (`repairWhileUnchanged`).
 */
import { DynamoDBAdapter as OfficialAdapter } from "@auth/dynamodb-adapter"
import type { Adapter } from "@auth/core/adapters"
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb"
import { DynamoDBDocument } from "@aws-sdk/lib-dynamodb"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { localClient } from "../support/test-table.js"
import { authjsFront, betterAuthFront, viewOf, type AuthjsFront, type BetterAuthFront, type FrontEnd } from "./front-ends.js"
import { attachHoldMiddleware, operationContext } from "./hold-middleware.js"
import type { Journal } from "./journal.js"
import { explore, formatViolations, type Operation, type Scenario, type ScheduleRun } from "./scheduler.js"
import { createWorld, identityScenario, seedUser, type IdentityContext, type World } from "./world.js"

type Official = Required<Pick<Adapter, "createSession" | "updateSession" | "deleteSession" | "deleteUser">>
type Item = Record<string, unknown>

// ---------------------------------------------------------------------------------------------------------------------
// What the schedule's session operations did, on the journal's clock.

interface SessionWrite {
  kind: "extend" | "delete"
  by: string
  token: string
  /** Epoch seconds an extension sets. */
  expires?: number
  startedAt: number
  returnedAt?: number
}

interface SessionReadEntry {
  via: string
  token: string
  startedAt: number
  /** The expiry returned (epoch seconds); null: no session. */
  expires: number | null
}

class SessionLog {
  readonly writes: SessionWrite[] = []
  readonly reads: SessionReadEntry[] = []
  constructor(private readonly journal: Journal) {}

  /** The session as the schedule began: an extension that returned at 0. */
  seeded(token: string, expires: number): void {
    this.writes.push({ kind: "extend", by: "set-up", token, expires, startedAt: 0, returnedAt: 0 })
  }

  async write<T>(entry: Omit<SessionWrite, "startedAt" | "returnedAt">, run: () => Promise<T>): Promise<T> {
    const write: SessionWrite = { ...entry, startedAt: this.journal.now() }
    this.writes.push(write)
    const result = await run()
    write.returnedAt = this.journal.now()
    return result
  }

  async read(via: string, token: string, run: () => Promise<{ expires: number; user: Item | null } | null>): Promise<void> {
    const startedAt = this.journal.now()
    const found = await this.journal.read(via, run, (result) => viewOf(result?.user))
    this.reads.push({ via, token, startedAt, expires: found ? found.expires : null })
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// The audit of repair writes (S4): every write to a token item made by a read (an operation `R…`, or outside any
// operation: the checker's reads), with the token item before and after and the session item when it landed.

interface Audit {
  active: boolean
  problems: string[]
  /** Repair writes seen (each schedule). */
  writes: number
}

const audit: Audit = { active: false, problems: [], writes: 0 }

function plain(value: unknown): unknown {
  return value && typeof value === "object" && "S" in value ? (value as { S: unknown }).S : value
}

/** The token keys (pk = sk = `SESSION#…`) a write request touches. */
function tokenKeysOf(command: string, input: Item): string[] {
  const keys: unknown[] = []
  if (command === "UpdateItem" || command === "DeleteItem") keys.push(input.Key)
  if (command === "PutItem") keys.push(input.Item)
  if (command === "TransactWriteItems" && Array.isArray(input.TransactItems)) {
    for (const entry of input.TransactItems as Item[]) for (const body of Object.values(entry) as Item[]) keys.push(body.Key ?? body.Item)
  }
  return keys.flatMap((key) => {
    const pk = plain((key as Item | undefined)?.pk)
    const sk = plain((key as Item | undefined)?.sk)
    return typeof pk === "string" && pk === sk && pk.startsWith("SESSION#") ? [pk] : []
  })
}

function attachRepairAudit(client: DynamoDBClient, inspector: DynamoDBDocument, tableName: string): void {
  const get = async (pk: string, sk = pk) => (await inspector.get({ TableName: tableName, Key: { pk, sk }, ConsistentRead: true })).Item
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName ?? "").replace(/Command$/, "")
      const operation = operationContext.getStore()
      const isRead = operation === undefined || operation.startsWith("R")
      const keys = audit.active && isRead ? tokenKeysOf(command, (args.input ?? {}) as Item) : []
      if (keys.length === 0) return next(args)
      const before = await Promise.all(keys.map((key) => get(key)))
      const result = await next(args)
      audit.writes++
      for (const [index, key] of keys.entries()) {
        const was = before[index]
        const now = await get(key)
        if (!now) continue
        const session = await get(`USER#${String(now.userId)}`, key)
        if (!isSessionItem(session, key)) audit.problems.push(`S4 a repair (${command}) left a token item claiming a session whose session item is gone: ${key}${was ? "" : " (created it)"}`)
        else if (session!.expires !== now.expires) {
          audit.problems.push(`S4 a repair (${command}) wrote an expiry its session item does not have: ${key} ${String(was?.expires ?? "(none)")} → ${String(now.expires)}, session item ${String(session!.expires)}`)
        }
      }
      return result
    },
    { step: "initialize", priority: "low", name: `explorer/repair-audit/${Math.random()}` },
  )
}

/** A session item as the official adapter finds it: by its GSI1 keys. */
function isSessionItem(item: Item | undefined, tokenKey: string): boolean {
  return item !== undefined && item.type === "SESSION" && item.GSI1PK === tokenKey && item.GSI1SK === tokenKey
}

// ---------------------------------------------------------------------------------------------------------------------

let world: World
let ours: AuthjsFront
let better: BetterAuthFront
let official: Official
const clients: DynamoDBClient[] = []

/** Whole seconds, as both adapters store them (`expires` in epoch seconds). */
const at = (hoursFromNow: number) => new Date(Math.floor(Date.now() / 1000) * 1000 + hoursFromNow * 3_600_000)
const seconds = (date: Date) => date.getTime() / 1000

beforeAll(async () => {
  world = await createWorld({ legacy: true })
  const inspector = DynamoDBDocument.from(world.inspector)
  const readerClient = () => {
    const client = localClient()
    clients.push(client)
    attachRepairAudit(client, inspector, world.tableName)
    return client
  }
  ours = authjsFront({ label: "Auth.js", tableName: world.tableName, slot: world.slot, client: readerClient(), legacyItems: "present" })
  better = await betterAuthFront({ label: "Better Auth", tableName: world.tableName, slot: world.slot, client: readerClient(), legacyItems: "present" })
  world.frontEnds.push(ours, better)
  const officialClient = localClient()
  clients.push(officialClient)
  attachHoldMiddleware(officialClient, world.slot)
  const document = DynamoDBDocument.from(officialClient, { marshallOptions: { convertEmptyValues: true, removeUndefinedValues: true, convertClassInstanceToMap: true } })
  official = OfficialAdapter(document, { tableName: world.tableName }) as Official
})

afterAll(async () => {
  for (const client of clients) client.destroy()
  await world?.close()
})

// ---------------------------------------------------------------------------------------------------------------------
// The reads, as each front-end makes them.

type ReaderId = "authjs" | "findSession" | "findSessions"

const READERS: Record<ReaderId, { label: string; read(token: string): Promise<{ expires: number; user: Item | null } | null> }> = {
  authjs: {
    label: "Auth.js getSessionAndUser",
    async read(token) {
      const found = await ours.adapter.getSessionAndUser(token)
      return found ? { expires: seconds(found.session.expires), user: found.user as unknown as Item } : null
    },
  },
  findSession: {
    label: "Better Auth findSession",
    async read(token) {
      const found = await better.context.internalAdapter.findSession(token)
      return found ? { expires: seconds(new Date(found.session.expiresAt)), user: found.user as Item } : null
    },
  },
  findSessions: {
    label: "Better Auth findSessions",
    async read(token) {
      const [found] = await better.context.internalAdapter.findSessions([token])
      return found ? { expires: seconds(new Date(found.session.expiresAt)), user: found.user as Item } : null
    },
  },
}

// ---------------------------------------------------------------------------------------------------------------------
// Scenarios.

/** How the session stands when the schedule begins. */
type Start =
  /** Made by this library: token item and session item agree. */
  | "ours"
  /** Made by this library, then extended by the official adapter: the token item is behind. */
  | "extended"
  /** Made by the official adapter: no token item. */
  | "official"

type OpKind = "read" | "official-delete" | "official-extend" | "official-delete-user" | "our-extend" | "our-delete"

interface SessionContext extends IdentityContext {
  extra: Setup | undefined
}

interface Setup {
  journal: Journal
  log: SessionLog
  token: string
  userId: string
}

const EXTENSION_HOURS: Record<string, number> = { "official-extend": 24, "our-extend": 48 }

function operationOf(kind: OpKind, id: string, setup: Setup, reader: ReaderId): Operation {
  const { log, token, userId } = setup
  switch (kind) {
    case "read":
      return { id, run: () => log.read(`${READERS[reader].label}(${token})`, token, () => READERS[reader].read(token)) }
    case "official-delete":
      return { id, run: () => log.write({ kind: "delete", by: "official deleteSession", token }, async () => official.deleteSession(token)) }
    case "official-extend": {
      const expires = at(EXTENSION_HOURS[kind]!)
      return { id, run: () => log.write({ kind: "extend", by: "official updateSession", token, expires: seconds(expires) }, async () => official.updateSession({ sessionToken: token, expires })) }
    }
    case "official-delete-user":
      return { id, run: () => setup.journal.delete(userId, () => log.write({ kind: "delete", by: "official deleteUser", token }, async () => official.deleteUser(userId))) }
    case "our-extend": {
      const expires = at(EXTENSION_HOURS[kind]!)
      return { id, run: () => log.write({ kind: "extend", by: "our updateSession", token, expires: seconds(expires) }, () => ours.adapter.updateSession({ sessionToken: token, expires })) }
    }
    case "our-delete":
      return { id, run: () => log.write({ kind: "delete", by: "our deleteSession", token }, () => ours.adapter.deleteSession(token)) }
  }
}

interface SessionScenarioSpec {
  name: string
  /** Every interleaving of the two operations' requests (see the top of the file). */
  interleavings: number
  start: Start
  operations: [OpKind, OpKind]
  reader?: ReaderId
}

/** Ids: `R` for a read (the audit's repair writes are a read's), `O` for the official adapter, `U` for this library's writes. */
function idOf(kind: OpKind, taken: string[]): string {
  const base = kind === "read" ? "R" : kind.startsWith("official") ? "O" : "U"
  return taken.includes(base) ? `${base}2` : base
}

function sessionScenario(spec: SessionScenarioSpec): Scenario<SessionContext> {
  const reader = spec.reader ?? "authjs"
  const base = identityScenario<Setup>(world, {
    name: spec.name,
    holdStart: true,
    holdAfterAnswer: false,
    bounds: { preemptions: 1_000, maxDecisions: 1_000, maxSchedules: 100_000, maxTotalSchedules: 100_000 },
    async prepare(context) {
      const log = new SessionLog(context.journal)
      const user = await seedUser(ours, context, { sessions: 0 })
      const token = `tok-${context.ns}`
      const created = at(1)
      if (spec.start === "official") await official.createSession({ sessionToken: token, userId: user.id, expires: created })
      else await ours.adapter.createSession({ sessionToken: token, userId: user.id, expires: created })
      context.journal.sessionCreated(token, user.id)
      log.seeded(token, seconds(created))
      if (spec.start === "extended") {
        const extended = at(12)
        await official.updateSession({ sessionToken: token, expires: extended })
        log.writes[0]!.expires = seconds(extended)
      }
      const setup = { journal: context.journal, log, token, userId: user.id }
      const ids: string[] = []
      const operations = spec.operations.map((kind) => {
        const id = idOf(kind, ids)
        ids.push(id)
        return operationOf(kind, id, setup, reader)
      })
      audit.problems = []
      audit.writes = 0
      audit.active = true
      return { extra: setup, operations }
    },
  })
  return {
    ...base,
    async check(context, run) {
      const problems = await checkSessions(context, run)
      audit.active = false
      for (const problem of new Set(audit.problems.map((p) => p.split(":")[0]!))) stats.findings.set(problem, (stats.findings.get(problem) ?? 0) + 1)
      return [...problems, ...new Set(audit.problems), ...(await base.check(context, run))]
    },
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// The session invariants (S1–S3; S4 is the audit).

/** S1, S2 for one read. */
function judgeRead(log: SessionLog, read: SessionReadEntry): string[] {
  const writes = log.writes.filter((write) => write.token === read.token)
  const deleted = writes.find((write) => write.kind === "delete" && write.returnedAt !== undefined && write.returnedAt < read.startedAt)
  if (read.expires === null) return []
  if (deleted) return [`S1 deleted session returned: ${read.via} (started at ${read.startedAt}) returned it after ${deleted.by} returned (at ${deleted.returnedAt})`]
  const extensions = writes.filter((write) => write.kind === "extend")
  // An extension is superseded when another started after it returned, and returned before the read started.
  const current = extensions.filter(
    (write) => write.returnedAt !== undefined && write.returnedAt < read.startedAt && !extensions.some((later) => later.startedAt > write.returnedAt! && later.returnedAt !== undefined && later.returnedAt < read.startedAt),
  )
  const possible = extensions.filter((write) => current.includes(write) || write.returnedAt === undefined || write.returnedAt >= read.startedAt || !current.some((c) => c.startedAt > write.returnedAt!))
  if (possible.some((write) => write.expires === read.expires)) return []
  return [`S2 lost extension: ${read.via} (started at ${read.startedAt}) returned expiry ${read.expires}; it can only be ${possible.map((w) => `${w.expires} (${w.by})`).join(" or ")}`]
}

async function checkSessions(context: SessionContext, run: ScheduleRun): Promise<string[]> {
  const setup = context.extra!
  const { log, token, userId } = setup
  const inspector = DynamoDBDocument.from(world.inspector)
  const get = async (pk: string, sk = pk) => (await inspector.get({ TableName: world.tableName, Key: { pk, sk }, ConsistentRead: true })).Item
  const key = `SESSION#${token}`
  const problems: string[] = []
  for (const read of log.reads) problems.push(...judgeRead(log, read))
  for (const [id, outcome] of run.outcomes) if (outcome.status !== "ok") problems.push(`S0 an operation did not finish ok: ${id} ${outcome.status}`)

  const tokenItem = await get(key)
  const sessionItem = await get(`USER#${userId}`, key)
  const live = isSessionItem(sessionItem, key)
  if (tokenItem && !live) stats.leftOver++
  // Every front-end, after the schedule: what the session item says (null when it is gone).
  for (const id of ["authjs", "findSession", "findSessions"] as const) {
    const before = log.reads.length
    await log.read(`${READERS[id].label}(${token}) after the schedule`, token, () => READERS[id].read(token))
    const read = log.reads[before]!
    problems.push(...judgeRead(log, read))
    const want = live ? (sessionItem!.expires as number) : null
    if (read.expires !== want) problems.push(`S3 a read after the schedule disagrees with the session item: ${read.via} returned ${String(read.expires)}; the session item says ${String(want)}`)
  }
  const after = await get(key)
  if (!live && after) problems.push(`S3 a token item outlived its session item past three reads: ${key}`)
  if (live && after && after.expires !== sessionItem!.expires) problems.push(`S3 a token item disagrees with its session item after three reads: ${key} says ${String(after.expires)}, its session item ${String(sessionItem!.expires)}`)
  return problems
}

const stats = { leftOver: 0, findings: new Map<string, number>() }

// ---------------------------------------------------------------------------------------------------------------------

async function exploreScenario(spec: SessionScenarioSpec) {
  stats.leftOver = 0
  stats.findings.clear()
  const report = await explore(sessionScenario(spec))
  const findings = [...stats.findings].map(([kind, n]) => `${kind} ×${n}`).join("; ")
  console.log(`[official-session-writes] ${spec.name}: ${report.schedules} interleavings, ${stats.leftOver} left a token item of a gone session for the next read${findings ? `; S4 findings: ${findings}` : ""}`)
  return report
}

const SCENARIOS: SessionScenarioSpec[] = [
  ...(["ours", "extended", "official"] as const).flatMap((start) =>
    (["official-delete", "official-extend", "official-delete-user"] as const).map((kind): SessionScenarioSpec => ({ name: `Auth.js read vs ${kind} (${start})`, interleavings: { ours: 20, extended: 35, official: 56 }[start], start, operations: ["read", kind] })),
  ),
  ...(["findSession", "findSessions"] as const).flatMap((reader) =>
    (["official-delete", "official-extend", "official-delete-user"] as const).map((kind): SessionScenarioSpec => ({ name: `${reader} vs ${kind} (extended)`, interleavings: 56, start: "extended", operations: ["read", kind], reader })),
  ),
  ...(["our-extend", "our-delete"] as const).flatMap((ourKind) =>
    (["official-delete", "official-extend"] as const).map((kind): SessionScenarioSpec => ({ name: `${ourKind} vs ${kind} (ours)`, interleavings: 20, start: "ours", operations: [ourKind, kind] })),
  ),
  { name: "official-delete vs official-extend (ours), then every front-end reads", interleavings: 20, start: "ours", operations: ["official-delete", "official-extend"] },
  { name: "Auth.js read vs our-extend (extended)", interleavings: 35, start: "extended", operations: ["read", "our-extend"] },
]

describe("this library's session reads against the official adapter's session writes (legacy table)", () => {
  for (const spec of SCENARIOS) {
    it(spec.name, { timeout: 600_000 }, async () => {
      const report = await exploreScenario(spec)
      expect(report.violations, formatViolations(report, 2)).toEqual([])
      expect(report.schedules).toBe(spec.interleavings)
    })
  }
})
