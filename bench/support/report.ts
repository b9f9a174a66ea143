import type { FlowResult } from "./measure.js"
import type { OverheadResult } from "./overhead.js"
import { formatNumber } from "./stats.js"

export interface ReportInput {
  machine: string
  iterations: number
  throughputFlows: number
  results: FlowResult[]
  overhead: OverheadResult[]
}

function commands(byCommand: Record<string, number>): string {
  return Object.entries(byCommand)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([command, count]) => `${command} ${formatNumber(count, count % 1 === 0 ? 0 : 2)}`)
    .join(", ")
}

export function renderResults(input: ReportInput): string {
  const flows = [...new Set(input.results.map((r) => r.flow))]
  const subjects = [...new Set(input.results.map((r) => r.subject))]
  const [ours, official] = subjects
  const lines: string[] = []
  lines.push("# Benchmark results", "")
  lines.push(`Machine: ${input.machine}. DynamoDB Local (in memory) on loopback, one run, subjects interleaved.`)
  lines.push(`Latency over ${input.iterations} iterations per flow and subject (fewer where noted); throughput over ${input.throughputFlows} flows.`)
  lines.push("Reproduce: `npm run bench`.", "")
  lines.push("## Flows", "")
  lines.push("| flow | adapter | requests / flow | by command | capacity units / flow | median ms | p99 ms | flows/s @1 | flows/s @32 | note |")
  lines.push("| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |")
  for (const flow of flows) {
    for (const r of input.results.filter((x) => x.flow === flow)) {
      lines.push(
        `| ${r.flow} | ${r.subject} | ${formatNumber(r.requestsPerFlow, r.requestsPerFlow % 1 === 0 ? 0 : 2)} | ${commands(r.byCommand)} | ${formatNumber(r.capacityPerFlow, 1)} | ${formatNumber(r.medianMs)} | ${formatNumber(r.p99Ms)} | ${formatNumber(r.throughput1, 0)} | ${formatNumber(r.throughput32, 0)} | ${r.note ?? ""} |`,
      )
    }
  }
  if (ours && official) {
    lines.push("", `## Ratios (${ours} / ${official})`, "")
    lines.push("| flow | requests | capacity | median latency | throughput @32 |")
    lines.push("| --- | ---: | ---: | ---: | ---: |")
    for (const flow of flows) {
      const a = input.results.find((r) => r.flow === flow && r.subject === ours)
      const b = input.results.find((r) => r.flow === flow && r.subject === official)
      if (!a || !b) continue
      lines.push(
        `| ${flow} | ${formatNumber(a.requestsPerFlow / b.requestsPerFlow)} | ${formatNumber(a.capacityPerFlow / b.capacityPerFlow)} | ${formatNumber(a.medianMs / b.medianMs)} | ${formatNumber(a.throughput32 / b.throughput32)} |`,
      )
    }
  }
  lines.push("", "## In-process overhead per adapter call (stubbed client, no network)", "")
  lines.push("| call | adapter | median µs | p99 µs |")
  lines.push("| --- | --- | ---: | ---: |")
  for (const o of input.overhead) lines.push(`| ${o.call} | ${o.subject} | ${formatNumber(o.medianMicros, 1)} | ${formatNumber(o.p99Micros, 1)} |`)
  lines.push("")
  return lines.join("\n")
}
