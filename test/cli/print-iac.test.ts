import { DescribeTableCommand, DescribeTimeToLiveCommand, type TableDescription } from "@aws-sdk/client-dynamodb"
import { beforeAll, describe, expect, it } from "vitest"
import { createTableInput } from "../../src/table/create-table-input.js"
import { cloudFormationTemplate } from "../../src/table/iac/cloudformation.js"
import { toYaml, type YamlValue } from "../../src/table/iac/yaml.js"
import { resolveTableNames } from "../../src/table/names.js"
import { useScratchTables } from "../support/scratch-tables.js"
import { createLikeIac, fromCloudFormationProperties, type TableProperties } from "./iac-tables.js"
import { runCli, runCliLocal, stubLocalCredentials } from "./run-cli.js"
import { parseYamlSubset } from "./yaml-subset.js"

const tables = useScratchTables()
const client = tables.client
beforeAll(stubLocalCredentials)

const CUSTOM = ["--table", "custom-auth", "--partition-key", "PK", "--sort-key", "SK", "--index-name", "byGsi", "--index-partition-key", "gpk", "--index-sort-key", "gsk"]

interface CloudFormationResource {
  Type: string
  DeletionPolicy: string
  Properties: TableProperties
}

async function printedCloudFormation(...flags: string[]) {
  const run = await runCli("print-iac", "--format", "cloudformation", ...flags)
  expect(run).toMatchObject({ code: 0, stderr: "" })
  const template = parseYamlSubset(run.stdout) as unknown as { Resources: Record<string, CloudFormationResource> }
  const resources = Object.values(template.Resources)
  expect(resources).toHaveLength(1)
  return resources[0] as CloudFormationResource
}

describe("print-iac", () => {
  it("prints CloudFormation YAML whose table properties are the create-table input plus TTL", async () => {
    const resource = await printedCloudFormation()
    expect(resource.Type).toBe("AWS::DynamoDB::Table")
    expect(resource.DeletionPolicy).toBe("Retain")
    const { TimeToLiveSpecification, ...tableProperties } = resource.Properties
    expect(tableProperties).toEqual(createTableInput(resolveTableNames()))
    expect(TimeToLiveSpecification).toEqual({ AttributeName: "expires", Enabled: true })
  })

  it("honours the table, key and index name flags in every format", async () => {
    const resource = await printedCloudFormation(...CUSTOM)
    const { TimeToLiveSpecification: _ttl, ...tableProperties } = resource.Properties
    expect(tableProperties).toEqual(
      createTableInput(resolveTableNames({ tableName: "custom-auth", partitionKey: "PK", sortKey: "SK", indexName: "byGsi", indexPartitionKey: "gpk", indexSortKey: "gsk" })),
    )

    const cdk = await runCli("print-iac", "--format", "cdk", ...CUSTOM)
    expect(cdk.code).toBe(0)
    expect(cdk.stdout).toContain(`tableName: "custom-auth",`)
    expect(cdk.stdout).toContain(`partitionKey: { name: "PK", type: AttributeType.STRING },`)
    expect(cdk.stdout).toContain(`sortKey: { name: "SK", type: AttributeType.STRING },`)
    expect(cdk.stdout).toContain(`indexName: "byGsi",`)
    expect(cdk.stdout).toContain(`partitionKey: { name: "gpk", type: AttributeType.STRING },`)
    expect(cdk.stdout).toContain(`sortKey: { name: "gsk", type: AttributeType.STRING },`)

    const terraform = await runCli("print-iac", "--format", "terraform", ...CUSTOM)
    expect(terraform.code).toBe(0)
    expect(terraform.stdout).toMatch(/name\s+= "custom-auth"/)
    expect(terraform.stdout).toMatch(/hash_key\s+= "PK"\n\s+range_key\s+= "SK"/)
    expect(terraform.stdout).toMatch(/name\s+= "byGsi"\n\s+hash_key\s+= "gpk"\n\s+range_key\s+= "gsk"\n\s+projection_type = "ALL"/)
  })

  it("prints a CDK stack with on-demand billing, GSI1 projecting ALL and TTL on expires", async () => {
    const run = await runCli("print-iac", "--format", "cdk")
    expect(run).toMatchObject({ code: 0, stderr: "" })
    expect(run.stdout).toContain(`import { AttributeType, BillingMode, ProjectionType, Table } from "aws-cdk-lib/aws-dynamodb"`)
    expect(run.stdout).toContain(`new Table(this, "AuthTable", {\n      tableName: "next-auth",\n      partitionKey: { name: "pk", type: AttributeType.STRING },\n      sortKey: { name: "sk", type: AttributeType.STRING },\n      billingMode: BillingMode.PAY_PER_REQUEST,\n      timeToLiveAttribute: "expires",`)
    expect(run.stdout).toContain(
      `this.table.addGlobalSecondaryIndex({\n      indexName: "GSI1",\n      partitionKey: { name: "GSI1PK", type: AttributeType.STRING },\n      sortKey: { name: "GSI1SK", type: AttributeType.STRING },\n      projectionType: ProjectionType.ALL,\n    })`,
    )
  })

  it("prints a Terraform aws_dynamodb_table with every attribute, GSI1 and TTL", async () => {
    const run = await runCli("print-iac", "--format", "terraform")
    expect(run).toMatchObject({ code: 0, stderr: "" })
    expect(run.stdout).toContain(`resource "aws_dynamodb_table" "auth" {\n  name                        = "next-auth"\n  billing_mode                = "PAY_PER_REQUEST"\n  deletion_protection_enabled = true\n  hash_key                    = "pk"\n  range_key                   = "sk"\n`)
    const attributes = [...run.stdout.matchAll(/attribute \{\n\s+name = "([^"]+)"\n\s+type = "S"\n\s+\}/g)].map((m) => m[1])
    expect(attributes).toEqual(["pk", "sk", "GSI1PK", "GSI1SK"])
    expect(run.stdout).toContain(
      `global_secondary_index {\n    name            = "GSI1"\n    hash_key        = "GSI1PK"\n    range_key       = "GSI1SK"\n    projection_type = "ALL"\n  }`,
    )
    expect(run.stdout).toContain(`ttl {\n    attribute_name = "expires"\n    enabled        = true\n  }`)
  })

  it("refuses a missing or unknown format and names the valid ones", async () => {
    const missing = await runCli("print-iac")
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain("--format is required: use --format cloudformation, --format cdk, --format terraform")
    const unknown = await runCli("print-iac", "--format", "pulumi")
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain(`Unknown format "pulumi"`)
    expect(unknown.stdout).toBe("")
  })

  it("writes YAML that reads back as the same data, quoting what YAML would misread", () => {
    const data: YamlValue = {
      version: "2010-09-09",
      words: ["yes", "No", "on", "null", "a: b", "plain", "AWS::DynamoDB::Table", "#hash", "trailing:"],
      nested: [{ a: 1, b: [true, false] }, [], {}],
    }
    const yaml = toYaml(data)
    expect(yaml).toContain(`version: "2010-09-09"`)
    expect(yaml).toContain(`- "yes"`)
    expect(yaml).toContain("- AWS::DynamoDB::Table")
    expect(parseYamlSubset(yaml)).toEqual(data)
    expect(parseYamlSubset(toYaml(cloudFormationTemplate(resolveTableNames())))).toEqual(cloudFormationTemplate(resolveTableNames()))
  })
})

/** What DescribeTable says about a table's shape: identity and timestamps left out. */
function shapeOf(table: TableDescription | undefined) {
  // create-table also writes the table's metadata item (TABLE#META), so item count and size differ.
  const { TableName: _name, TableArn: _arn, TableId: _id, CreationDateTime: _created, ItemCount: _count, TableSizeBytes: _size, ...rest } = table ?? {}
  return {
    ...rest,
    ProvisionedThroughput: { ...rest.ProvisionedThroughput, LastDecreaseDateTime: undefined, LastIncreaseDateTime: undefined },
    BillingModeSummary: { ...rest.BillingModeSummary, LastUpdateToPayPerRequestDateTime: undefined },
    GlobalSecondaryIndexes: rest.GlobalSecondaryIndexes?.map(({ IndexArn: _indexArn, ...index }) => index),
  }
}

async function describeBoth(tableName: string) {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }))
  const { TimeToLiveDescription } = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }))
  return { table: shapeOf(Table), ttl: TimeToLiveDescription }
}

describe("IaC checked, not just printed", () => {
  it("a table created from the CloudFormation properties equals one made by create-table, and doctor passes on both", async () => {
    const fromCloudFormation = tables.name("cfn")
    const fromCreateTable = tables.name("cli")

    // What CloudFormation does with AWS::DynamoDB::Table: CreateTable from the properties, then TTL.
    const { Properties } = await printedCloudFormation("--table", fromCloudFormation)
    const { input, timeToLive } = fromCloudFormationProperties(Properties)
    await createLikeIac(client, input, timeToLive)

    const cli = await runCliLocal("create-table", "--table", fromCreateTable)
    expect(cli.code).toBe(0)

    const a = await describeBoth(fromCloudFormation)
    const b = await describeBoth(fromCreateTable)
    expect(a.table.KeySchema).toHaveLength(2)
    expect(a.table.GlobalSecondaryIndexes).toHaveLength(1)
    expect(a).toEqual(b)

    for (const tableName of [fromCloudFormation, fromCreateTable]) {
      const doctor = await runCliLocal("doctor", "--table", tableName)
      expect(doctor.stdout).toContain("All checks passed")
      expect(doctor.code).toBe(0)
    }
  })
})
