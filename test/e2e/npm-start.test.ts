/**
 * `npm start` as a person runs it, as processes: stopped with SIGTERM or
 * SIGINT sent to npm alone, it leaves nothing behind (tsx, node, DynamoDB
 * Local's java); on a busy port it says so in one line. These start real
 * processes, DynamoDB Local included, so they are slow (seconds each).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process"
import { createServer, type Server } from "node:net"
import { afterAll, describe, expect, it } from "vitest"
import { freePort } from "../support/dynamodb-local.js"

const started: ChildProcess[] = []
afterAll(() => {
  // Only if a test failed half-way: whatever is left of the process groups these tests started.
  for (const child of started) {
    if (child.pid !== undefined) spawnSync("kill", ["-KILL", "--", `-${child.pid}`], { stdio: "ignore" })
  }
})

/** Every process below `root` (children, grandchildren, …), from `ps`. */
function descendantsOf(root: number): { pid: number; command: string }[] {
  const rows = spawnSync("ps", ["-e", "-o", "pid=,ppid=,args="], { encoding: "utf8" })
    .stdout.split("\n")
    .map((line) => line.trim().match(/^(\d+)\s+(\d+)\s+(.*)$/))
    .filter((match): match is RegExpMatchArray => match !== null)
    .map((match) => ({ pid: Number(match[1]), ppid: Number(match[2]), command: match[3]! }))
  const found: { pid: number; command: string }[] = []
  const pending = [root]
  while (pending.length > 0) {
    const parent = pending.pop()!
    for (const row of rows.filter((r) => r.ppid === parent)) {
      found.push({ pid: row.pid, command: row.command })
      pending.push(row.pid)
    }
  }
  return found
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (condition()) return true
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return condition()
}

/** `npm start -- --port <port>`, on an embedded DynamoDB Local (DYNAMODB_ENDPOINT unset), in a process group of its own. */
function npmStart(port: number): { npm: ChildProcess; output: () => string } {
  const env: NodeJS.ProcessEnv = { ...process.env }
  delete env.DYNAMODB_ENDPOINT
  const npm = spawn("npm", ["start", "--", "--port", String(port)], { env, detached: true, stdio: ["ignore", "pipe", "pipe"] })
  started.push(npm)
  let output = ""
  npm.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()))
  npm.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()))
  return { npm, output: () => output }
}

describe("npm start, stopped through npm", () => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`${signal} to the npm process stops tsx, node and DynamoDB Local's java`, async () => {
      const port = await freePort()
      const { npm, output } = npmStart(port)
      expect(await until(() => output().includes("Press Ctrl-C to stop."), 90_000), output()).toBe(true)
      const children = descendantsOf(npm.pid!)
      expect(children.map((child) => child.command).join("\n")).toMatch(/\bjava\b/)
      const exited = new Promise((resolve) => npm.once("exit", resolve))
      process.kill(npm.pid!, signal)
      await exited
      // A bound, not a timing: the demo sends SIGKILL to java 5 s after its SIGTERM; the rest is a busy machine's slack.
      const allGone = await until(() => children.every((child) => !alive(child.pid)), 60_000)
      expect(children.filter((child) => alive(child.pid)).map((child) => child.command), output()).toEqual([])
      expect(allGone).toBe(true)
    }, 150_000)
  }
})

describe("an example on a busy port", () => {
  let busy: Server | undefined
  afterAll(() => new Promise((resolve) => (busy ? busy.close(resolve) : resolve(undefined))))

  it("says which port is in use and to pass --port, in one line, and exits 1", async () => {
    busy = createServer()
    const port = await new Promise<number>((resolve) => busy!.listen(0, "127.0.0.1", () => resolve((busy!.address() as { port: number }).port)))
    const run = spawnSync(process.execPath, ["--import", "tsx", "examples/better-auth/main.ts", "--port", String(port)], {
      env: { ...process.env },
      encoding: "utf8",
      timeout: 60_000,
    })
    expect(run.status, run.stderr).toBe(1)
    expect(run.stderr.trim()).toBe(`Port ${port} is in use; pass --port with another port (--port 0 picks a free one).`)
  })
})
