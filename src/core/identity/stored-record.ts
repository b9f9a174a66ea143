/**
 * What the stores return: an item in stored form (attribute names of
 * `field-map.ts`), without its key attributes and without the `type` marker
 * of kinds that use `type` only to say what the item is.
 */
import type { Item } from "../client/table-client.js"
import type { TableNames } from "../../table/names.js"
import { keyAttributeNames } from "../../table/names.js"

export type StoredRecord = Record<string, unknown>

/**
 * The item without its key attributes; `keepType` keeps `type` (accounts,
 * whose `type` is the Auth.js account type, not an item marker).
 */
export function toRecord(item: Item, names: TableNames, keepType = false): StoredRecord {
  const hidden = new Set(keyAttributeNames(names))
  const record: StoredRecord = {}
  for (const [attribute, value] of Object.entries(item)) {
    if (hidden.has(attribute)) continue
    if (attribute === "type" && !keepType) continue
    record[attribute] = value
  }
  return record
}

/** The changes that will actually be written: `undefined` means "leave alone". */
export function definedChanges(changes: StoredRecord, immutable: readonly string[]): StoredRecord {
  const out: StoredRecord = {}
  for (const [attribute, value] of Object.entries(changes)) {
    if (value === undefined || immutable.includes(attribute)) continue
    out[attribute] = value
  }
  return out
}

/** True when `expires` (epoch seconds) is in the past. Items without `expires` never expire. */
export function isExpired(record: StoredRecord, now: Date = new Date()): boolean {
  const expires = record.expires
  return typeof expires === "number" && expires * 1000 <= now.getTime()
}
