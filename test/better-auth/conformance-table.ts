/**
 * The table Better Auth's official adapter suites run on: a test table with
 * TTL switched off.
 *
 * The suites create sessions and verifications that expire the moment they
 * are written (`expiresAt: new Date()`) and read them back. DynamoDB Local
 * deletes expired items for real: a background job scans every TTL-enabled
 * table once a second and deletes what has expired. It only manages items
 * carrying every attribute the table defines (GSI1 keys included) and stops
 * at the first it cannot delete, so which expired items vanish depends on
 * where the random ids land in its scan order: now and then a user's session
 * items go between their creation and the join that reads them ("find many
 * models with join", "find many with join and limit"), more often when a
 * loaded machine stretches that interval over more passes of the job. Real
 * DynamoDB takes hours to days to delete an expired item. Those suites test
 * the adapter, not the TTL sweeper, so their table keeps what it is given.
 */
import { DescribeTimeToLiveCommand, UpdateTimeToLiveCommand } from "@aws-sdk/client-dynamodb"
import { createTestTable, type TestTable } from "../support/test-table.js"

export async function createConformanceTable(): Promise<TestTable> {
  const table = await createTestTable()
  await table.client.send(
    new UpdateTimeToLiveCommand({
      TableName: table.tableName,
      TimeToLiveSpecification: { AttributeName: table.names.ttlAttribute, Enabled: false },
    }),
  )
  const { TimeToLiveDescription } = await table.client.send(new DescribeTimeToLiveCommand({ TableName: table.tableName }))
  if (TimeToLiveDescription?.TimeToLiveStatus !== "DISABLED") {
    throw new Error(`TTL of ${table.tableName} is ${String(TimeToLiveDescription?.TimeToLiveStatus)}; the official suites need it DISABLED.`)
  }
  return table
}
