import type { TableNames } from "../names.js"
import { keyPairOf, tableDefinition } from "./table-definition.js"

/** An HCL string literal: JSON escapes, plus `${` and `%{`, which HCL would interpolate. */
function hcl(value: string): string {
  return JSON.stringify(value).replace(/\$\{/g, "$${").replace(/%\{/g, "%%{")
}

/** `name = value` lines with the `=` aligned, as `terraform fmt` writes them. */
function assignments(indent: string, pairs: [string, string][]): string[] {
  const width = Math.max(...pairs.map(([name]) => name.length))
  return pairs.map(([name, value]) => `${indent}${name.padEnd(width)} = ${value}`)
}

/**
 * A Terraform `aws_dynamodb_table` resource (hashicorp/aws provider) for the
 * table, built from the same definition as `create-table`.
 */
export function terraformTable(names: TableNames): string {
  const { input, timeToLive } = tableDefinition(names)
  const keys = keyPairOf(input.KeySchema)
  const blocks: string[][] = [
    assignments("  ", [
      ["name", hcl(input.TableName ?? names.tableName)],
      ["billing_mode", hcl(input.BillingMode ?? "PAY_PER_REQUEST")],
      // DynamoDB itself refuses DeleteTable while this is on (prevent_destroy below only guards Terraform).
      ["deletion_protection_enabled", String(input.DeletionProtectionEnabled === true)],
      ["hash_key", hcl(keys.hash)],
      ...(keys.range ? ([["range_key", hcl(keys.range)]] as [string, string][]) : []),
    ]),
    ...(input.AttributeDefinitions ?? []).map((a) => [
      "  attribute {",
      ...assignments("    ", [
        ["name", hcl(a.AttributeName ?? "")],
        ["type", hcl(a.AttributeType ?? "S")],
      ]),
      "  }",
    ]),
    ...(input.GlobalSecondaryIndexes ?? []).map((gsi) => {
      const gsiKeys = keyPairOf(gsi.KeySchema)
      return [
        "  global_secondary_index {",
        ...assignments("    ", [
          ["name", hcl(gsi.IndexName ?? "")],
          ["hash_key", hcl(gsiKeys.hash)],
          ...(gsiKeys.range ? ([["range_key", hcl(gsiKeys.range)]] as [string, string][]) : []),
          ["projection_type", hcl(gsi.Projection?.ProjectionType ?? "ALL")],
        ]),
        "  }",
      ]
    }),
    [
      "  ttl {",
      ...assignments("    ", [
        ["attribute_name", hcl(timeToLive.AttributeName ?? names.ttlAttribute)],
        ["enabled", String(timeToLive.Enabled)],
      ]),
      "  }",
    ],
    ["  # The table holds users: refuse to destroy it. Remove this block to allow `terraform destroy`.", "  lifecycle {", "    prevent_destroy = true", "  }"],
  ]
  return [
    "# The DynamoDB table for dynamodb-auth-adapter, as `npx dynamodb-auth-adapter create-table` makes it.",
    `resource "aws_dynamodb_table" "auth" {`,
    blocks.map((block) => block.join("\n")).join("\n\n"),
    "}",
    "",
    `output "auth_table_name" {`,
    "  value = aws_dynamodb_table.auth.name",
    "}",
    "",
  ].join("\n")
}
