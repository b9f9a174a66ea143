import { DescribeTableCommand, GetItemCommand } from "@aws-sdk/client-dynamodb"
import { beforeAll, describe, expect, it } from "vitest"
import { useScratchTables } from "../support/scratch-tables.js"
import { runCli, runCliLocal, stubLocalCredentials } from "./run-cli.js"

const tables = useScratchTables()
const client = tables.client
beforeAll(stubLocalCredentials)

describe("create-table command", () => {
  it("creates the table and says so, then reports that it already exists", async () => {
    const tableName = tables.name("cli-create")
    const first = await runCliLocal("create-table", "--table", tableName)
    expect(first).toEqual({
      code: 0,
      stdout: `Created table "${tableName}" (pk/sk, index GSI1 on GSI1PK/GSI1SK, on-demand billing, deletion protection on).\nEnabled TTL on "expires".`,
      stderr: "",
    })
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }))
    expect(Table?.TableStatus).toBe("ACTIVE")
    expect(Table?.DeletionProtectionEnabled).toBe(true)

    const again = await runCliLocal("create-table", "--table", tableName)
    expect(again).toEqual({
      code: 0,
      stdout: `Table "${tableName}" already exists with the right schema: nothing to create.\nTTL on "expires" was already enabled.`,
      stderr: "",
    })
  })

  it("--without-deletion-protection leaves DynamoDB's deletion protection off (throw-away tables)", async () => {
    const tableName = tables.name("cli-unprotected")
    const run = await runCliLocal("create-table", "--table", tableName, "--without-deletion-protection")
    expect(run.stdout).toContain("deletion protection off")
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }))
    expect(Table?.DeletionProtectionEnabled).toBe(false)
  })

  it("--official-adapter declares that @auth/dynamodb-adapter writes to the new table (no lookups marker), and doctor says so", async () => {
    const tableName = tables.name("cli-official")
    expect((await runCliLocal("create-table", "--table", tableName, "--official-adapter")).code).toBe(0)
    const { Item } = await client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: "TABLE#META" }, sk: { S: "TABLE#META" } }, ConsistentRead: true }))
    expect(Item).toMatchObject({ type: { S: "TABLE_META" }, lookups: { S: "legacy" }, by: { S: "create-table" } })
    const doctor = await runCliLocal("doctor", "--table", tableName)
    expect(doctor.stdout).toContain("Legacy mode, declared at creation (create-table --official-adapter")
    expect(doctor.stdout).toContain(`backfill --table ${tableName} --mark-complete`)
  })

  it("exits non-zero on a table with another schema, naming the differences", async () => {
    const tableName = tables.name("cli-wrong")
    await tables.createKeyedById(tableName)
    const run = await runCliLocal("create-table", "--table", tableName)
    expect(run.code).toBe(1)
    expect(run.stdout).toBe("")
    expect(run.stderr).toContain(`TABLE_SCHEMA_MISMATCH: Table "${tableName}" exists with another schema`)
    expect(run.stderr).toContain(`partition key is "id", expected "pk"`)
    expect(run.stderr).toContain(`global secondary index "GSI1" is missing`)
  })

  it("has --help for every command and rejects unknown flags", async () => {
    const top = await runCli("--help")
    expect(top.code).toBe(0)
    for (const command of ["create-table", "doctor", "print-iac"]) {
      expect(top.stdout).toContain(`  ${command}`)
      const help = await runCli(command, "--help")
      expect(help.code).toBe(0)
      expect(help.stdout).toContain(`Usage: dynamodb-auth-adapter ${command} `)
    }
    const unknown = await runCli("doctor", "--tabel", "x")
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain("--tabel")
    expect(unknown.stderr).toContain("Usage: dynamodb-auth-adapter doctor")
  })
})
