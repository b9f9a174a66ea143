/**
 * The backfill of lookup items for tables written by `@auth/dynamodb-adapter`
 * (`npx dynamodb-auth-adapter backfill`), framework-free, over a `TableClient`.
 */
export {
  runBackfill,
  totalOf,
  type BackfillConflict,
  type BackfillCounts,
  type BackfillOptions,
  type BackfillProgress,
  type BackfillResult,
  type BackfillTable,
  type LookupKind,
  type MarkCompleteOutcome,
} from "./run-backfill.js"
export { decodeCursor, encodeCursor, type BackfillCursor } from "./cursor.js"
