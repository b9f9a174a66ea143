import { DynamoDBClient } from "@aws-sdk/client-dynamodb"
import type { CommandSpec } from "./command.js"
import type { TableNameOptions } from "../table/names.js"

export type FlagValues = Parameters<CommandSpec["run"]>[0]

/** The flags that name the table and its keys, one per `TableNameOptions` field (the `@auth/dynamodb-adapter` option names). */
const NAME_FLAGS = {
  table: "tableName",
  "partition-key": "partitionKey",
  "sort-key": "sortKey",
  "index-name": "indexName",
  "index-partition-key": "indexPartitionKey",
  "index-sort-key": "indexSortKey",
} as const satisfies Record<string, keyof TableNameOptions>

export const tableNameOptions: CommandSpec["options"] = Object.fromEntries(Object.keys(NAME_FLAGS).map((flag) => [flag, { type: "string" }]))

export const connectionOptions: CommandSpec["options"] = {
  endpoint: { type: "string" },
  region: { type: "string" },
}

export const TABLE_NAME_USAGE = "[--table NAME] [--partition-key pk] [--sort-key sk] [--index-name GSI1] [--index-partition-key GSI1PK] [--index-sort-key GSI1SK]"
export const CONNECTION_USAGE = "[--endpoint URL] [--region REGION]"

function stringFlag(values: FlagValues, flag: string): string | undefined {
  const value = values[flag]
  return typeof value === "string" && value !== "" ? value : undefined
}

/** The name options given on the command line; absent flags keep the library defaults. */
export function tableNameOptionsFrom(values: FlagValues): TableNameOptions {
  const options: TableNameOptions = {}
  for (const [flag, option] of Object.entries(NAME_FLAGS)) {
    const value = stringFlag(values, flag)
    if (value !== undefined) options[option] = value
  }
  return options
}

/** The name flags as given, ready to append to another command line (so fixes quote what the user typed). */
export function nameFlagsOf(values: FlagValues): string {
  return Object.keys(NAME_FLAGS)
    .filter((flag) => flag !== "table" && stringFlag(values, flag) !== undefined)
    .map((flag) => `--${flag} ${stringFlag(values, flag)}`)
    .join(" ")
}

export interface Connection {
  endpoint: string | undefined
  region: string | undefined
}

export function connectionFrom(values: FlagValues): Connection {
  return { endpoint: stringFlag(values, "endpoint") ?? process.env.DYNAMODB_ENDPOINT, region: stringFlag(values, "region") }
}

/** A client for the endpoint and region given; credentials come from the AWS SDK's usual sources. */
export function clientFor({ endpoint, region }: Connection): DynamoDBClient {
  return new DynamoDBClient({ ...(endpoint ? { endpoint } : {}), ...(region ? { region } : {}) })
}
