import { matchesWhere } from "../where/evaluate.js"
import { sortRecords } from "../where/sort.js"
import type { PlannedRecord, QueryPlan } from "./types.js"

/** Runs a plan: fetch candidates (from the plan's Scan when its list path is incomplete on this table), keep those matching every condition, then sort, skip `offset`, keep `limit`. */
export async function executeQuery(plan: QueryPlan): Promise<PlannedRecord[]> {
  const fallback = plan.fallback && !(await plan.path.complete!()) ? plan.fallback : undefined
  fallback?.guard()
  const candidates = fallback ? await fallback.path.fetch({}, {}) : await plan.path.fetch(plan.keys, plan.hint)
  const matching = candidates.filter((record) => matchesWhere(record, plan.where))
  const { sortBy, offset = 0, limit } = plan.options
  const sorted = sortBy ? sortRecords(matching, sortBy) : matching
  return sorted.slice(offset, limit === undefined ? undefined : offset + limit)
}
