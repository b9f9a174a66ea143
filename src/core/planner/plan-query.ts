/**
 * Chooses how to answer a read: the cheapest access path whose key fields
 * the where clause fixes (GetItem, then BatchGetItem, then Query), and Scan
 * only when nothing else applies. The chosen path only narrows the
 * candidates; every condition is evaluated on them afterwards
 * (`executeQuery`), so no condition is ever dropped. DynamoDB filter
 * expressions would not reduce the capacity consumed either, so evaluating
 * in process costs nothing extra and keeps one set of semantics.
 */
import { DynamoAuthAdapterError } from "../errors.js"
import type { Logger } from "../logger.js"
import { requiredConditions } from "../where/evaluate.js"
import type { WhereCondition } from "../where/types.js"
import type { AccessPath, FetchHint, QueryOptions, QueryPlan } from "./types.js"

const COST: Record<AccessPath["kind"], number> = { get: 0, batchGet: 1, query: 2, list: 3, scan: 4 }

/** What a read that only a Scan answers does: `"warn"` reads and warns, `"refuse"` throws SCAN_REFUSED before anything is read. */
export type ScanPolicy = "warn" | "refuse"

function isKeyValue(value: unknown): value is string | number {
  return (typeof value === "string" && value !== "") || typeof value === "number"
}

/** A condition that pins a field to one stored value. */
function pinsValue(condition: WhereCondition): boolean {
  return (
    condition.operator === "eq" &&
    isKeyValue(condition.value) &&
    (condition.mode !== "insensitive" || typeof condition.value !== "string")
  )
}

/** A condition that pins a field to a list of values (a BatchGetItem). */
function pinsList(condition: WhereCondition): boolean {
  return (
    condition.operator === "in" &&
    Array.isArray(condition.value) &&
    condition.value.length > 0 &&
    condition.value.length <= 100 &&
    condition.value.every(isKeyValue) &&
    (condition.mode !== "insensitive" || condition.value.every((v) => typeof v !== "string"))
  )
}

function keysFor(path: AccessPath, required: readonly WhereCondition[]): { keys: Record<string, unknown>; used: WhereCondition[] } | undefined {
  const keys: Record<string, unknown> = {}
  const used: WhereCondition[] = []
  for (const field of path.keyFields) {
    const anyCase = path.caseInsensitiveKeys?.includes(field) === true
    const condition =
      path.kind === "batchGet"
        ? required.find((c) => c.field === field && (pinsList(c) || pinsValue(c)))
        : required.find((c) => c.field === field && (pinsValue(c) || (anyCase && c.operator === "eq" && c.mode === "insensitive" && isKeyValue(c.value))))
    if (!condition) return undefined
    keys[field] = path.kind === "batchGet" && !Array.isArray(condition.value) ? [condition.value] : condition.value
    used.push(condition)
  }
  if (path.rangeField) {
    const bound = required.find(
      (c) => c.field === path.rangeField && (c.operator === "lt" || c.operator === "lte") && ((typeof c.value === "string" && c.value !== "") || typeof c.value === "number"),
    )
    if (!bound) return undefined
    keys[path.rangeField] = { operator: bound.operator, value: bound.value }
    used.push(bound)
  }
  return { keys, used }
}

export interface PlanQueryInput {
  /** The model's name, for logs. */
  model: string
  paths: readonly AccessPath[]
  where: readonly WhereCondition[]
  options?: QueryOptions
  /** Receives the Scan warning when a read falls back to a Scan. */
  logger?: Logger
  /** Default `"warn"`. */
  scans?: ScanPolicy
}

/**
 * What a Scan about to be sent for `model` does under the `scans` policy:
 * `"warn"` logs which fields no key answers and reads; `"refuse"` throws
 * SCAN_REFUSED, naming the model and fields, before anything is read.
 */
export function guardScan({ model, where, scans = "warn", logger, advice }: { model: string; where: readonly WhereCondition[]; scans?: ScanPolicy; logger?: Logger; advice?: string }): void {
  const fields = [...new Set(where.map((c) => c.field))]
  if (scans === "refuse") {
    throw new DynamoAuthAdapterError(
      "SCAN_REFUSED",
      `Refused a Scan of the whole table for model "${model}": no key or index answers ${where.length ? where.map((c) => `${c.field} ${c.operator}${c.mode === "insensitive" ? " (insensitive)" : ""}`).join(", ") : "a read of every record"}; nothing was read. ` +
        (advice
          ? `${advice} Or set scans: "warn" to allow it.`
          : fields.length
            ? `Declare a lookup for ${fields.join(", ")} (options.models.${model}.lookups) or a GSI1 pattern (options.models.${model}.index), or set scans: "warn" to allow it.`
            : `A model read whole needs options.models.${model}.listedWhole (small models only), or set scans: "warn" to allow it.`),
      { details: { model, fields } },
    )
  }
  logger?.warn(
    `Scan on model "${model}": no key or index answers ${where.length ? where.map((c) => `${c.field} ${c.operator}`).join(", ") : "a read of every record"}. ` +
      (advice ?? `Declare an index for ${fields.join(", ") || "this read"} in options.models to avoid it.`),
    { model, fields },
  )
}

export function planQuery({ model, paths, where, options = {}, logger, scans = "warn" }: PlanQueryInput): QueryPlan {
  const required = requiredConditions(where)
  const ordered = [...paths].sort((a, b) => COST[a.kind] - COST[b.kind])
  for (const path of ordered) {
    const match = path.kind === "scan" || path.kind === "list" ? { keys: {}, used: [] } : keysFor(path, required)
    if (!match) continue
    if (path.kind === "scan") guardScan({ model, where, scans, ...(logger ? { logger } : {}) })
    const answeredByKey = path.kind !== "scan" && path.kind !== "list" && match.used.length === where.length
    const hint: FetchHint = {}
    const sort = options.sortBy
    if (answeredByKey && options.limit !== undefined && (!sort || sort.field === path.orderedBy)) {
      hint.limit = options.limit + (options.offset ?? 0)
      if (sort) hint.direction = sort.direction
    } else if (answeredByKey && sort && sort.field === path.orderedBy) {
      hint.direction = sort.direction
    }
    const scan = path.complete ? ordered.find((p) => p.kind === "scan") : undefined
    const advice = path.incompleteAdvice
    const fallback = scan && { path: scan, guard: () => guardScan({ model, where, scans, ...(logger ? { logger } : {}), ...(advice ? { advice } : {}) }) }
    return { model, path, keys: match.keys, where, hint, options, ...(fallback ? { fallback } : {}) }
  }
  throw new Error(`No access path for model ${model}: every model needs a scan path.`)
}
