import type { TableDescription } from "@aws-sdk/client-dynamodb"
import type { TableNames } from "./names.js"

function keyOf(schema: { AttributeName?: string; KeyType?: string }[] | undefined, type: "HASH" | "RANGE") {
  return schema?.find((key) => key.KeyType === type)?.AttributeName
}

function attributeType(description: TableDescription, name: string): string | undefined {
  return description.AttributeDefinitions?.find((a) => a.AttributeName === name)?.AttributeType
}

/**
 * What keeps a live table from serving this library, one sentence each;
 * empty when the key schema and the index are as configured. Billing mode
 * and TTL are not part of the schema: `doctor` reports those.
 */
export function describeSchemaDifferences(description: TableDescription, names: TableNames): string[] {
  const differences: string[] = []
  const expectKey = (actual: string | undefined, expected: string, what: string) => {
    if (actual !== expected) differences.push(`${what} is ${actual === undefined ? "missing" : `"${actual}"`}, expected "${expected}"`)
  }
  expectKey(keyOf(description.KeySchema, "HASH"), names.partitionKey, "partition key")
  expectKey(keyOf(description.KeySchema, "RANGE"), names.sortKey, "sort key")
  for (const attribute of [names.partitionKey, names.sortKey]) {
    const type = attributeType(description, attribute)
    if (type !== undefined && type !== "S") differences.push(`attribute "${attribute}" has type ${type}, expected S (string)`)
  }

  const index = description.GlobalSecondaryIndexes?.find((gsi) => gsi.IndexName === names.indexName)
  if (!index) {
    differences.push(`global secondary index "${names.indexName}" is missing`)
    return differences
  }
  expectKey(keyOf(index.KeySchema, "HASH"), names.indexPartitionKey, `index ${names.indexName} partition key`)
  expectKey(keyOf(index.KeySchema, "RANGE"), names.indexSortKey, `index ${names.indexName} sort key`)
  for (const attribute of [names.indexPartitionKey, names.indexSortKey]) {
    const type = attributeType(description, attribute)
    if (type !== undefined && type !== "S") differences.push(`attribute "${attribute}" has type ${type}, expected S (string)`)
  }
  const projection = index.Projection?.ProjectionType
  if (projection !== "ALL") differences.push(`index ${names.indexName} projects ${projection ?? "nothing"}, expected ALL`)
  return differences
}
