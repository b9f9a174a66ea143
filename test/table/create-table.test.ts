import { DescribeTableCommand, DescribeTimeToLiveCommand } from "@aws-sdk/client-dynamodb"
import { describe, expect, it } from "vitest"
import { createTable } from "../../src/table/create-table.js"
import { createTableInput } from "../../src/table/create-table-input.js"
import { resolveTableNames } from "../../src/table/names.js"
import { isDynamoAuthAdapterError } from "../../src/core/errors.js"
import { useScratchTables } from "../support/scratch-tables.js"

const tables = useScratchTables()
const client = tables.client

describe("createTable", () => {
  it("creates the next-auth schema with GSI1 (projection ALL), on-demand billing and TTL on expires", async () => {
    const tableName = tables.name("create")
    const result = await createTable(client, { tableName })
    expect(result).toMatchObject({ status: "created", ttl: "enabled" })

    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }))
    expect(Table?.TableStatus).toBe("ACTIVE")
    expect(Table?.KeySchema).toEqual([
      { AttributeName: "pk", KeyType: "HASH" },
      { AttributeName: "sk", KeyType: "RANGE" },
    ])
    expect(Table?.BillingModeSummary?.BillingMode).toBe("PAY_PER_REQUEST")
    const gsi = Table?.GlobalSecondaryIndexes?.[0]
    expect(gsi?.IndexName).toBe("GSI1")
    expect(gsi?.KeySchema).toEqual([
      { AttributeName: "GSI1PK", KeyType: "HASH" },
      { AttributeName: "GSI1SK", KeyType: "RANGE" },
    ])
    expect(gsi?.Projection?.ProjectionType).toBe("ALL")
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }))
    expect(ttl.TimeToLiveDescription).toMatchObject({ AttributeName: "expires", TimeToLiveStatus: "ENABLED" })
  })

  it("is a no-op that says so when the table already exists with the right schema", async () => {
    const tableName = tables.name("again")
    await createTable(client, { tableName })
    const again = await createTable(client, { tableName })
    expect(again).toMatchObject({ status: "exists", ttl: "already-enabled" })
  })

  it("honours custom key and index names", async () => {
    const tableName = tables.name("custom")
    const options = { tableName, partitionKey: "PK", sortKey: "SK", indexName: "byGsi", indexPartitionKey: "gpk", indexSortKey: "gsk" }
    await createTable(client, options)
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }))
    expect(Table?.KeySchema?.map((k) => k.AttributeName)).toEqual(["PK", "SK"])
    expect(Table?.GlobalSecondaryIndexes?.[0]?.IndexName).toBe("byGsi")
    expect(Table?.GlobalSecondaryIndexes?.[0]?.KeySchema?.map((k) => k.AttributeName)).toEqual(["gpk", "gsk"])
  })

  it("refuses a table with another schema, names every difference and changes nothing", async () => {
    const tableName = tables.name("wrong")
    await tables.createKeyedById(tableName)
    const error = await createTable(client, { tableName }).catch((e: unknown) => e)
    expect(isDynamoAuthAdapterError(error, "TABLE_SCHEMA_MISMATCH")).toBe(true)
    const message = (error as Error).message
    expect(message).toContain(`partition key is "id", expected "pk"`)
    expect(message).toContain(`sort key is missing, expected "sk"`)
    expect(message).toContain(`global secondary index "GSI1" is missing`)
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }))
    expect(Table?.KeySchema).toEqual([{ AttributeName: "id", KeyType: "HASH" }])
  })

  it("builds its input from one definition", () => {
    const input = createTableInput(resolveTableNames({ tableName: "t" }))
    expect(input.AttributeDefinitions?.every((a) => a.AttributeType === "S")).toBe(true)
    expect(input.GlobalSecondaryIndexes).toHaveLength(1)
  })
})
