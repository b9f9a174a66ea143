/**
 * The CDK and Terraform that `print-iac` prints, checked by the real tools
 * (offline): the CDK stack is type-checked by tsc and synthesized by
 * aws-cdk-lib, the Terraform is read by HashiCorp's HCL parser. Both must
 * describe the table `create-table` makes, and a table deployed from each
 * passes `doctor` on DynamoDB Local.
 */
import { beforeAll, describe, expect, it } from "vitest"
import { createTableInput } from "../../src/table/create-table-input.js"
import { CLOUDFORMATION_LOGICAL_ID, cloudFormationTemplate } from "../../src/table/iac/cloudformation.js"
import { resolveTableNames, type TableNameOptions } from "../../src/table/names.js"
import { useScratchTables } from "../support/scratch-tables.js"
import { cdkTypeErrors, synthesizeCdkStack, synthesizeCloudFormationYaml } from "./cdk-synth.js"
import { createLikeIac, fromCloudFormationProperties, type TableProperties } from "./iac-tables.js"
import { runCli, runCliLocal, stubLocalCredentials } from "./run-cli.js"
import { parseTerraform, terraformToDynamo, type TerraformDynamoTable } from "./terraform-table.js"

const tables = useScratchTables()
beforeAll(stubLocalCredentials)

const FLAGS: Record<keyof Omit<TableNameOptions, "tableName">, string> = {
  partitionKey: "--partition-key",
  sortKey: "--sort-key",
  indexName: "--index-name",
  indexPartitionKey: "--index-partition-key",
  indexSortKey: "--index-sort-key",
}

interface Variant {
  label: string
  keys: Omit<TableNameOptions, "tableName">
}

const VARIANTS: Variant[] = [
  { label: "default names", keys: {} },
  { label: "custom key and index names", keys: { partitionKey: "PK", sortKey: "SK", indexName: "byGsi", indexPartitionKey: "gpk", indexSortKey: "gsk" } },
]

function keyFlags(keys: Variant["keys"]): string[] {
  return Object.entries(keys).flatMap(([option, value]) => [FLAGS[option as keyof typeof FLAGS], String(value)])
}

async function printed(format: "cloudformation" | "cdk" | "terraform", tableName: string, keys: Variant["keys"]): Promise<string> {
  const run = await runCli("print-iac", "--format", format, "--table", tableName, ...keyFlags(keys))
  expect(run).toMatchObject({ code: 0, stderr: "" })
  return run.stdout
}

/** What the CloudFormation printer says the table's properties are. */
function cloudFormationProperties(tableName: string, keys: Variant["keys"]) {
  const resource = cloudFormationTemplate(resolveTableNames({ ...keys, tableName })).Resources as Record<string, { Properties: unknown }>
  return resource[CLOUDFORMATION_LOGICAL_ID]?.Properties
}

async function expectDoctorPasses(tableName: string, keys: Variant["keys"]) {
  const doctor = await runCliLocal("doctor", "--table", tableName, ...keyFlags(keys))
  expect(doctor.stdout).toContain("All checks passed")
  expect(doctor.code).toBe(0)
}

describe("print-iac --format cdk, through tsc and aws-cdk-lib", () => {
  it("type-checks under strict tsc against aws-cdk-lib and constructs, for default and custom names", async () => {
    const sources = await Promise.all(VARIANTS.map((v) => printed("cdk", "next-auth", v.keys)))
    // Proves the check can fail: a misspelt Table prop must be reported.
    const misspelt = sources[0]?.replace("timeToLiveAttribute:", "timeToLiveAttr:") ?? ""
    const [defaults, custom, broken] = cdkTypeErrors([...sources, misspelt])
    expect(defaults).toEqual([])
    expect(custom).toEqual([])
    expect(broken?.join("\n")).toContain("'timeToLiveAttr' does not exist")
  })

  it("synthesis fails on a template CloudFormation's schema rejects (so the validation during synth is live)", async () => {
    const source = await printed("cdk", "next-auth", {})
    const tampered = source.replace(/\n  \}\n\}\s*$/, `\n    ;(this.table.node.defaultChild as any).addPropertyOverride("BillingMode", "FREE")\n  }\n}\n`)
    expect(tampered).not.toBe(source)
    expect(() => synthesizeCdkStack(tampered, "AuthTableStack")).toThrow(/BillingMode: 'FREE' is not one of/)
  })

  for (const variant of VARIANTS) {
    it(`synthesizes (${variant.label}) to the CloudFormation printer's table, and that table passes doctor on DynamoDB Local`, async () => {
      const tableName = tables.name("cdk")
      const resources = Object.values(synthesizeCdkStack(await printed("cdk", tableName, variant.keys), "AuthTableStack"))
      expect(resources.map((r) => r.Type)).toEqual(["AWS::DynamoDB::Table"])
      const [table] = resources
      expect(table).toMatchObject({ DeletionPolicy: "Retain", UpdateReplacePolicy: "Retain", Properties: { DeletionProtectionEnabled: true } })
      expect(table?.Properties).toEqual(cloudFormationProperties(tableName, variant.keys))

      // Checked equal to the printer's typed properties just above.
      const { input, timeToLive } = fromCloudFormationProperties(table?.Properties as unknown as TableProperties)
      expect(timeToLive).toEqual({ AttributeName: "expires", Enabled: true })
      await createLikeIac(tables.client, input, timeToLive)
      await expectDoctorPasses(tableName, variant.keys)
    })
  }
})

describe("print-iac --format cloudformation, through aws-cdk-lib's CfnInclude", () => {
  for (const variant of VARIANTS) {
    it(`reads back (${variant.label}) as the printer's resources and passes CloudFormation's schema validation`, async () => {
      const tableName = tables.name("cfn")
      const resources = synthesizeCloudFormationYaml(await printed("cloudformation", tableName, variant.keys))
      expect(resources).toEqual(cloudFormationTemplate(resolveTableNames({ ...variant.keys, tableName })).Resources)
    })
  }
})

describe("print-iac --format terraform, through HashiCorp's HCL parser", () => {
  it("the parser rejects what is not HCL (so parsing is a real check)", async () => {
    await expect(parseTerraform(`resource "aws_dynamodb_table" "auth" {\n  name = "x"\n`)).rejects.toThrow()
  })

  for (const variant of VARIANTS) {
    it(`parses (${variant.label}) to an aws_dynamodb_table equal to the create-table input, and that table passes doctor on DynamoDB Local`, async () => {
      const tableName = tables.name("tf")
      const config = await parseTerraform(await printed("terraform", tableName, variant.keys))
      expect(Object.keys(config.resource ?? {})).toEqual(["aws_dynamodb_table"])
      const instances = config.resource?.aws_dynamodb_table?.auth as TerraformDynamoTable[] | undefined
      expect(instances).toHaveLength(1)
      const resource = instances?.[0] as TerraformDynamoTable
      expect(resource.lifecycle).toEqual([{ prevent_destroy: true }])
      expect(resource.deletion_protection_enabled).toBe(true)
      expect(config.output?.auth_table_name).toEqual([{ value: "${aws_dynamodb_table.auth.name}" }])

      const { input, timeToLive } = terraformToDynamo(resource)
      expect(input).toEqual(createTableInput(resolveTableNames({ ...variant.keys, tableName })))
      expect(timeToLive).toEqual({ AttributeName: "expires", Enabled: true })
      await createLikeIac(tables.client, input, timeToLive)
      await expectDoctorPasses(tableName, variant.keys)
    })
  }
})
