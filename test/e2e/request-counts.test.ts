/**
 * DynamoDB requests per step of the cross-framework flows, counted on the
 * example's client over real HTTP. Ceilings are what was measured (Better
 * Auth 1.7.25, @auth/core 0.41.3); a change that needs more requests should
 * say why here. The table is made by createTable, so it is marked "lookups
 * complete": a lookup miss is one GetItem, no GSI1 Query, and each adapter
 * reads that marker once, on its first miss (one GetItem in each of the first
 * two steps). An account Auth.js writes has its id lookup item, so Better
 * Auth finds it by id without a Scan.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startSharedExample, type SharedExample } from "../../examples/shared/server.js"
import { DynamoDBAdapter } from "../../src/authjs/index.js"
import { countRequests } from "../../src/core/client/request-counter.js"
import { createTable } from "../../src/table/create-table.js"
import { printIac } from "../../src/table/iac/formats.js"
import { resolveTableNames } from "../../src/table/names.js"
import { synthesizeCdkStack, synthesizeCloudFormationYaml } from "../cli/cdk-synth.js"
import { createLikeIac, fromCloudFormationProperties, type TableProperties } from "../cli/iac-tables.js"
import { parseTerraform, terraformToDynamo, type TerraformDynamoTable } from "../cli/terraform-table.js"
import { useScratchTables } from "../support/scratch-tables.js"
import { HttpSession } from "../support/http-session.js"
import { createTestTable, localClient, type TestTable } from "../support/test-table.js"
import { authjsSession, betterAuthSession, signInWithAuthjs, signInWithBetterAuth } from "./flows.js"

let table: TestTable
let example: SharedExample

beforeAll(async () => {
  table = await createTestTable()
  example = await startSharedExample({ client: table.client, tableName: table.tableName })
})
afterAll(async () => {
  await example?.stop()
  await table?.drop()
})

async function counted(step: () => Promise<unknown>): Promise<{ byCommand: Record<string, number>; total: number }> {
  table.counter.reset()
  await step()
  return { byCommand: table.counter.byCommand(), total: table.counter.total() }
}

describe("requests per step", () => {
  const browser = new HttpSession()

  it("Auth.js first OIDC sign-in: no Scan, no GSI1 Query, at most 9 requests", async () => {
    const counts = await counted(() => signInWithAuthjs(browser, example.url, "alice"))
    expect(counts.byCommand.Scan).toBeUndefined()
    // The two getUserByAccount misses and the getUserByEmail miss are one GetItem each (lookup items).
    expect(counts.byCommand.Query).toBeUndefined()
    expect(counts.total).toBeLessThanOrEqual(9)
  })
  it("Better Auth sign-in onto the account Auth.js wrote: no Scan, at most 25 requests", async () => {
    const counts = await counted(() => signInWithBetterAuth(browser, example.url, "alice"))
    expect(counts.byCommand.Scan).toBeUndefined()
    // Better Auth updates the user from the IdP profile: that update then refreshes the copies of the user, in the
    // email claim, the provider-account claim and the Auth.js session's token item (one UpdateItem each, and a Query
    // of the user's partition to find them).
    expect(counts.total).toBeLessThanOrEqual(25)
  })
  it("Better Auth sign-in again: no Scan, at most 17 requests", async () => {
    const counts = await counted(() => signInWithBetterAuth(browser, example.url, "alice"))
    expect(counts.byCommand.Scan).toBeUndefined()
    expect(counts.total).toBeLessThanOrEqual(17)
  })
  it("Auth.js sign-in again after Better Auth updated the account: GetItems only, at most 10", async () => {
    const counts = await counted(() => signInWithAuthjs(browser, example.url, "alice"))
    expect(Object.keys(counts.byCommand)).toEqual(["GetItem"])
    expect(counts.total).toBeLessThanOrEqual(10)
  })
  it("session reads: one GetItem for each framework (the token item holds a copy of the user; the example turns Better Auth's joins on)", async () => {
    expect((await counted(() => authjsSession(browser, example.url))).byCommand).toEqual({ GetItem: 1 })
    expect((await counted(() => betterAuthSession(browser, example.url))).byCommand).toEqual({ GetItem: 1 })
  })
})

/**
 * Requests on tables made each documented way: `create-table`, the three
 * `print-iac` formats (DynamoDB Local runs no CloudFormation or Terraform:
 * the table is created from the synthesized template's properties, or from
 * the parsed HCL, as test/cli/iac-tools.test.ts does) and a plain
 * CreateTable as in the next-auth docs' template. The first adapter call on
 * an unmarked table adds the marker's GetItem, one Scan (Limit 1) and the
 * marker's PutItem, once; from then on every path counts the same.
 */
describe("requests per table, whatever made it", () => {
  const scratch = useScratchTables()
  const inAnHour = () => new Date(Date.now() + 3_600_000)

  async function fromIac(format: "cloudformation" | "cdk" | "terraform", tableName: string) {
    const names = resolveTableNames({ tableName })
    if (format === "terraform") {
      const config = await parseTerraform(printIac("terraform", names))
      const { input, timeToLive } = terraformToDynamo(config.resource!.aws_dynamodb_table!.auth![0] as TerraformDynamoTable)
      return createLikeIac(scratch.client, { ...input, DeletionProtectionEnabled: false }, timeToLive)
    }
    const resources = format === "cdk" ? synthesizeCdkStack(printIac("cdk", names), "AuthTableStack") : synthesizeCloudFormationYaml(printIac("cloudformation", names))
    const [table] = Object.values(resources).filter((r) => r.Type === "AWS::DynamoDB::Table")
    const { input, timeToLive } = fromCloudFormationProperties(table!.Properties as unknown as TableProperties)
    expect(input.DeletionProtectionEnabled).toBe(true)
    return createLikeIac(scratch.client, { ...input, DeletionProtectionEnabled: false }, timeToLive)
  }

  /** The next-auth docs' CloudFormation template (@auth/dynamodb-adapter), as CreateTable input: no billing mode given, so provisioned. */
  async function nextAuthDocsTemplate(tableName: string) {
    await createLikeIac(
      scratch.client,
      {
        TableName: tableName,
        AttributeDefinitions: ["pk", "sk", "GSI1PK", "GSI1SK"].map((AttributeName) => ({ AttributeName, AttributeType: "S" as const })),
        KeySchema: [
          { AttributeName: "pk", KeyType: "HASH" },
          { AttributeName: "sk", KeyType: "RANGE" },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: "GSI1",
            Projection: { ProjectionType: "ALL" },
            KeySchema: [
              { AttributeName: "GSI1PK", KeyType: "HASH" },
              { AttributeName: "GSI1SK", KeyType: "RANGE" },
            ],
            ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
          },
        ],
        ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
      },
      { AttributeName: "expires", Enabled: true },
    )
  }

  const MAKERS: Record<string, (tableName: string) => Promise<unknown>> = {
    "create-table": (tableName) => createTable(scratch.client, { tableName, deletionProtection: false }),
    "print-iac cloudformation": (tableName) => fromIac("cloudformation", tableName),
    "print-iac cdk": (tableName) => fromIac("cdk", tableName),
    "print-iac terraform": (tableName) => fromIac("terraform", tableName),
    "the next-auth docs' template (plain CreateTable)": nextAuthDocsTemplate,
  }

  /** Auth.js's OAuth sign-up: getUserByAccount, getUserByEmail, createUser, linkAccount, createSession. */
  async function oauthSignUp(adapter: ReturnType<typeof DynamoDBAdapter>, name: string) {
    expect(await adapter.getUserByAccount({ provider: "idp", providerAccountId: name })).toBeNull()
    expect(await adapter.getUserByEmail(`${name}@example.com`)).toBeNull()
    const user = await adapter.createUser({ id: `u-${name}`, email: `${name}@example.com`, emailVerified: null })
    await adapter.linkAccount({ userId: user.id, type: "oidc", provider: "idp", providerAccountId: name })
    await adapter.createSession({ sessionToken: `t-${name}`, userId: user.id, expires: inAnHour() })
  }

  for (const [made, make] of Object.entries(MAKERS)) {
    it(`${made}: OAuth sign-up 5 requests (+3 once: marker, Scan, mark, or +1 on a create-table table), get session 1 GetItem`, async () => {
      const tableName = scratch.name("counts")
      await make(tableName)
      const client = localClient()
      const counter = countRequests(client)
      try {
        const adapter = DynamoDBAdapter(client, { tableName })
        await oauthSignUp(adapter, "first")
        const first = counter.byCommand()
        expect(first).toEqual(made === "create-table" ? { GetItem: 3, TransactWriteItems: 3 } : { GetItem: 3, Scan: 1, PutItem: 1, TransactWriteItems: 3 })

        counter.reset()
        await oauthSignUp(adapter, "second")
        expect(counter.byCommand()).toEqual({ GetItem: 2, TransactWriteItems: 3 })

        counter.reset()
        expect(await adapter.getSessionAndUser("t-second")).toMatchObject({ user: { id: "u-second" } })
        expect(counter.byCommand()).toEqual({ GetItem: 1 })
        // A fresh instance (another server) on the marked table: get session is still one GetItem, plus the marker's, once.
        const other = DynamoDBAdapter(client, { tableName })
        counter.reset()
        expect(await other.getSessionAndUser("t-first")).toMatchObject({ user: { id: "u-first" } })
        expect(counter.byCommand()).toEqual({ GetItem: 2 })
        counter.reset()
        await other.getSessionAndUser("t-first")
        expect(counter.byCommand()).toEqual({ GetItem: 1 })
      } finally {
        counter.detach()
        client.destroy()
      }
    })
  }
})
