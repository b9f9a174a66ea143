/**
 * DynamoDB's limits on key values: a partition key (table or index) holds at
 * most 2,048 bytes, a sort key 1,024. Ids, emails, tokens and provider
 * account ids go into keys, so an over-long one is refused here, before a
 * request is sent, with a typed error instead of DynamoDB's ValidationException.
 */
import { DynamoAuthAdapterError } from "./errors.js"
import type { TableNames } from "../table/names.js"
import { utf8Length } from "./utf8-length.js"

export const MAX_PARTITION_KEY_BYTES = 2048
export const MAX_SORT_KEY_BYTES = 1024

/** Throws `INVALID_INPUT` when a key attribute of `attributes` (an item or a key) is longer than DynamoDB allows. */
export function assertKeysFit(attributes: Record<string, unknown>, names: TableNames, what: string): void {
  const limits: [string, number][] = [
    [names.partitionKey, MAX_PARTITION_KEY_BYTES],
    [names.sortKey, MAX_SORT_KEY_BYTES],
    [names.indexPartitionKey, MAX_PARTITION_KEY_BYTES],
    [names.indexSortKey, MAX_SORT_KEY_BYTES],
  ]
  for (const [attribute, limit] of limits) {
    const value = attributes[attribute]
    if (typeof value !== "string" || value.length * 3 <= limit) continue
    const bytes = utf8Length(value)
    if (bytes > limit) throw keyTooLong(what, attribute, bytes, limit)
  }
}

export function keyTooLong(what: string, attribute: string, bytes: number, limit: number): DynamoAuthAdapterError {
  return new DynamoAuthAdapterError(
    "INVALID_INPUT",
    `${what}: the key attribute ${attribute} would be ${bytes} bytes; DynamoDB allows ${limit}. Nothing was sent. ` +
      "Shorten the id, email, token or provider account id that goes into it.",
  )
}
