import { runBackfill, totalOf, type BackfillConflict, type BackfillCounts, type LookupKind, type MarkCompleteOutcome } from "../core/backfill/index.js"
import { DynamoAuthAdapterError } from "../core/errors.js"
import { TableClient } from "../core/client/table-client.js"
import { resolveTableNames } from "../table/names.js"
import type { CommandSpec } from "./command.js"
import { clientFor, connectionFrom, CONNECTION_USAGE, connectionOptions, TABLE_NAME_USAGE, tableNameOptions, tableNameOptionsFrom, type FlagValues } from "./table-flags.js"

const KIND_LABELS: Record<LookupKind, string> = { email: "email", account: "provider account", accountId: "account id", session: "session token", directory: "user directory entry" }

/** Exit code when the run finished but left conflicts for a person to resolve. */
export const CONFLICT_EXIT_CODE = 2

function wholeNumberFlag(values: FlagValues, flag: string): number | undefined {
  const raw = values[flag]
  if (raw === undefined) return undefined
  const value = Number(raw)
  if (typeof raw !== "string" || !Number.isInteger(value) || value < 1) {
    throw new DynamoAuthAdapterError("INVALID_INPUT", `--${flag} must be a whole number of at least 1; got "${String(raw)}".`)
  }
  return value
}

function byKind(counts: Record<LookupKind, number>): string {
  const parts = (Object.keys(KIND_LABELS) as LookupKind[]).filter((k) => counts[k] > 0).map((k) => `${KIND_LABELS[k]} ${counts[k]}`)
  return parts.length ? ` (${parts.join(", ")})` : ""
}

function progressLine(counts: BackfillCounts, dryRun: boolean): string {
  return (
    `scanned ${counts.scanned}, ${dryRun ? "to write" : "written"} ${totalOf(counts.written)}, ` +
    `already present ${totalOf(counts.present)}, conflicts ${counts.conflicts}`
  )
}

function conflictLine(conflict: BackfillConflict): string {
  const fix =
    conflict.kind === "email"
      ? "Give each user its own email (or merge the users)"
      : conflict.kind === "account"
        ? "Unlink the provider account from all but one user"
        : conflict.kind === "accountId"
          ? "Give one of the accounts a new id"
          : "Delete the session that should not exist"
  return `CONFLICT: ${conflict.what} is held by users ${conflict.userIds.map((id) => `"${id}"`).join(", ")}; no lookup written. ${fix}, then run backfill again.`
}

function markCompleteLine(outcome: MarkCompleteOutcome): string {
  switch (outcome.status) {
    case "written":
      return `Marked the table's lookups complete (TABLE#META, since ${outcome.marker.since}): lookup misses no longer fall back to GSI1 or a Scan.`
    case "already":
      return `The table's lookups were already marked complete (since ${outcome.marker.since}, by ${outcome.marker.by}); left as it was.`
    case "would-write":
      return "Would mark the table's lookups complete (dry run: not written)."
    case "refused":
      return `NOT marking the table's lookups complete: ${outcome.reason}`
  }
}

export const backfillCommand: CommandSpec = {
  name: "backfill",
  summary:
    "Write the lookup items (email, provider account, account id, session token) that tables written by @auth/dynamodb-adapter lack. Idempotent, resumable, safe while traffic runs.",
  usage:
    `backfill ${TABLE_NAME_USAGE} ${CONNECTION_USAGE} [--dry-run] [--resume-from CURSOR] [--segments N] [--page-size N] [--mark-complete]\n\n` +
    "  --dry-run           read and report what would be written; write nothing\n" +
    "  --resume-from C     continue after the page whose cursor C was printed\n" +
    "  --segments N        scan N segments in parallel (default 1; a cursor keeps its own count)\n" +
    "  --page-size N       items per Scan page (default: DynamoDB's 1 MB pages)\n" +
    "  --mark-complete     after a run over the whole table with no conflicts, mark the table's lookups complete\n" +
    "                      (item TABLE#META): the adapters then stop falling back to GSI1 or a Scan on a lookup miss.\n" +
    "                      Use it once @auth/dynamodb-adapter no longer writes to the table (its new items would\n" +
    "                      have no lookups and would no longer be found). Not with --resume-from.\n\n" +
    "Every write is conditional (attribute_not_exists): a lookup someone else wrote is left as it is. Two users holding one email or\n" +
    `provider account are reported as a conflict and left alone. Exit code 0 when done, ${CONFLICT_EXIT_CODE} when conflicts remain, 1 on error.`,
  options: {
    ...tableNameOptions,
    ...connectionOptions,
    "dry-run": { type: "boolean" },
    "resume-from": { type: "string" },
    segments: { type: "string" },
    "page-size": { type: "string" },
    "mark-complete": { type: "boolean" },
  },
  async run(values, out, err) {
    const names = resolveTableNames(tableNameOptionsFrom(values))
    const connection = connectionFrom(values)
    const dryRun = values["dry-run"] === true
    const segments = wholeNumberFlag(values, "segments")
    const pageSize = wholeNumberFlag(values, "page-size")
    const resumeFrom = typeof values["resume-from"] === "string" ? values["resume-from"] : undefined
    const markComplete = values["mark-complete"] === true
    const client = clientFor(connection)
    try {
      out(
        `${dryRun ? "Dry run (nothing will be written): checking" : "Backfilling"} lookup items in table "${names.tableName}"` +
          (connection.endpoint ? ` at ${connection.endpoint}` : "") +
          (resumeFrom ? ", resuming from the cursor given" : "") +
          ".",
      )
      const result = await runBackfill(new TableClient({ names, client }), {
        dryRun,
        ...(segments !== undefined ? { segments } : {}),
        ...(pageSize !== undefined ? { pageSize } : {}),
        ...(resumeFrom !== undefined ? { resumeFrom } : {}),
        ...(markComplete ? { markComplete } : {}),
        onProgress({ counts, cursor, segment, segments: total }) {
          const where = total > 1 ? `segment ${segment + 1}/${total}, ` : ""
          out(`  page ${counts.pages} (${where}${progressLine(counts, dryRun)}) cursor: ${cursor}`)
        },
        onConflict(conflict) {
          err(conflictLine(conflict))
        },
      })
      const { counts } = result
      out(`Done: scanned ${counts.scanned} item${counts.scanned === 1 ? "" : "s"} in ${counts.pages} page${counts.pages === 1 ? "" : "s"}.`)
      out(`  ${dryRun ? "lookups to write" : "lookups written"}: ${totalOf(counts.written)}${byKind(counts.written)}`)
      out(`  already present: ${totalOf(counts.present)}${byKind(counts.present)}`)
      out(`  conflicts: ${counts.conflicts}`)
      out(`  expired sessions skipped: ${counts.expiredSessions}`)
      out(`  ${dryRun ? "token items of signed-out sessions to delete" : "token items of signed-out sessions deleted"}: ${counts.orphanedTokenItems}`)
      out(`  ${dryRun ? "token items to bring to their session" : "token items brought to their session"}: ${counts.staleTokenItems}`)
      if (dryRun) out("Nothing was written (dry run). Run without --dry-run to write the lookups.")
      else if (counts.conflicts === 0) out("Run it again any time: it only writes what is missing.")
      if (result.markComplete) out(markCompleteLine(result.markComplete))
      if (counts.conflicts > 0) {
        out(`${counts.conflicts} conflict${counts.conflicts === 1 ? "" : "s"} left for you to resolve (listed above); the rest is done.`)
        return CONFLICT_EXIT_CODE
      }
      return 0
    } finally {
      client.destroy()
    }
  },
}
