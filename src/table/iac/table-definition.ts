import type { CreateTableCommandInput, TimeToLiveSpecification } from "@aws-sdk/client-dynamodb"
import { createTableInput } from "../create-table-input.js"
import type { TableNames } from "../names.js"

/** The whole table as `create-table` makes it: the CreateTable input plus the TTL it switches on afterwards. */
export interface TableDefinition {
  input: CreateTableCommandInput
  timeToLive: Required<Pick<TimeToLiveSpecification, "AttributeName" | "Enabled">>
}

/** What the IaC printers know how to translate; anything else in the input must fail loudly, not vanish from the output. */
const TRANSLATED_FIELDS = new Set(["TableName", "BillingMode", "DeletionProtectionEnabled", "AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes"])

/**
 * The one table definition every printer starts from: `createTableInput()`
 * (what `create-table` sends) and TTL on `expires` (what it enables next).
 */
export function tableDefinition(names: TableNames): TableDefinition {
  const input = createTableInput(names)
  const unknown = Object.keys(input).filter((field) => !TRANSLATED_FIELDS.has(field))
  if (unknown.length > 0) {
    // A new CreateTable field must be taught to every printer, or the printed table would differ from the created one.
    throw new Error(`The IaC printers do not translate ${unknown.join(", ")} yet: add it to src/table/iac/.`)
  }
  return { input, timeToLive: { AttributeName: names.ttlAttribute, Enabled: true } }
}

export interface KeyPair {
  hash: string
  range: string | undefined
}

/** The HASH and RANGE attribute of a key schema. */
export function keyPairOf(schema: CreateTableCommandInput["KeySchema"]): KeyPair {
  const hash = schema?.find((k) => k.KeyType === "HASH")?.AttributeName
  if (!hash) throw new Error("key schema without a HASH key")
  return { hash, range: schema?.find((k) => k.KeyType === "RANGE")?.AttributeName }
}
