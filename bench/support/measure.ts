/**
 * Runs flows against subjects (an adapter per table), interleaved so that
 * machine noise hits both alike, and gathers requests, capacity, latency and
 * throughput for each.
 */
import type { RequestCounter } from "../../src/core/client/request-counter.js"
import { median, percentile } from "./stats.js"

export interface Subject<A> {
  /** Column name in the report, e.g. "this library", "@auth/dynamodb-adapter". */
  name: string
  adapter: A
  counter: RequestCounter
  /** Items left in the table for a user after a flow, when a flow wants to check completeness. */
  leftovers?: (userId: string) => Promise<number>
}

export interface FlowSpec<A, C> {
  name: string
  prepare(adapter: A): Promise<C>
  run(context: C): Promise<void>
  iterations?: number
  /** Optional check after the timed part, e.g. items a delete left behind. */
  after?: (context: C, subject: Subject<A>) => Promise<string | undefined>
}

export interface FlowResult {
  flow: string
  subject: string
  requestsPerFlow: number
  byCommand: Record<string, number>
  capacityPerFlow: number
  medianMs: number
  p99Ms: number
  throughput1: number
  throughput32: number
  note: string | undefined
}

export interface MeasureOptions {
  iterations: number
  throughputFlows: number
}

async function timeConcurrent<A, C>(subject: Subject<A>, flow: FlowSpec<A, C>, concurrency: number, total: number): Promise<number> {
  const contexts: C[] = []
  for (let i = 0; i < total; i++) contexts.push(await flow.prepare(subject.adapter))
  let next = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: Math.min(concurrency, total) }, async () => {
      while (next < contexts.length) {
        const context = contexts[next++]!
        await flow.run(context)
      }
    }),
  )
  const seconds = (performance.now() - started) / 1000
  return total / seconds
}

export async function measureFlow<A, C>(flow: FlowSpec<A, C>, subjects: Subject<A>[], options: MeasureOptions): Promise<FlowResult[]> {
  const iterations = flow.iterations ?? options.iterations
  const samples = new Map<string, number[]>(subjects.map((s) => [s.name, []]))
  const requests = new Map<string, { total: number; capacity: number; byCommand: Record<string, number> }>(
    subjects.map((s) => [s.name, { total: 0, capacity: 0, byCommand: {} }]),
  )
  const notes = new Map<string, string | undefined>()

  for (let i = 0; i < iterations; i++) {
    // Alternate which subject goes first so neither always runs on a warmer machine.
    const order = i % 2 === 0 ? subjects : [...subjects].reverse()
    for (const subject of order) {
      const context = await flow.prepare(subject.adapter)
      subject.counter.reset()
      const started = performance.now()
      await flow.run(context)
      samples.get(subject.name)!.push(performance.now() - started)
      const tally = requests.get(subject.name)!
      tally.total += subject.counter.total()
      tally.capacity += subject.counter.capacityUnits()
      for (const [command, count] of Object.entries(subject.counter.byCommand())) tally.byCommand[command] = (tally.byCommand[command] ?? 0) + count
      if (flow.after && i === 0) notes.set(subject.name, await flow.after(context, subject))
    }
  }

  const results: FlowResult[] = []
  for (const subject of subjects) {
    const throughputFlows = Math.max(4, Math.min(options.throughputFlows, iterations * 4))
    const throughput1 = await timeConcurrent(subject, flow, 1, Math.min(throughputFlows, 32))
    const throughput32 = await timeConcurrent(subject, flow, 32, throughputFlows)
    const tally = requests.get(subject.name)!
    const byCommand = Object.fromEntries(Object.entries(tally.byCommand).map(([command, count]) => [command, count / iterations]))
    const sampleList = samples.get(subject.name)!
    results.push({
      flow: flow.name,
      subject: subject.name,
      requestsPerFlow: tally.total / iterations,
      byCommand,
      capacityPerFlow: tally.capacity / iterations,
      medianMs: median(sampleList),
      p99Ms: percentile(sampleList, 99),
      throughput1,
      throughput32,
      note: notes.get(subject.name),
    })
  }
  return results
}
