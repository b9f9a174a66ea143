/**
 * The command-line side shared by the examples' `main.ts` files: flags
 * (`--port`, `--data DIR`, `--table`), the start-up lines, and a clean stop
 * on Ctrl-C.
 */
import { parseArgs } from "node:util"

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true"

export interface ExampleFlags {
  port: number
  dataDir: string | undefined
  tableName: string | undefined
}

export function exampleFlags(defaultPort: number): ExampleFlags {
  const { values } = parseArgs({
    options: { port: { type: "string" }, data: { type: "string" }, table: { type: "string" } },
  })
  const port = values.port ?? process.env.PORT
  return { port: port ? Number(port) : defaultPort, dataDir: values.data, tableName: values.table }
}

/** Keeps the process alive until Ctrl-C (or SIGTERM), then calls `stop` once and exits. */
export function stopOnSignal(stop: () => Promise<void>): void {
  let stopping = false
  const shutdown = async (signal: string) => {
    if (stopping) return
    stopping = true
    console.log(`\n${signal}: stopping…`)
    try {
      await stop()
      console.log("Stopped.")
      process.exit(0)
    } catch (error) {
      console.error(error)
      process.exit(1)
    }
  }
  process.on("SIGINT", () => void shutdown("SIGINT"))
  process.on("SIGTERM", () => void shutdown("SIGTERM"))
}
