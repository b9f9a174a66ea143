import { IAC_FORMATS, isIacFormat, printIac } from "../table/iac/formats.js"
import { resolveTableNames } from "../table/names.js"
import type { CommandSpec } from "./command.js"
import { TABLE_NAME_USAGE, tableNameOptions, tableNameOptionsFrom } from "./table-flags.js"

export const printIacCommand: CommandSpec = {
  name: "print-iac",
  summary: `Print the table as infrastructure as code (${IAC_FORMATS.join(", ")}), from the same definition create-table uses.`,
  usage: `print-iac --format ${IAC_FORMATS.join("|")} ${TABLE_NAME_USAGE}`,
  options: { format: { type: "string", short: "f" }, ...tableNameOptions },
  async run(values, out, err) {
    const format = values.format
    if (typeof format !== "string" || !isIacFormat(format)) {
      err(
        `${format === undefined ? "--format is required" : `Unknown format "${String(format)}"`}: use --format ${IAC_FORMATS.join(", --format ")}.` +
          `\n\nUsage: dynamodb-auth-adapter ${this.usage}`,
      )
      return 1
    }
    // One write: the output is meant to be redirected into a file as it is.
    out(printIac(format, resolveTableNames(tableNameOptionsFrom(values))).replace(/\n$/, ""))
    return 0
  },
}
