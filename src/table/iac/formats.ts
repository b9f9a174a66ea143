import type { TableNames } from "../names.js"
import { cdkStack } from "./cdk.js"
import { cloudFormationYaml } from "./cloudformation.js"
import { terraformTable } from "./terraform.js"

/** The infrastructure-as-code flavours `print-iac` writes. */
export const IAC_FORMATS = ["cloudformation", "cdk", "terraform"] as const
export type IacFormat = (typeof IAC_FORMATS)[number]

export function isIacFormat(value: string): value is IacFormat {
  return (IAC_FORMATS as readonly string[]).includes(value)
}

/** The table as code in the given format, from the same definition `create-table` uses. */
export function printIac(format: IacFormat, names: TableNames): string {
  switch (format) {
    case "cloudformation":
      return cloudFormationYaml(names)
    case "cdk":
      return cdkStack(names)
    case "terraform":
      return terraformTable(names)
  }
}
