import {
  CreateTableCommand,
  DescribeTimeToLiveCommand,
  PutItemCommand,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
} from "@aws-sdk/client-dynamodb"
import { beforeAll, describe, expect, it } from "vitest"
import { DynamoDBAdapter } from "../../src/authjs/index.js"
import { createTable } from "../../src/table/create-table.js"
import { createTableInput } from "../../src/table/create-table-input.js"
import { resolveTableNames } from "../../src/table/names.js"
import { useScratchTables } from "../support/scratch-tables.js"
import { endpoint, uniqueTableName } from "../support/test-table.js"
import { runCliLocal, stubLocalCredentials } from "./run-cli.js"

const tables = useScratchTables()
const client = tables.client
beforeAll(stubLocalCredentials)

/** A table made with CreateTable alone: the library's definition, altered by `change`, and no TTL. */
async function rawTable(prefix: string, change: (input: CreateTableCommandInput) => CreateTableCommandInput = (input) => input): Promise<string> {
  const tableName = tables.name(prefix)
  await client.send(new CreateTableCommand(change(createTableInput(resolveTableNames({ tableName })))))
  return tableName
}

async function enableTtl(tableName: string, attribute = "expires") {
  await client.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: attribute, Enabled: true } }))
}

/** The output line for one check, and the fix line under it when there is one. */
function reportOf(stdout: string, marker: string): { line: string; fix: string | undefined } {
  const lines = stdout.split("\n")
  const index = lines.findIndex((line) => line.includes(marker))
  expect(index, `no line containing ${marker} in:\n${stdout}`).toBeGreaterThanOrEqual(0)
  const next = lines[index + 1]?.trim()
  return { line: lines[index] as string, fix: next?.startsWith("fix: ") ? next.slice(5) : undefined }
}

describe("doctor", () => {
  it("passes on a table made by create-table, listing every check as ok", async () => {
    const tableName = tables.name("doctor-ok")
    await createTable(client, { tableName })
    const run = await runCliLocal("doctor", "--table", tableName)
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)
    const lines = run.stdout.split("\n")
    expect(lines[0]).toBe(`Checking table "${tableName}" (keys pk/sk, index GSI1 on GSI1PK/GSI1SK, TTL on expires) at ${endpoint()}`)
    expect(lines.filter((line) => line.startsWith("  ok "))).toEqual([
      `  ok       Table "${tableName}" exists and is ACTIVE.`,
      "  ok       Key schema is pk (string) / sk (string).",
      "  ok       Index GSI1 exists and is ACTIVE.",
      "  ok       Index GSI1 keys are GSI1PK (string) / GSI1SK (string).",
      "  ok       Index GSI1 projects ALL attributes.",
      '  ok       TTL is enabled on "expires".',
      "  ok       Billing mode is on-demand (PAY_PER_REQUEST).",
      "  ok       Deletion protection is on: DynamoDB refuses to delete the table.",
      expect.stringMatching(
        /^ {2}ok {7}Fast path: lookups complete since \d{4}-\d\d-\d\dT[\d:.]+Z \(marked by create-table when it made the table\): lookup misses are one GetItem \(no GSI1 fallback\) and get session is one GetItem\.$/,
      ),
    ])
    expect(run.stdout).not.toContain("PROBLEM")
    expect(run.stdout).toContain("All checks passed: the table is ready")
  })

  it("fails on a missing table and says how to create it", async () => {
    const tableName = uniqueTableName("doctor-missing")
    const run = await runCliLocal("doctor", "--table", tableName, "--index-name", "byGsi")
    expect(run.code).toBe(1)
    const report = reportOf(run.stdout, "PROBLEM")
    expect(report.line).toContain(`Table "${tableName}" does not exist`)
    expect(report.fix).toContain(`npx dynamodb-auth-adapter create-table --table ${tableName} --index-name byGsi --endpoint ${endpoint()}`)
    expect(run.stdout).toContain("1 problem found")
  })

  it("fails on a table without GSI1 and prints the update-table command that adds it", async () => {
    const tableName = await rawTable("doctor-nogsi", ({ GlobalSecondaryIndexes: _gsi, ...input }) => ({
      ...input,
      AttributeDefinitions: input.AttributeDefinitions?.slice(0, 2),
    }))
    await enableTtl(tableName)
    const run = await runCliLocal("doctor", "--table", tableName)
    expect(run.code).toBe(1)
    const report = reportOf(run.stdout, "PROBLEM")
    expect(report.line).toContain(`Global secondary index "GSI1" is missing (the table has no index).`)
    expect(report.fix).toContain(`aws dynamodb update-table --table-name ${tableName} --attribute-definitions AttributeName=GSI1PK,AttributeType=S AttributeName=GSI1SK,AttributeType=S`)
    expect(report.fix).toContain(`"IndexName":"GSI1","KeySchema":[{"AttributeName":"GSI1PK","KeyType":"HASH"},{"AttributeName":"GSI1SK","KeyType":"RANGE"}],"Projection":{"ProjectionType":"ALL"}`)
    expect(report.fix).toContain(`--endpoint-url ${endpoint()}`)
    expect(run.stdout.match(/PROBLEM/g)).toHaveLength(1)
  })

  it("fails on wrong table keys, and on an index with other keys and projection", async () => {
    const wrongKeys = tables.name("doctor-keys")
    await tables.createKeyedById(wrongKeys)
    await enableTtl(wrongKeys)
    const keys = await runCliLocal("doctor", "--table", wrongKeys)
    expect(keys.code).toBe(1)
    const report = reportOf(keys.stdout, "Key schema differs")
    expect(report.line).toContain("PROBLEM")
    expect(report.line).toContain(`partition key is "id", expected "pk"; sort key is missing, expected "sk"`)
    expect(report.fix).toContain("A table's keys cannot be changed")
    expect(report.fix).toContain("npx dynamodb-auth-adapter create-table --table NEW_NAME")

    const wrongIndex = await rawTable("doctor-index", (input) => ({
      ...input,
      AttributeDefinitions: [...(input.AttributeDefinitions ?? []).slice(0, 2), { AttributeName: "other", AttributeType: "S" }],
      GlobalSecondaryIndexes: [
        { IndexName: "GSI1", KeySchema: [{ AttributeName: "other", KeyType: "HASH" }], Projection: { ProjectionType: "KEYS_ONLY" } },
      ],
    }))
    await enableTtl(wrongIndex)
    const index = await runCliLocal("doctor", "--table", wrongIndex)
    expect(index.code).toBe(1)
    const indexKeys = reportOf(index.stdout, "Index GSI1 keys differ")
    expect(indexKeys.line).toContain(`index GSI1 partition key is "other", expected "GSI1PK"; index GSI1 sort key is missing, expected "GSI1SK"`)
    expect(indexKeys.fix).toContain(`'[{"Delete":{"IndexName":"GSI1"}}]'`)
    const projection = reportOf(index.stdout, "projects KEYS_ONLY")
    expect(projection.line).toContain("PROBLEM  Index GSI1 projects KEYS_ONLY, expected ALL")
    expect(projection.fix).toContain("cannot be changed: delete it")
    expect(index.stdout).toContain("2 problems found")
  })

  it("fails when TTL is off or on another attribute, and changes nothing", async () => {
    const noTtl = await rawTable("doctor-nottl")
    const off = await runCliLocal("doctor", "--table", noTtl)
    expect(off.code).toBe(1)
    const report = reportOf(off.stdout, "TTL is not enabled")
    expect(report.line).toContain(`PROBLEM  TTL is not enabled on "expires"`)
    expect(report.fix).toContain(`npx dynamodb-auth-adapter create-table --table ${noTtl} --endpoint ${endpoint()}`)
    expect(report.fix).toContain(`aws dynamodb update-time-to-live --table-name ${noTtl} --time-to-live-specification Enabled=true,AttributeName=expires`)
    const after = await client.send(new DescribeTimeToLiveCommand({ TableName: noTtl }))
    expect(after.TimeToLiveDescription?.TimeToLiveStatus).toBe("DISABLED")

    const otherTtl = await rawTable("doctor-otherttl")
    await enableTtl(otherTtl, "ttl")
    const other = await runCliLocal("doctor", "--table", otherTtl)
    expect(other.code).toBe(1)
    expect(reportOf(other.stdout, "TTL is on").line).toContain(`TTL is on "ttl", not on "expires"`)
  })

  it("reports provisioned billing as a note, not a failure", async () => {
    const tableName = await rawTable("doctor-prov", ({ BillingMode: _mode, ...input }) => ({
      ...input,
      ProvisionedThroughput: { ReadCapacityUnits: 3, WriteCapacityUnits: 2 },
      GlobalSecondaryIndexes: input.GlobalSecondaryIndexes?.map((gsi) => ({ ...gsi, ProvisionedThroughput: { ReadCapacityUnits: 4, WriteCapacityUnits: 1 } })),
    }))
    await enableTtl(tableName)
    const run = await runCliLocal("doctor", "--table", tableName)
    expect(run.code).toBe(0)
    const note = reportOf(run.stdout, "Billing mode")
    expect(note.line).toContain("note     Billing mode is PROVISIONED (table 3 RCU / 2 WCU, index GSI1 4 RCU / 1 WCU)")
    expect(note.fix).toContain(`--billing-mode PAY_PER_REQUEST`)
    // A table made without create-table has no marker; empty, it is marked by the first adapter call.
    expect(reportOf(run.stdout, "Not marked yet").line).toContain("ok       Not marked yet, and the table is empty: the first adapter call marks it")
    expect(run.stdout).toContain("All checks passed (1 note)")
  })

  it("says why a table is in legacy mode: items and no metadata item; and notes deletion protection off", async () => {
    const tableName = await rawTable("doctor-legacy", (input) => ({ ...input, DeletionProtectionEnabled: false }))
    await enableTtl(tableName)
    // What @auth/dynamodb-adapter writes for a user: no lookup items, no metadata item.
    await client.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: "USER#u" }, sk: { S: "USER#u" }, type: { S: "USER" }, id: { S: "u" } } }))
    const run = await runCliLocal("doctor", "--table", tableName)
    expect(run.code).toBe(0)
    const legacy = reportOf(run.stdout, "Legacy mode")
    expect(legacy.line).toContain("note     Legacy mode: the table holds items and has no metadata item")
    expect(legacy.line).toContain("get session is 2 requests")
    expect(legacy.fix).toContain(`npx dynamodb-auth-adapter backfill --table ${tableName} --mark-complete`)
    const protection = reportOf(run.stdout, "Deletion protection")
    expect(protection.line).toContain("note     Deletion protection is off")
    expect(protection.fix).toContain(`aws dynamodb update-table --table-name ${tableName} --deletion-protection-enabled`)
    expect(run.stdout).toContain("All checks passed (2 notes)")
  })

  it("says a table was marked by an adapter that found it empty", async () => {
    const tableName = await rawTable("doctor-marked")
    await enableTtl(tableName)
    const adapter = DynamoDBAdapter(client, { tableName })
    expect(await adapter.getUserByEmail("nobody@example.com")).toBeNull()
    const run = await runCliLocal("doctor", "--table", tableName)
    expect(reportOf(run.stdout, "Fast path").line).toMatch(/ok {7}Fast path: lookups complete since \S+ \(marked by an adapter instance that found the table empty\)/)
  })

  it("checks custom key and index names given as flags", async () => {
    const tableName = tables.name("doctor-custom")
    const flags = ["--partition-key", "PK", "--sort-key", "SK", "--index-name", "byGsi", "--index-partition-key", "gpk", "--index-sort-key", "gsk"]
    expect((await runCliLocal("create-table", "--table", tableName, ...flags)).code).toBe(0)
    const withFlags = await runCliLocal("doctor", "--table", tableName, ...flags)
    expect(withFlags.code).toBe(0)
    expect(withFlags.stdout).toContain("Key schema is PK (string) / SK (string).")

    const withoutFlags = await runCliLocal("doctor", "--table", tableName)
    expect(withoutFlags.code).toBe(1)
    expect(withoutFlags.stdout).toContain(`partition key is "PK", expected "pk"`)
    expect(reportOf(withoutFlags.stdout, "is missing").line).toContain(`Global secondary index "GSI1" is missing (the table has: byGsi).`)
  })
})
