import type { TableNames } from "../names.js"
import { keyPairOf, tableDefinition } from "./table-definition.js"

const ATTRIBUTE_TYPES: Record<string, string> = { S: "STRING", N: "NUMBER", B: "BINARY" }
const BILLING_MODES: Record<string, string> = { PAY_PER_REQUEST: "PAY_PER_REQUEST", PROVISIONED: "PROVISIONED" }
const PROJECTIONS: Record<string, string> = { ALL: "ALL", KEYS_ONLY: "KEYS_ONLY", INCLUDE: "INCLUDE" }

function lookup(table: Record<string, string>, value: string | undefined, what: string): string {
  const found = value === undefined ? undefined : table[value]
  if (!found) throw new Error(`no CDK equivalent for ${what} ${String(value)}`)
  return found
}

/**
 * An AWS CDK (TypeScript, aws-cdk-lib v2) stack holding the table, built
 * from the same definition as `create-table`.
 */
export function cdkStack(names: TableNames): string {
  const { input, timeToLive } = tableDefinition(names)
  const typeOf = (attribute: string) =>
    lookup(ATTRIBUTE_TYPES, input.AttributeDefinitions?.find((a) => a.AttributeName === attribute)?.AttributeType, `attribute type of ${attribute}`)
  const key = (attribute: string) => `{ name: ${JSON.stringify(attribute)}, type: AttributeType.${typeOf(attribute)} }`
  const tableKeys = keyPairOf(input.KeySchema)

  const indexes = (input.GlobalSecondaryIndexes ?? []).map((gsi) => {
    const keys = keyPairOf(gsi.KeySchema)
    return [
      "    this.table.addGlobalSecondaryIndex({",
      `      indexName: ${JSON.stringify(gsi.IndexName)},`,
      `      partitionKey: ${key(keys.hash)},`,
      ...(keys.range ? [`      sortKey: ${key(keys.range)},`] : []),
      `      projectionType: ProjectionType.${lookup(PROJECTIONS, gsi.Projection?.ProjectionType, "projection")},`,
      "    })",
    ]
  })

  return [
    `// The DynamoDB table for dynamodb-auth-adapter, as \`npx dynamodb-auth-adapter create-table\` makes it.`,
    `import { RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib"`,
    `import { AttributeType, BillingMode, ProjectionType, Table } from "aws-cdk-lib/aws-dynamodb"`,
    `import type { Construct } from "constructs"`,
    ``,
    `export class AuthTableStack extends Stack {`,
    `  readonly table: Table`,
    ``,
    `  constructor(scope: Construct, id: string, props?: StackProps) {`,
    `    super(scope, id, props)`,
    `    this.table = new Table(this, "AuthTable", {`,
    `      tableName: ${JSON.stringify(input.TableName)},`,
    `      partitionKey: ${key(tableKeys.hash)},`,
    ...(tableKeys.range ? [`      sortKey: ${key(tableKeys.range)},`] : []),
    `      billingMode: BillingMode.${lookup(BILLING_MODES, input.BillingMode, "billing mode")},`,
    `      timeToLiveAttribute: ${JSON.stringify(timeToLive.AttributeName)},`,
    `      // The table holds users: keep it when the stack is deleted, and let DynamoDB refuse to delete it.`,
    `      removalPolicy: RemovalPolicy.RETAIN,`,
    `      deletionProtection: ${input.DeletionProtectionEnabled === true},`,
    `    })`,
    ...indexes.flat(),
    `  }`,
    `}`,
    ``,
  ].join("\n")
}
