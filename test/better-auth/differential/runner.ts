/**
 * What a flow sees of one side of the comparison: a Better Auth instance with
 * the shared options, its outbox, its stored rows (read through its own
 * adapter's findMany), and the DynamoDB requests of each step where there is
 * a DynamoDB to count.
 */
import { betterAuth } from "better-auth"
import type { BetterAuthOptions } from "better-auth"
import { differentialOptions, type Outbox } from "./app-options.js"

export function makeDifferentialAuth(database: BetterAuthOptions["database"], outbox: Outbox) {
  return betterAuth(differentialOptions(database, outbox))
}

export type DifferentialAuth = ReturnType<typeof makeDifferentialAuth>

/** The DynamoDB requests of one step. */
export interface StepRequests {
  total: number
  scans: number
  byCommand: Record<string, number>
}

export interface Runner {
  readonly side: "sqlite" | "dynamodb"
  readonly auth: DifferentialAuth
  readonly outbox: Outbox
  /** Every stored row of a model, through the side's own adapter (Better Auth's output mapping applied). */
  rows(model: string): Promise<Record<string, unknown>[]>
  /** Runs `work` and returns what it sent to DynamoDB (undefined on SQLite). */
  measure<T>(work: () => Promise<T>): Promise<{ value: T; requests: StepRequests | undefined }>
  close(): Promise<void>
}

/** Rows through the adapter Better Auth itself uses (so the same output mapping applies on both sides). */
export async function adapterRows(auth: DifferentialAuth, model: string): Promise<Record<string, unknown>[]> {
  const context = await auth.$context
  return context.adapter.findMany<Record<string, unknown>>({ model, where: [], limit: 100_000 })
}
