/**
 * In-process cost of one adapter call, against a client that answers
 * without network (see stub-client.ts): the layer this library adds over
 * the AWS SDK, side by side with the official adapter.
 */
import { DynamoDBDocument } from "@aws-sdk/lib-dynamodb"
import type { Adapter } from "@auth/core/adapters"
import { DynamoDBAdapter as OfficialAdapter } from "@auth/dynamodb-adapter"
import { GetCommand } from "@aws-sdk/lib-dynamodb"
import { createStubClient } from "./stub-client.js"
import { median, percentile } from "./stats.js"
import { OFFICIAL, OURS } from "../subjects.js"
import { DynamoDBAdapter } from "../../src/authjs/index.js"
import { countRequests } from "../../src/core/client/request-counter.js"

export interface OverheadResult {
  call: string
  subject: string
  medianMicros: number
  p99Micros: number
  /** DynamoDB requests one call sends (each pays the SDK's own per-request cost, the floor). */
  requests: number
  /** The median less one floor per request: the adapter's own work. */
  ownMicros: number
}

type Call = { name: string; run: (adapter: Adapter) => unknown }

const calls: Call[] = [
  { name: "getUser", run: (a) => a.getUser!("u1") },
  { name: "getSessionAndUser", run: (a) => a.getSessionAndUser!("token") },
  { name: "updateUser", run: (a) => a.updateUser!({ id: "u1", name: "New name" }) },
  { name: "createSession", run: (a) => a.createSession!({ sessionToken: "token", userId: "u1", expires: new Date(Date.now() + 86_400_000) }) },
]

async function time(iterations: number, run: () => unknown): Promise<{ median: number; p99: number }> {
  for (let i = 0; i < Math.min(500, iterations); i++) await run() // warm-up: JIT and caches
  const samples: number[] = []
  for (let i = 0; i < iterations; i++) {
    const started = performance.now()
    await run()
    samples.push((performance.now() - started) * 1000)
  }
  return { median: median(samples), p99: percentile(samples, 99) }
}

export async function measureOverhead(iterations: number): Promise<OverheadResult[]> {
  const stub = createStubClient()
  const counter = countRequests(stub)
  const document = DynamoDBDocument.from(stub, { marshallOptions: { removeUndefinedValues: true } })
  const subjects = [
    { name: OURS, adapter: DynamoDBAdapter(document) as Adapter },
    { name: OFFICIAL, adapter: OfficialAdapter(document) },
  ]
  const results: OverheadResult[] = []
  const baseline = await time(iterations, () => document.send(new GetCommand({ TableName: "t", Key: { pk: "a", sk: "a" } })))
  results.push({
    call: "one GetItem, no adapter (the SDK's own per-request floor)",
    subject: "AWS SDK",
    medianMicros: baseline.median,
    p99Micros: baseline.p99,
    requests: 1,
    ownMicros: 0,
  })
  for (const call of calls) {
    for (const subject of subjects) {
      await call.run(subject.adapter) // first call: the table's metadata item, once per adapter
      counter.reset()
      await call.run(subject.adapter)
      const requests = counter.total()
      const timing = await time(iterations, () => call.run(subject.adapter))
      results.push({
        call: call.name,
        subject: subject.name,
        medianMicros: timing.median,
        p99Micros: timing.p99,
        requests,
        ownMicros: Math.max(0, timing.median - requests * baseline.median),
      })
    }
  }
  return results
}
