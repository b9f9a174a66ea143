/**
 * The legacy access path of `@auth/dynamodb-adapter`: items found by their
 * exact GSI1 keys. Only where a table may hold items without this library's
 * lookup items; GSI1 lags, so a miss here is never proof of absence on its own.
 */
import type { Item, ItemTable, Key } from "../client/table-client.js"

/** Up to `max` items whose GSI1 keys equal those in `keys` (the output of `keysOf` for the item kind). */
export function findByIndexKeys(table: ItemTable, keys: Key, what: string, max: number): Promise<Item[]> {
  const { names } = table
  return table.queryAll(
    {
      index: "gsi",
      keyCondition: {
        expression: "#gpk = :gpk AND #gsk = :gsk",
        names: { "#gpk": names.indexPartitionKey, "#gsk": names.indexSortKey },
        values: { ":gpk": keys[names.indexPartitionKey], ":gsk": keys[names.indexSortKey] },
      },
      ...(max > 1 ? { limit: max } : {}),
    },
    what,
    max,
  )
}
