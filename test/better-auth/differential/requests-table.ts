/**
 * The DynamoDB side's requests per step, as a printable table with a total
 * row per flow: what `npm test` shows of the cost of each flow.
 */
import type { StepRequests } from "./runner.js"

export interface RequestRow {
  flow: string
  step: string
  requests: StepRequests
  /** Why the step may Scan, when it may. */
  scanAllowed: string | undefined
}

function commands(byCommand: Record<string, number>): string {
  return Object.entries(byCommand)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([command, n]) => `${command} ${n}`)
    .join(", ")
}

export function formatRequestsTable(rows: readonly RequestRow[]): string {
  const lines: string[][] = [["flow", "step", "requests", "Scans", "by command"]]
  const flows = [...new Set(rows.map((r) => r.flow))]
  for (const flow of flows) {
    const steps = rows.filter((r) => r.flow === flow)
    for (const r of steps) lines.push([flow, r.step, String(r.requests.total), `${r.requests.scans}${r.scanAllowed && r.requests.scans ? " (allowed)" : ""}`, commands(r.requests.byCommand)])
    const total: Record<string, number> = {}
    for (const r of steps) for (const [c, n] of Object.entries(r.requests.byCommand)) total[c] = (total[c] ?? 0) + n
    lines.push([flow, "(flow total)", String(steps.reduce((s, r) => s + r.requests.total, 0)), String(steps.reduce((s, r) => s + r.requests.scans, 0)), commands(total)])
  }
  const widths = lines[0]!.map((_, column) => Math.max(...lines.map((line) => line[column]!.length)))
  return lines.map((line) => line.map((cell, column) => (column === line.length - 1 ? cell : cell.padEnd(widths[column]!))).join(" | ")).join("\n")
}
