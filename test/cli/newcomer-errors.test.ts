/**
 * The CLI's first runs: each mistake a newcomer makes with the connection
 * (no scheme, no region, https against DynamoDB Local, a port that is not
 * DynamoDB) is one line on stderr that says what to do, exit code 1, and the
 * AWS SDK's Node-version warning does not bury it.
 */
import { spawnSync } from "node:child_process"
import { createServer, type Server } from "node:http"
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import { runCli, stubLocalCredentials } from "./run-cli.js"

const servers: Server[] = []
beforeAll(stubLocalCredentials)
afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))))
})

/** An HTTP server answering every request with `status` and a page, as a web server on the wrong port would. */
async function webServer(status: number): Promise<number> {
  const server = createServer((request, response) => {
    request.resume()
    response.writeHead(status, { "content-type": "text/html" })
    response.end("<html><body>Hello</body></html>")
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  servers.push(server)
  return (server.address() as { port: number }).port
}

function expectOneLine(stderr: string): void {
  expect(stderr.split("\n")).toHaveLength(1)
  expect(stderr).not.toMatch(/\n\s+at /)
}

describe("CLI connection mistakes", () => {
  it("an endpoint without a scheme: one line saying to write http://", async () => {
    const run = await runCli("create-table", "--table", "app", "--endpoint", "localhost:8000")
    expect(run.code).toBe(1)
    expectOneLine(run.stderr)
    expect(run.stderr).toBe(
      'UNAVAILABLE: describe table app: the DynamoDB endpoint "localhost:8000" has no scheme: write it as http://localhost:8000 (DynamoDB Local) or https://localhost:8000. Retrying does not help.',
    )
  })

  it("no region: one line naming --region and AWS_REGION", async () => {
    vi.stubEnv("AWS_REGION", undefined)
    vi.stubEnv("AWS_DEFAULT_REGION", undefined)
    vi.stubEnv("AWS_CONFIG_FILE", "/nonexistent/aws-config")
    const run = await runCli("create-table", "--table", "app", "--endpoint", "http://127.0.0.1:1")
    vi.stubEnv("AWS_REGION", "us-east-1")
    expect(run.code).toBe(1)
    expectOneLine(run.stderr)
    expect(run.stderr).toContain("has no region. Set AWS_REGION")
    expect(run.stderr).toContain("--region")
  })

  it("https:// against DynamoDB Local's plain HTTP port: one line saying to use http://", async () => {
    const port = await webServer(400)
    const run = await runCli("create-table", "--table", "app", "--endpoint", `https://127.0.0.1:${port}`)
    expect(run.code).toBe(1)
    expectOneLine(run.stderr)
    expect(run.stderr).toContain(`use http://127.0.0.1:${port} (DynamoDB Local serves plain HTTP)`)
    expect(run.stderr).not.toMatch(/SSL routines|EPROTO/)
  })

  it("a port where something other than DynamoDB answers: says it is not DynamoDB, not 'retry later'", async () => {
    const port = await webServer(501)
    const run = await runCli("create-table", "--table", "app", "--endpoint", `http://127.0.0.1:${port}`)
    expect(run.code).toBe(1)
    expectOneLine(run.stderr)
    expect(run.stderr).toContain(`http://127.0.0.1:${port} answered HTTP 501 without a DynamoDB request id: it is not DynamoDB.`)
    expect(run.stderr).not.toMatch(/retry later/i)
  })
})

describe("the CLI as a process", () => {
  it("prints its own line without the AWS SDK's Node-version warning above it", () => {
    const env: NodeJS.ProcessEnv = { ...process.env, AWS_ACCESS_KEY_ID: "local", AWS_SECRET_ACCESS_KEY: "local", AWS_REGION: "us-east-1" }
    delete env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED
    const run = spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", "create-table", "--table", "app", "--endpoint", "localhost:8000"], {
      env,
      encoding: "utf8",
      timeout: 30_000,
    })
    expect(run.status).toBe(1)
    expect(run.stderr).not.toContain("NodeVersionSupportWarning")
    expect(run.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^UNAVAILABLE: describe table app: the DynamoDB endpoint "localhost:8000" has no scheme/)])
  })
})
