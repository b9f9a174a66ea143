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

/**
 * How often each Auth.js flow runs, relative to one OAuth sign-up, in an app
 * whose users sign in now and then and load pages in between. An
 * assumption, stated in the report, not a measurement.
 */
const MIX: Record<string, number> = {
  "OAuth sign-up": 1,
  "OAuth sign-in": 10,
  "get session": 1000,
  "extend session": 30,
  "sign out": 5,
  "magic-link sign-in": 5,
  "update user": 2,
}

/** The measured per-flow requests, capacity and medians, weighted by MIX: what the mix costs in total with each adapter. */
function mixSection(results: FlowResult[], ours: string, official: string): string[] {
  const total = (subject: string, pick: (r: FlowResult) => number) =>
    Object.entries(MIX).reduce((sum, [flow, weight]) => {
      const result = results.find((r) => r.flow === flow && r.subject === subject)
      return sum + (result ? weight * pick(result) : 0)
    }, 0)
  const row = (label: string, pick: (r: FlowResult) => number, digits: number) => {
    const a = total(ours, pick)
    const b = total(official, pick)
    return `| ${label} | ${formatNumber(a, digits)} | ${formatNumber(b, digits)} | ${formatNumber(a / b)} |`
  }
  return [
    "",
    "## In a mix of flows",
    "",
    `The rows above weighted by how often each flow runs in an app where people sign in now and then and load pages in between (assumed, per OAuth sign-up: ${Object.entries(MIX)
      .map(([flow, weight]) => `${weight} × ${flow}`)
      .join(", ")}). Computed from the medians and counts above, not timed separately.`,
    "",
    `| total for the mix | ${ours} | ${official} | ratio |`,
    "| --- | ---: | ---: | ---: |",
    row("requests", (r) => r.requestsPerFlow, 0),
    row("capacity units", (r) => r.capacityPerFlow, 0),
    row("time spent in DynamoDB calls (sum of medians, ms)", (r) => r.medianMs, 0),
  ]
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
  if (ours && official) lines.push(...mixSection(input.results, ours, official))
  lines.push("", "## Where the extra capacity goes", "")
  lines.push("Each unit this library consumes beyond the official adapter buys a guarantee the official adapter lacks:", "")
  lines.push("| write or read | this library | official | what the difference buys |")
  lines.push("| --- | --- | --- | --- |")
  lines.push("| a read (GetItem) | 1 RCU, strongly consistent | 0.5 RCU, eventually consistent | a session, user or owner written a moment ago is never missed |")
  lines.push("| createUser | user + email claim (with a copy of the user) in one transaction: 2 items × 2 WCU, + 1 WCU for the user's GSI1 entry | 1 PutItem (1 WCU + 1 for GSI1) | one user per email under any concurrency; the user found by email with one consistent GetItem |")
  lines.push("| linkAccount | account + provider-account claim (with a copy of the user) + account-id lookup + a condition check on the user's version, in one transaction: 4 × 2 WCU, + GSI1 | 1 PutItem | one owner per provider account; the user found by provider account with one consistent GetItem; Better Auth finds the account by id without a Scan |")
  lines.push("| createSession | session + session token item (with a copy of the user) + a condition check on the user's version, in one transaction: 3 × 2 WCU, + GSI1 | 1 PutItem | the session and its user are read by token with one consistent GetItem, never through a lagging index |")
  lines.push("| updateSession / deleteSession | both items, in one transaction | one item | the two copies never disagree |")
  lines.push("| updateUser | a Query of the user's partition, the user and every copy of it (email claim, each session token item, each provider-account claim) in one transaction: (1 + copies) × 2 WCU, then a Query for copies created meanwhile | one UpdateItem | every copy of the user is fresh when updateUser returns, and no crash leaves one behind, so get session, user by email and user by account need one request each |")
  lines.push("| deleteUser | every item of the user, its lookups and session token items | the first 25 items only | nothing of a deleted user survives, no session stays valid |")
  lines.push("", "DynamoDB bills each transactional write twice, and TransactWriteItems is slower than PutItem on DynamoDB Local, which is most of the latency difference on the write-heavy flows.")
  lines.push("", "## Where more requests go", "")
  lines.push("Two flows send more requests than the official adapter, each for a reason the official adapter's design does not have:", "")
  lines.push("| flow | why |")
  lines.push("| --- | --- |")
  lines.push("| update user | The copies of the user (session token items, email and provider-account claims) are what make get session, user by email and user by account one read each; an update writes them with the user in one transaction (a Query of the user's partition first; a session created in between moves the user's links and the update is planned again): 2 requests, however many sessions (up to 90 copies). Get session runs on every request of every signed-in user, an update of a user rarely: the trade lowers the total by far in any real mix. No design does both in one request: a session is found by a random token, so its user's item cannot be read in the same request unless a copy travels with the token. |")
  lines.push("| delete user | The official adapter sends one Query and one BatchWriteItem of at most 25 items and leaves the rest (here 977 of the user's items, including 975 sessions that stay valid). Deleting everything takes one BatchWriteItem per 25 items: each session is two items here (the session and its token item). |")
  lines.push("", "## In-process overhead per adapter call (stubbed client, no network)", "")
  lines.push(
    "The client answers in process, before the SDK serialises anything, like a table made by `createTable`. A call's time is the adapter's own work plus the SDK's middleware for each request it sends (the floor row); the last column takes one floor per request off the median.",
    "",
  )
  lines.push("| call | adapter | requests | median µs | p99 µs | adapter's own µs (median − requests × floor) |")
  lines.push("| --- | --- | ---: | ---: | ---: | ---: |")
  for (const o of input.overhead) {
    lines.push(`| ${o.call} | ${o.subject} | ${o.requests} | ${formatNumber(o.medianMicros, 1)} | ${formatNumber(o.p99Micros, 1)} | ${formatNumber(o.ownMicros, 1)} |`)
  }
  lines.push("")
  return lines.join("\n")
}
