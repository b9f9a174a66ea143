export * from "./types.js"
export { validateWhere, type WhereInput } from "./validate.js"
export { matchesWhere, matchesCondition, compareValues, requiredConditions } from "./evaluate.js"
export { sortRecords, type SortSpec } from "./sort.js"
