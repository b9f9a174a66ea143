/**
 * The CLI against an endpoint where nothing listens: one clear line on
 * stderr naming the endpoint and what to check, exit code 1, no stack trace.
 */
import { createServer } from "node:net"
import { beforeAll, describe, expect, it } from "vitest"
import { runCli, stubLocalCredentials } from "./run-cli.js"

beforeAll(stubLocalCredentials)

async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

describe("CLI with DynamoDB unreachable", () => {
  it("doctor prints one UNAVAILABLE line naming the endpoint and exits 1", async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`
    const run = await runCli("doctor", "--table", "app", "--endpoint", endpoint)
    expect(run.code).toBe(1)
    expect(run.stdout).toBe(`Checking table "app" (keys pk/sk, index GSI1 on GSI1PK/GSI1SK, TTL on expires) at ${endpoint}`)
    expect(run.stderr.split("\n")).toHaveLength(1)
    expect(run.stderr).toMatch(
      new RegExp(
        `^UNAVAILABLE: describe table app: could not reach DynamoDB at ${endpoint.replace(/\./g, "\\.")} \\(region us-east-1\\): ` +
          `connect ECONNREFUSED 127\\.0\\.0\\.1:\\d+, after \\d+ attempts\\. Check the endpoint \\(the client's endpoint option, or AWS_ENDPOINT_URL_DYNAMODB`,
      ),
    )
    expect(run.stderr).not.toMatch(/\n\s+at /)
  })

  it("create-table does the same", async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`
    const run = await runCli("create-table", "--table", "app", "--endpoint", endpoint, "--region", "eu-west-1")
    expect(run.code).toBe(1)
    expect(run.stdout).toBe("")
    expect(run.stderr.split("\n")).toHaveLength(1)
    expect(run.stderr).toMatch(/^UNAVAILABLE: describe table app: could not reach DynamoDB at http:\/\/127\.0\.0\.1:\d+ \(region eu-west-1\): connect ECONNREFUSED/)
  })
})
