import type { Key, ItemTable } from "../client/table-client.js"
import type { CoreEntityName } from "../../table/entities.js"

/** Only the table's primary key of an item (keysOf adds GSI1 keys when their parts are present). */
export function baseKeyOf(table: ItemTable, kind: CoreEntityName, composite: Record<string, unknown>): Key {
  const { partitionKey, sortKey } = table.names
  const keys = table.keysOf(kind, composite)
  return { [partitionKey]: keys[partitionKey]!, [sortKey]: keys[sortKey]! }
}
