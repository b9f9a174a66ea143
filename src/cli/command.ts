import type { ParseArgsConfig } from "node:util"

/** One CLI command: its flags, its help text, and what it does. Returns the exit code. */
export interface CommandSpec {
  name: string
  summary: string
  usage: string
  options: NonNullable<ParseArgsConfig["options"]>
  run(
    values: Record<string, string | boolean | (string | boolean)[] | undefined>,
    out: (line: string) => void,
    err: (line: string) => void,
  ): Promise<number>
}
