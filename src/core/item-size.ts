import { DynamoAuthAdapterError } from "./errors.js"
import { utf8Length } from "./utf8-length.js"

/** DynamoDB's hard limit for one item, attribute names included. */
export const MAX_ITEM_BYTES = 400 * 1024


/**
 * The size DynamoDB counts for a value, following the rules in its developer
 * guide: strings and binary by length, numbers by significant digits,
 * 1 byte for booleans and null, 3 bytes of overhead for lists and maps plus
 * 1 byte per element.
 */
function valueSize(value: unknown): number {
  if (value === null || value === undefined || typeof value === "boolean") return 1
  if (typeof value === "string") return utf8Length(value)
  if (typeof value === "number" || typeof value === "bigint") {
    const digits = String(value).replace(/^-/, "").replace(".", "").replace(/^0+/, "").replace(/e.*$/i, "")
    return Math.ceil(Math.max(digits.length, 1) / 2) + 1
  }
  if (value instanceof Uint8Array) return value.byteLength
  if (value instanceof Set) {
    let total = 3
    for (const element of value) total += valueSize(element) + 1
    return total
  }
  if (Array.isArray(value)) return value.reduce((sum: number, element) => sum + valueSize(element) + 1, 3)
  if (typeof value === "object") {
    let total = 3
    for (const [key, element] of Object.entries(value as Record<string, unknown>)) {
      if (element === undefined) continue
      total += utf8Length(key) + valueSize(element) + 1
    }
    return total
  }
  return utf8Length(String(value))
}

/** Size in bytes DynamoDB would count for this item. */
export function itemSize(item: Record<string, unknown>): number {
  let total = 0
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined) continue
    total += utf8Length(name) + valueSize(value)
  }
  return total
}

/** Throws `ITEM_TOO_LARGE` before a request is sent with an item DynamoDB would reject. */
export function assertItemFits(item: Record<string, unknown>, what: string): void {
  const size = itemSize(item)
  if (size > MAX_ITEM_BYTES) {
    throw new DynamoAuthAdapterError(
      "ITEM_TOO_LARGE",
      `The ${what} item would be ${size} bytes, over DynamoDB's limit of ${MAX_ITEM_BYTES} bytes (400 KB). Nothing was written. ` +
        "Store large values (images, blobs, big JSON) elsewhere, e.g. S3, and keep a reference in the item.",
      { details: { size, limit: MAX_ITEM_BYTES } },
    )
  }
}
