/**
 * Reads the Terraform `print-iac --format terraform` prints with HashiCorp's
 * HCL parser (`@cdktf/hcl2json`, offline) and turns its `aws_dynamodb_table`
 * into the CreateTable input the hashicorp/aws provider would send.
 */
import type { CreateTableCommandInput, TimeToLiveSpecification } from "@aws-sdk/client-dynamodb"
import { parse } from "@cdktf/hcl2json"

/** An `aws_dynamodb_table` resource as HCL JSON has it: every nested block is a list. */
export interface TerraformDynamoTable {
  name: string
  billing_mode: string
  deletion_protection_enabled?: boolean
  hash_key: string
  range_key?: string
  attribute: { name: string; type: string }[]
  global_secondary_index?: { name: string; hash_key: string; range_key?: string; projection_type: string }[]
  ttl?: { attribute_name: string; enabled: boolean }[]
  lifecycle?: { prevent_destroy?: boolean }[]
}

export interface TerraformConfig {
  resource?: Record<string, Record<string, unknown[]>>
  output?: Record<string, { value: unknown }[]>
}

/** The parsed configuration; rejects when the text is not valid HCL. */
export async function parseTerraform(text: string): Promise<TerraformConfig> {
  return (await parse("main.tf", text)) as TerraformConfig
}

function keySchema(hash: string, range: string | undefined): NonNullable<CreateTableCommandInput["KeySchema"]> {
  return [{ AttributeName: hash, KeyType: "HASH" }, ...(range === undefined ? [] : [{ AttributeName: range, KeyType: "RANGE" as const }])]
}

/** What the provider sends for the resource: CreateTable, then UpdateTimeToLive. */
export function terraformToDynamo(table: TerraformDynamoTable): { input: CreateTableCommandInput; timeToLive: TimeToLiveSpecification | undefined } {
  const indexes = table.global_secondary_index ?? []
  const ttl = table.ttl?.[0]
  return {
    input: {
      TableName: table.name,
      BillingMode: table.billing_mode as CreateTableCommandInput["BillingMode"],
      ...(table.deletion_protection_enabled === undefined ? {} : { DeletionProtectionEnabled: table.deletion_protection_enabled }),
      AttributeDefinitions: table.attribute.map((a) => ({ AttributeName: a.name, AttributeType: a.type as "S" | "N" | "B" })),
      KeySchema: keySchema(table.hash_key, table.range_key),
      ...(indexes.length === 0
        ? {}
        : {
            GlobalSecondaryIndexes: indexes.map((gsi) => ({
              IndexName: gsi.name,
              KeySchema: keySchema(gsi.hash_key, gsi.range_key),
              Projection: { ProjectionType: gsi.projection_type as "ALL" | "KEYS_ONLY" | "INCLUDE" },
            })),
          }),
    },
    timeToLive: ttl === undefined ? undefined : { AttributeName: ttl.attribute_name, Enabled: ttl.enabled },
  }
}
