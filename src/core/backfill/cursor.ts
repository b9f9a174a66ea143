/**
 * Where a backfill is: for each Scan segment, the last key of the last page
 * whose lookups are all written, or that the segment is done. Encoded as
 * opaque base64url JSON, printed after each page, accepted by `--resume-from`.
 */
import { DynamoAuthAdapterError } from "../errors.js"
import type { Item } from "../client/table-client.js"

export type SegmentPosition = { done: true } | { done: false; lastKey?: Item }

export interface BackfillCursor {
  /** The table the cursor belongs to: resuming on another table is refused. */
  table: string
  segments: SegmentPosition[]
}

const VERSION = 1

export function startCursor(table: string, segments: number): BackfillCursor {
  return { table, segments: Array.from({ length: segments }, () => ({ done: false })) }
}

export function encodeCursor(cursor: BackfillCursor): string {
  return Buffer.from(JSON.stringify({ v: VERSION, t: cursor.table, s: cursor.segments.map((p) => (p.done ? 1 : (p.lastKey ?? 0))) })).toString(
    "base64url",
  )
}

function invalid(reason: string): DynamoAuthAdapterError {
  return new DynamoAuthAdapterError(
    "INVALID_INPUT",
    `The --resume-from cursor is not valid (${reason}). Pass the last "cursor:" value a backfill printed, unchanged, or run without --resume-from to start over (it is safe: lookups already written are skipped).`,
  )
}

export function decodeCursor(text: string): BackfillCursor {
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(text, "base64url").toString("utf8"))
  } catch {
    throw invalid("not base64url JSON")
  }
  const { v, t, s } = (parsed ?? {}) as { v?: unknown; t?: unknown; s?: unknown }
  if (v !== VERSION) throw invalid("unknown version")
  if (typeof t !== "string" || !Array.isArray(s) || s.length === 0) throw invalid("missing table or segments")
  const segments = s.map((position): SegmentPosition => {
    if (position === 1) return { done: true }
    if (position === 0) return { done: false }
    if (position && typeof position === "object" && !Array.isArray(position)) return { done: false, lastKey: position as Item }
    throw invalid("bad segment position")
  })
  return { table: t, segments }
}
