export { planQuery, type PlanQueryInput, type ScanPolicy } from "./plan-query.js"
export { executeQuery } from "./execute-query.js"
export type { AccessPath, FetchHint, PlannedRecord, QueryOptions, QueryPlan } from "./types.js"
