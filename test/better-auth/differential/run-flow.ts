/**
 * Runs one flow on one side: each step at its fixed time, its result (or the
 * error it threw) and the requested models' rows normalized, its DynamoDB
 * requests counted. The rows are read after the count, so they never show up
 * in it.
 */
import { vi } from "vitest"
import { APIError } from "better-auth/api"
import { rowsById, sortListings } from "./compare.js"
import type { FlowContext } from "./flow-context.js"
import type { Flow } from "./flows.js"
import { Normalizer } from "./normalize.js"
import type { Runner, StepRequests } from "./runner.js"

export interface StepOutcome {
  step: string
  result: unknown
  rows: Record<string, unknown>
  requests: StepRequests | undefined
}

/**
 * What a step that threw is compared as: Better Auth's status, body and
 * redirect target (an APIError, whichever copy of the class threw it), or the
 * error's name and message.
 */
function thrown(error: unknown): unknown {
  if (error instanceof APIError || (error instanceof Error && error.name === "APIError" && "status" in error)) {
    const api = error as APIError
    const location = api.headers ? new Headers(api.headers).get("location") : null
    return { error: { status: api.status, body: api.body ?? null, ...(location ? { location } : {}) } }
  }
  if (error instanceof Error) return { error: { name: error.name, message: error.message } }
  return { error: String(error) }
}

/** The times of a flow's steps: 1 s apart, plus each step's own `advance`; the same on both sides. */
export function stepTimes(flow: Flow, start: number): number[] {
  let at = start
  return flow.steps.map((step) => (at += (1 + (step.advance ?? 0)) * 1000))
}

export async function runFlow(runner: Runner, ctx: FlowContext, flow: Flow, start: number, origin: number): Promise<StepOutcome[]> {
  const normalizer = new Normalizer(origin)
  const times = stepTimes(flow, start)
  const outcomes: StepOutcome[] = []
  for (const [index, step] of flow.steps.entries()) {
    vi.setSystemTime(times[index]!)
    // A step that throws before its first await is caught too.
    const { value, requests } = await runner.measure(() => Promise.resolve().then(() => step.run(ctx)).catch(thrown))
    // OTPs are short: they are replaced only because the outbox says they are secrets. Invitation ids are plain ids.
    for (const message of runner.outbox.messages) if (message.kind !== "invitation") normalizer.registerSecret(message.secret, message.kind)
    const result = normalizer.normalize(step.unordered ? sortListings(value) : value)
    const rows: Record<string, unknown> = {}
    // Keyed (so sorted) by id, deterministic, before normalizing: placeholders are numbered in the same order on both sides.
    for (const model of step.rows ?? []) rows[model] = normalizer.normalize(rowsById(await runner.rows(model)))
    outcomes.push({ step: step.name, result, rows, requests })
  }
  return outcomes
}
