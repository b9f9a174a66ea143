/**
 * Runs 2–3 operations concurrently under a `RequestGate` and enumerates
 * their interleavings systematically.
 *
 * One schedule. Every operation runs inside `operationContext.run(id, …)`;
 * its requests stop at the gate's holds (before send, after answer). The
 * scheduler repeats: wait for QUIESCENCE, then pick which operation's oldest
 * held request proceeds. Quiescence means:
 *   1. no request is in flight (released before send, not yet answered):
 *      wait for the gate's next change;
 *   2. the event loop has drained: two `setImmediate` turns, so every
 *      promise continuation that needs no I/O has run;
 *   3. every operation is held or finished. One that is neither is sleeping
 *      (a jittered backoff), hashing, or waiting on another operation's
 *      held request (a shared promise): poll every millisecond until it is
 *      held or finished, up to `idleMs`; past that, the scheduler goes on
 *      with the holds there are, and when there are none the schedule is
 *      STUCK (a violation: an operation that never finishes).
 * An operation with parallel requests (Promise.all) holds several at once;
 * they are released oldest first, so the scheduler chooses between
 * operations, never between one operation's own requests. Only a point
 * with two or more held operations is a DECISION; the choice list of a
 * schedule is the operation chosen at each decision, which replays it.
 *
 * Enumeration. The tree of decisions is enumerated systematically by
 * stateless re-execution (each schedule starts from the same initial
 * state, set up again with fresh ids): after a run, the untried
 * alternatives of each of its decisions beyond the replayed prefix become
 * new prefixes. Each prefix is run once, so no schedule is run twice. The
 * default choice is to continue the operation that moved last (else the
 * first in order); choosing another operation while that one could go on
 * is a PREEMPTION. Prefixes are taken fewest preemptions first, then
 * earliest divergence first (iterative context bounding, as in CHESS): the
 * schedules a budget cuts off are the least likely to matter.
 * Bounds: at most `preemptions` per schedule (iterative context bounding:
 * most concurrency bugs need one or two), decisions beyond `maxDecisions`
 * take the default only, at most `maxSchedules` per fault plan and
 * `maxTotalSchedules` per scenario, and a scenario stops at its first
 * violating schedule. `EXPLORE_DEEP=1` raises them all (`EXPLORE_DEPTH=n`
 * sets the preemption bound; `EXPLORE_ALL=1` goes on past violations).
 *
 * Faults. A scenario may ask for a fault at each request of some of its
 * operations (counted on the first fault-free schedule): every (request,
 * kind) pair is one fault plan, and each plan's interleavings are
 * enumerated like the fault-free ones.
 *
 * Replay. `EXPLORE_REPLAY='["D#3:killed-after","D","U"]'` runs just that
 * schedule (fault labels and choices, as a violation prints them) and
 * prints its trace.
 */
import { faultLabel, parseFaultLabel, type FaultKind, type FaultPlan } from "./faults.js"
import { GateSlot, operationContext, RequestGate } from "./hold-middleware.js"

export interface Operation {
  /** Short and unique within the schedule: `D`, `U`, `S`. */
  id: string
  run(): Promise<unknown>
}

export type Outcome =
  | { status: "ok"; value: unknown }
  | { status: "failed"; error: unknown }
  /** The operation was killed by its fault (its promise's result does not matter). */
  | { status: "killed"; error?: unknown }
  | { status: "stuck" }

export interface Bounds {
  preemptions: number
  maxDecisions: number
  maxSchedules: number
  maxTotalSchedules: number
  /** How long an operation may be neither held nor finished before the scheduler goes on without it. */
  idleMs: number
  /** Stop the scenario after this many violating schedules. */
  maxViolations: number
}

const DEFAULT_BOUNDS: Bounds = { preemptions: 1, maxDecisions: 40, maxSchedules: 24, maxTotalSchedules: 48, idleMs: 5_000, maxViolations: 1 }
const DEEP_BOUNDS: Bounds = { preemptions: 2, maxDecisions: 200, maxSchedules: 2_000, maxTotalSchedules: 20_000, idleMs: 5_000, maxViolations: 20 }

/** The bounds for this run: the defaults (or the deep ones under `EXPLORE_DEEP=1`), `EXPLORE_DEPTH`, then the scenario's own. */
export function boundsFor(overrides: Partial<Bounds> = {}, env: NodeJS.ProcessEnv = process.env): Bounds {
  const deep = env.EXPLORE_DEEP === "1" || env.EXPLORE_DEEP === "true"
  const base = deep ? DEEP_BOUNDS : { ...DEFAULT_BOUNDS, ...overrides }
  const depth = env.EXPLORE_DEPTH === undefined ? undefined : Number(env.EXPLORE_DEPTH)
  const bounded = depth !== undefined && Number.isInteger(depth) && depth >= 0 ? { ...base, preemptions: depth } : base
  // EXPLORE_ALL=1: never stop at a violation (every violated invariant, and the time a clean run takes).
  return env.EXPLORE_ALL === "1" ? { ...bounded, maxViolations: Number.POSITIVE_INFINITY } : bounded
}

export interface ScheduleContext {
  /** Fresh for every schedule: put it in every id, email, token and provider account id. */
  ns: string
  fault: FaultPlan | undefined
}

export interface ScheduleRun {
  fault: FaultPlan | undefined
  choices: string[]
  outcomes: Map<string, Outcome>
  gate: RequestGate
  /** Set when a replayed choice was not available (the code under test changed its requests). */
  diverged?: string
  /** Notes on the run: idle operations the scheduler went on without. */
  notes: string[]
}

export interface Scenario<Context extends ScheduleContext = ScheduleContext> {
  name: string
  /** The slot the scenario's instrumented clients consult. */
  slot: GateSlot
  /** Builds the schedule's context (ids from `base.ns`), sets the initial state up, and returns it with the operations to run. */
  prepare(base: ScheduleContext): Promise<{ context: Context; operations: Operation[] }>
  /** The violated invariants after the schedule (empty when it is fine). */
  check(context: Context, run: ScheduleRun): Promise<string[]>
  /** A fault at each request (up to `maxRequest`) of each listed operation, of each kind. */
  faults?: { operations: string[]; kinds: FaultKind[]; maxRequest?: number }
  holdAfterAnswer?: boolean
  /** Hold each operation before it begins, so one can start after another's step (see `GateOptions.holdStart`). */
  holdStart?: boolean
  bounds?: Partial<Bounds>
}

export interface Violation {
  /** Fault label (if any) then choices: what `EXPLORE_REPLAY` takes. */
  replay: string[]
  messages: string[]
  trace: string[]
}

export interface ExplorationReport {
  scenario: string
  schedules: number
  faultPlans: number
  violations: Violation[]
  elapsedMs: number
}

const macrotask = () => new Promise<void>((resolve) => setImmediate(resolve))
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

export interface Decision {
  /** Allowed choices, the default first. */
  allowed: string[]
  /** The schedule's preemptions so far if each allowed choice is taken (same order as `allowed`). */
  preemptionsIf: number[]
  chosen: string
}

/** Waits for quiescence (see the top of the file). Returns the operations it gave up waiting for. */
async function quiesce(gate: RequestGate, order: readonly string[], outcomes: Map<string, Outcome>, idleMs: number): Promise<string[]> {
  let idleSince: number | undefined
  for (;;) {
    await macrotask()
    await macrotask()
    if (gate.inFlight > 0) {
      await Promise.race([gate.nextChange(), sleep(50)])
      idleSince = undefined
      continue
    }
    const running = order.filter((id) => !outcomes.has(id) && gate.holds([id]).length === 0)
    if (running.length === 0) return []
    idleSince ??= Date.now()
    if (Date.now() - idleSince > idleMs) return running
    await Promise.race([gate.nextChange(), sleep(1)])
  }
}

/** Runs `operations` under `gate`, following `prefix` at the first decisions, then the default choices. */
export async function runSchedule(
  operations: readonly Operation[],
  gate: RequestGate,
  prefix: readonly string[],
  bounds: Bounds,
): Promise<{ run: Omit<ScheduleRun, "fault">; decisions: Decision[] }> {
  const order = operations.map((operation) => operation.id)
  const outcomes = new Map<string, Outcome>()
  const notes: string[] = []
  const decisions: Decision[] = []
  let diverged: string | undefined
  const finished = operations.map((operation) =>
    operationContext
      .run(operation.id, () => gate.started(operation.id).then(() => operation.run()))
      .then(
        (value) => void outcomes.set(operation.id, gate.isKilled(operation.id) ? { status: "killed" } : { status: "ok", value }),
        (error: unknown) => void outcomes.set(operation.id, gate.isKilled(operation.id) ? { status: "killed", error } : { status: "failed", error }),
      ),
  )
  let last: string | undefined
  let preemptions = 0
  for (;;) {
    const idle = await quiesce(gate, order, outcomes, bounds.idleMs)
    const holds = gate.holds(order)
    if (holds.length === 0) {
      for (const id of idle) outcomes.set(id, { status: "stuck" })
      break
    }
    if (idle.length > 0) notes.push(`went on without idle operation(s) ${idle.join(", ")} after ${bounds.idleMs} ms`)
    const options = holds.map((hold) => hold.operation)
    let chosen = options[0]!
    if (options.length > 1) {
      const lastCanGo = last !== undefined && options.includes(last)
      const preempts = (option: string) => (lastCanGo && option !== last ? 1 : 0)
      const fallback = lastCanGo ? last! : options[0]!
      const deepEnough = decisions.length >= bounds.maxDecisions
      const allowed = [fallback, ...options.filter((option) => option !== fallback && !deepEnough && preemptions + preempts(option) <= bounds.preemptions)]
      const wanted = prefix[decisions.length]
      chosen = fallback
      if (wanted !== undefined) {
        if (options.includes(wanted)) chosen = wanted
        else diverged ??= `decision ${decisions.length + 1}: ${wanted} holds no request (held: ${options.join(", ")})`
      }
      decisions.push({ allowed, preemptionsIf: allowed.map((option) => preemptions + preempts(option)), chosen })
      preemptions += preempts(chosen)
    }
    gate.release(chosen)
    last = chosen
  }
  gate.releaseEverything()
  await Promise.race([Promise.all(finished), sleep(bounds.idleMs)])
  for (const operation of order) if (!outcomes.has(operation)) outcomes.set(operation, { status: "stuck" })
  return { run: { choices: decisions.map((d) => d.chosen), outcomes, gate, notes, ...(diverged ? { diverged } : {}) }, decisions }
}

/** What `EXPLORE_REPLAY` asks for, if anything: a fault (or none) and the choices. */
export function replayRequest(env: NodeJS.ProcessEnv = process.env): { fault: FaultPlan | undefined; choices: string[] } | undefined {
  const text = env.EXPLORE_REPLAY
  if (!text) return undefined
  const entries = JSON.parse(text) as unknown
  if (!Array.isArray(entries) || !entries.every((entry) => typeof entry === "string")) throw new Error(`EXPLORE_REPLAY must be a JSON array of strings, got ${text}`)
  const faults = entries.map((entry) => parseFaultLabel(entry)).filter((plan): plan is FaultPlan => plan !== undefined)
  return { fault: faults[0], choices: entries.filter((entry) => parseFaultLabel(entry) === undefined) }
}

let scheduleCount = 0

/** Runs one schedule of `scenario` from a fresh initial state, and checks it. */
async function runOne<Context extends ScheduleContext>(scenario: Scenario<Context>, fault: FaultPlan | undefined, prefix: readonly string[], bounds: Bounds) {
  const base: ScheduleContext = { ns: `x${++scheduleCount}${Math.random().toString(36).slice(2, 6)}`, fault }
  const { context, operations } = await scenario.prepare(base)
  const gate = new RequestGate({ fault, holdAfterAnswer: scenario.holdAfterAnswer ?? true, holdStart: scenario.holdStart ?? false })
  scenario.slot.current = gate
  let result: Awaited<ReturnType<typeof runSchedule>>
  try {
    result = await runSchedule(operations, gate, prefix, bounds)
  } finally {
    scenario.slot.current = undefined
  }
  const run: ScheduleRun = { ...result.run, fault }
  const messages = await scenario.check(context, run)
  if (run.diverged) messages.push(`replay diverged: ${run.diverged}`)
  return { run, decisions: result.decisions, messages }
}

function violationOf(run: ScheduleRun, messages: string[]): Violation {
  return { replay: [...(run.fault ? [faultLabel(run.fault)] : []), ...run.choices], messages, trace: [...run.gate.trace, ...run.notes, `outcomes: ${outcomeText(run)}`] }
}

interface FrontierEntry {
  prefix: string[]
  /** Preemptions the prefix makes. */
  preemptions: number
}

/** The schedules still to run below a run: each untried alternative at each of its decisions beyond its prefix. */
function childrenOf(prefix: readonly string[], choices: readonly string[], decisions: readonly Decision[]): FrontierEntry[] {
  return decisions.flatMap((decision, index) =>
    index < prefix.length
      ? []
      : decision.allowed.slice(1).map((alternative, n) => ({ prefix: [...choices.slice(0, index), alternative], preemptions: decision.preemptionsIf[n + 1]! })),
  )
}

/**
 * Runs every schedule of the decision tree once (see "Enumeration" at the
 * top), while `goOn()` says so: `runPrefix` runs the schedule that follows
 * `prefix` and returns its choices and decisions.
 */
export async function enumerateSchedules(
  goOn: () => boolean,
  runPrefix: (prefix: string[]) => Promise<{ choices: string[]; decisions: readonly Decision[] }>,
): Promise<void> {
  const frontier: FrontierEntry[] = [{ prefix: [], preemptions: 0 }]
  while (frontier.length > 0 && goOn()) {
    const { prefix } = takeNext(frontier)
    const { choices, decisions } = await runPrefix(prefix)
    frontier.push(...childrenOf(prefix, choices, decisions))
  }
}

/** The entry with the fewest preemptions, then the earliest divergence (shortest prefix), then the oldest: removed from `frontier`. */
function takeNext(frontier: FrontierEntry[]): FrontierEntry {
  let best = 0
  frontier.forEach((entry, index) => {
    const current = frontier[best]!
    if (entry.preemptions < current.preemptions || (entry.preemptions === current.preemptions && entry.prefix.length < current.prefix.length)) best = index
  })
  return frontier.splice(best, 1)[0]!
}

/** Explores the scenario's schedules (see the top of the file) and reports the violating ones. */
export async function explore<Context extends ScheduleContext>(scenario: Scenario<Context>): Promise<ExplorationReport> {
  const bounds = boundsFor(scenario.bounds)
  const started = Date.now()
  const violations: Violation[] = []
  const replay = replayRequest()
  if (replay) {
    const { run, messages } = await runOne(scenario, replay.fault, replay.choices, bounds)
    console.log(`[explorer] ${scenario.name}: replayed ${JSON.stringify(violationOf(run, []).replay)}\n  ${run.gate.trace.join("\n  ")}\n  outcomes: ${outcomeText(run)}`)
    if (messages.length > 0) violations.push(violationOf(run, messages))
    return { scenario: scenario.name, schedules: 1, faultPlans: replay.fault ? 1 : 0, violations, elapsedMs: Date.now() - started }
  }
  let schedules = 0
  let requestCounts: Map<string, number> | undefined
  const explorePlan = async (fault: FaultPlan | undefined) => {
    let planSchedules = 0
    // A fault that cannot strike its request (a conflict planned on a read) leaves nothing to explore.
    let struck = true
    await enumerateSchedules(
      () => struck && planSchedules < bounds.maxSchedules && schedules < bounds.maxTotalSchedules && violations.length < bounds.maxViolations,
      async (prefix) => {
        const { run, decisions, messages } = await runOne(scenario, fault, prefix, bounds)
        struck = fault === undefined || run.gate.faultStruck
        schedules++
        planSchedules++
        requestCounts ??= new Map([...run.outcomes.keys()].map((id) => [id, run.gate.requestsOf(id)]))
        if (messages.length > 0) violations.push(violationOf(run, messages))
        return { choices: run.choices, decisions }
      },
    )
  }
  await explorePlan(undefined)
  const plans = faultPlansOf(scenario.faults, requestCounts ?? new Map())
  for (const plan of plans) {
    if (schedules >= bounds.maxTotalSchedules || violations.length >= bounds.maxViolations) break
    await explorePlan(plan)
  }
  const elapsedMs = Date.now() - started
  console.log(
    `[explorer] ${scenario.name}: ${schedules} schedules (${plans.length} fault plans, ≤${bounds.preemptions} preemptions) in ${(elapsedMs / 1000).toFixed(1)} s, ${violations.length} violating${violations.length ? ` (${violationKinds({ scenario: scenario.name, schedules, faultPlans: plans.length, violations, elapsedMs })})` : ""}`,
  )
  return { scenario: scenario.name, schedules, faultPlans: plans.length, violations, elapsedMs }
}

/** A plan per (request, kind) of each listed operation, its requests counted on the first fault-free schedule. */
function faultPlansOf(spec: Scenario["faults"], requestCounts: Map<string, number>): FaultPlan[] {
  if (!spec) return []
  return spec.operations.flatMap((operation) => {
    const count = Math.min(requestCounts.get(operation) ?? 0, spec.maxRequest ?? Number.POSITIVE_INFINITY)
    return Array.from({ length: count }, (_, index) => spec.kinds.map((kind) => ({ operation, request: index + 1, kind }))).flat()
  })
}

function outcomeText(run: ScheduleRun): string {
  return [...run.outcomes].map(([id, outcome]) => `${id}=${outcome.status}${"error" in outcome && outcome.error ? ` (${describeError(outcome.error)})` : ""}`).join(", ")
}

/** `DynamoAuthAdapterError TRANSACTION_FAILED: …` / `TransactionConflictException: …`, one line. */
export function describeError(error: unknown): string {
  const e = error as { name?: string; code?: unknown; message?: string; body?: { code?: string } }
  const code = typeof e?.code === "string" ? ` ${e.code}` : e?.body?.code ? ` ${e.body.code}` : ""
  return `${e?.name ?? "Error"}${code}: ${String(e?.message ?? error).slice(0, 160)}`
}

/** `I3 unclaimed email` out of `I3 unclaimed email: user … has …`. */
function kindOf(message: string): string {
  return message.split(":")[0]!
}

/** How many violating schedules broke each invariant: `I2 deleted user still found ×3, I4 stale copy ×1`. */
export function violationKinds(report: ExplorationReport): string {
  const counts = new Map<string, number>()
  for (const violation of report.violations) for (const kind of new Set(violation.messages.map(kindOf))) counts.set(kind, (counts.get(kind) ?? 0) + 1)
  return [...counts].map(([kind, count]) => `${kind} ×${count}`).join(", ")
}

/** A readable failure message: per broken invariant, the first schedule that broke it, with its replay list and trace. */
export function formatViolations(report: ExplorationReport, shown = 4): string {
  const firsts: Violation[] = []
  const seen = new Set<string>()
  for (const violation of report.violations) {
    const kinds = violation.messages.map(kindOf).filter((kind) => !seen.has(kind))
    if (kinds.length === 0) continue
    kinds.forEach((kind) => seen.add(kind))
    firsts.push(violation)
  }
  const parts = firsts.slice(0, shown).map(
    (violation) =>
      `replay: EXPLORE_REPLAY='${JSON.stringify(violation.replay)}'\n  - ${violation.messages.join("\n  - ")}\n  trace:\n    ${violation.trace.join("\n    ")}`,
  )
  return `${report.scenario}: ${report.violations.length} violating schedule(s) of ${report.schedules} (${violationKinds(report)})\n${parts.join("\n\n")}`
}
