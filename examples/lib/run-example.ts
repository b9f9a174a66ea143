/**
 * The command-line side shared by the examples' `main.ts` files: flags
 * (`--port`, `--data DIR`, `--table`), the start-up lines, and a clean stop
 * on Ctrl-C.
 */
import { parseArgs } from "node:util"
import type { ExampleOptions, RunningExample } from "./example-server.js"
import { PortInUseError } from "./serve.js"

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true"

function optionsFromCommandLine(defaultPort: number): ExampleOptions {
  const { values } = parseArgs({
    options: { port: { type: "string" }, data: { type: "string" }, table: { type: "string" } },
  })
  const port = values.port ?? process.env.PORT
  return {
    port: port ? Number(port) : defaultPort,
    ...(values.data ? { dataDir: values.data } : {}),
    ...(values.table ? { tableName: values.table } : {}),
    printMagicLinks: true,
  }
}

/** Starts an example with the command line's options, says where it is, and stops it on Ctrl-C (or SIGTERM). */
export async function runFromCommandLine(start: (options: ExampleOptions) => Promise<RunningExample>, defaultPort = 3000): Promise<void> {
  const options = optionsFromCommandLine(defaultPort)
  let example: RunningExample | undefined
  let stopping = false
  // Listening before the start: a Ctrl-C during start-up must still stop the DynamoDB Local it launched.
  const shutdown = async (signal: string) => {
    if (stopping) return
    stopping = true
    if (!example) {
      console.log(`\n${signal}: stopping once started…`)
      return
    }
    console.log(`\n${signal}: stopping…`)
    await stopAndExit(example)
  }
  process.on("SIGINT", () => void shutdown("SIGINT"))
  process.on("SIGTERM", () => void shutdown("SIGTERM"))

  try {
    example = await start(options)
  } catch (error) {
    // The example has stopped what it started (DynamoDB Local, the identity provider) before the error gets here.
    if (!(error instanceof PortInUseError)) throw error
    console.error(error.message)
    process.exit(1)
  }
  if (stopping) return stopAndExit(example)
  const { table } = example
  const data = table.startedDynamoDB ? (options.dataDir ? `in ${options.dataDir}` : "in memory") : "where that DynamoDB keeps it"
  console.log(`DynamoDB ${table.startedDynamoDB ? "Local started" : "in use"} at ${table.endpoint}; table "${table.tableName}" ${table.created ? "created" : "already there"}; data ${data}.`)
  console.log(`Identity provider (loopback OIDC) at ${example.idp.issuer}`)
  const mounts = [example.betterAuth ? "Better Auth under /api/auth" : "", example.authjs ? "Auth.js under /auth" : ""].filter(Boolean).join(", ")
  console.log(`\nOpen ${example.url}  (${mounts})`)
  console.log("Press Ctrl-C to stop.")
}

async function stopAndExit(example: RunningExample): Promise<void> {
  try {
    await example.stop()
    console.log("Stopped.")
    process.exit(0)
  } catch (error) {
    console.error(error)
    process.exit(1)
  }
}
