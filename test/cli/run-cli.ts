/**
 * Runs the CLI in-process against the test run's DynamoDB Local and captures
 * what it prints, the way a user would see it.
 */
import { vi } from "vitest"
import { main } from "../../src/cli/main.js"
import { endpoint } from "../support/test-table.js"

export interface CliRun {
  code: number
  stdout: string
  stderr: string
}

/** The SDK's default credential chain must find something for DynamoDB Local (any value is accepted). */
export function stubLocalCredentials(): void {
  vi.stubEnv("AWS_ACCESS_KEY_ID", "local")
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", "local")
  vi.stubEnv("AWS_REGION", "us-east-1")
  vi.stubEnv("AWS_PROFILE", undefined)
}

export async function runCli(...argv: string[]): Promise<CliRun> {
  const stdout: string[] = []
  const stderr: string[] = []
  const code = await main(argv, (line) => stdout.push(line), (line) => stderr.push(line))
  return { code, stdout: stdout.join("\n"), stderr: stderr.join("\n") }
}

/** Same, with `--endpoint` pointing at DynamoDB Local. */
export function runCliLocal(...argv: string[]): Promise<CliRun> {
  return runCli(...argv, "--endpoint", endpoint())
}
