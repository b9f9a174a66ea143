/**
 * DynamoDB's size limits on one write, checked before it is sent (and, by
 * the stores, before any read a write would need), so an oversized key or
 * item is a typed error that costs no request.
 */
import type { TableNames } from "../table/names.js"
import { assertItemFits } from "./item-size.js"
import { assertKeysFit } from "./key-size.js"
import type { WriteAction } from "./client/requests.js"

/**
 * Refuses a write DynamoDB would reject for its size: a key attribute over
 * its limit, an item over 400 KB, or an update whose new values alone are
 * over 400 KB (the item can only be larger).
 */
export function assertWriteFits(action: WriteAction, names: TableNames): void {
  if (action.kind === "put") {
    assertKeysFit(action.item, names, action.label)
    assertItemFits(action.item, action.label)
    return
  }
  assertKeysFit(action.key, names, action.label)
  if (action.kind === "update") assertItemFits({ ...action.key, ...action.update.values }, action.label)
}
