#!/usr/bin/env node
/**
 * `npx dynamodb-auth-adapter <command>`: table tooling.
 */
import { parseArgs } from "node:util"
import { DynamoAuthAdapterError } from "../core/errors.js"
import { backfillCommand } from "./backfill-command.js"
import type { CommandSpec } from "./command.js"
import { createTableCommand } from "./create-table-command.js"
import { doctorCommand } from "./doctor-command.js"
import { printIacCommand } from "./print-iac-command.js"

const commands: CommandSpec[] = [createTableCommand, doctorCommand, printIacCommand, backfillCommand]

function usage(): string {
  return [
    "Usage: dynamodb-auth-adapter <command> [options]",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(14)} ${c.summary}`),
    "",
    "Run `dynamodb-auth-adapter <command> --help` for a command's options.",
    "Credentials and region come from the AWS SDK's usual sources (AWS_REGION, AWS_PROFILE, ...);",
    "the endpoint from --endpoint, else DYNAMODB_ENDPOINT, else the SDK's AWS_ENDPOINT_URL_DYNAMODB.",
  ].join("\n")
}

export async function main(argv: string[], out: (line: string) => void = console.log, err: (line: string) => void = console.error): Promise<number> {
  const [name, ...rest] = argv
  if (!name || name === "--help" || name === "-h" || name === "help") {
    out(usage())
    return name ? 0 : 1
  }
  const command = commands.find((c) => c.name === name)
  if (!command) {
    err(`Unknown command "${name}".\n\n${usage()}`)
    return 1
  }
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>
  try {
    values = parseArgs({ args: rest, options: { ...command.options, help: { type: "boolean", short: "h" } }, strict: true }).values
  } catch (error) {
    err(`${(error as Error).message}\n\nUsage: dynamodb-auth-adapter ${command.usage}`)
    return 1
  }
  if (values.help) {
    out(`${command.summary}\n\nUsage: dynamodb-auth-adapter ${command.usage}`)
    return 0
  }
  try {
    return await command.run(values, out, err)
  } catch (error) {
    if (error instanceof DynamoAuthAdapterError) err(`${error.code}: ${error.message}`)
    else err(`Error: ${(error as Error).message ?? String(error)}`)
    return 1
  }
}

// Run when executed as a script (the npm bin), not when imported by tests.
const invokedDirectly = process.argv[1] !== undefined && /(?:^|[\\/])(?:main\.(?:c?js|ts)|dynamodb-auth-adapter)$/.test(process.argv[1])
if (invokedDirectly) {
  // The SDK's nine-line warning that it will need Node 22 from 2027 would sit above every command's output, where the one line that matters is;
  // `engines` says which Node versions are supported. Set the variable to "false" to see it.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true"
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code
  })
}
