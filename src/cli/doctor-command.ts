import { inspectTable, type FindingStatus } from "../table/inspect-table.js"
import { resolveTableNames } from "../table/names.js"
import type { CommandSpec } from "./command.js"
import {
  clientFor,
  connectionFrom,
  CONNECTION_USAGE,
  connectionOptions,
  nameFlagsOf,
  TABLE_NAME_USAGE,
  tableNameOptions,
  tableNameOptionsFrom,
} from "./table-flags.js"

const LABELS: Record<FindingStatus, string> = { ok: "ok", problem: "PROBLEM", note: "note" }

export const doctorCommand: CommandSpec = {
  name: "doctor",
  summary:
    "Check a live table: key schema, GSI1 and its projection, TTL on expires, billing mode, deletion protection, and its mode " +
    "(fast path or legacy, and why). Exit code 1 when something is wrong.",
  usage: `doctor ${TABLE_NAME_USAGE} ${CONNECTION_USAGE}`,
  options: { ...tableNameOptions, ...connectionOptions },
  async run(values, out) {
    const names = resolveTableNames(tableNameOptionsFrom(values))
    const connection = connectionFrom(values)
    const nameFlags = nameFlagsOf(values)
    const connectionFlags = [
      connection.endpoint && `--endpoint ${connection.endpoint}`,
      connection.region && `--region ${connection.region}`,
    ].filter(Boolean)
    const awsCliOptions = [connection.region && `--region ${connection.region}`, connection.endpoint && `--endpoint-url ${connection.endpoint}`]
      .filter(Boolean)
      .join(" ")

    const client = clientFor(connection)
    try {
      out(
        `Checking table "${names.tableName}" (keys ${names.partitionKey}/${names.sortKey}, index ${names.indexName} on ` +
          `${names.indexPartitionKey}/${names.indexSortKey}, TTL on ${names.ttlAttribute})` +
          (connection.endpoint ? ` at ${connection.endpoint}` : ""),
      )
      const inspection = await inspectTable(client, names, {
        createTableCommand: ["npx dynamodb-auth-adapter create-table", `--table ${names.tableName}`, nameFlags, ...connectionFlags].filter(Boolean).join(" "),
        awsCliOptions,
      })
      for (const finding of inspection.findings) {
        out(`  ${LABELS[finding.status].padEnd(8)} ${finding.message}`)
        if (finding.fix && finding.status !== "ok") out(`  ${"".padEnd(8)} fix: ${finding.fix}`)
      }
      const problems = inspection.findings.filter((f) => f.status === "problem").length
      const notes = inspection.findings.filter((f) => f.status === "note").length
      const noteText = notes > 0 ? ` (${notes} note${notes === 1 ? "" : "s"})` : ""
      out(
        problems === 0
          ? `\nAll checks passed${noteText}: the table is ready for dynamodb-auth-adapter.`
          : `\n${problems} problem${problems === 1 ? "" : "s"} found${noteText}. Fix ${problems === 1 ? "it" : "them"} and run doctor again.`,
      )
      return problems === 0 ? 0 : 1
    } finally {
      client.destroy()
    }
  },
}
