/**
 * When two emails are the same person's: equal once normalized
 * (`normalizeEmail`, the claim key's form). Every comparison of a claim, a
 * GSI1 hit or a lookup with a user's stored email goes through here, so a
 * hit whose user no longer has the email (changed by another program, or
 * `USER#undefined` written for a user without one) is never taken.
 */
import { normalizeEmail } from "../../table/entities.js"
import type { Item } from "../client/table-client.js"
import type { StoredRecord } from "./stored-record.js"

export { normalizeEmail }

/** The email of a record, or undefined when it has none (missing, null, empty or not a string). */
export function emailOf(record: StoredRecord | Item | undefined): string | undefined {
  const email = record?.email
  return typeof email === "string" && email !== "" ? email : undefined
}

/** Whether `record` has `email`, whatever the case of either. */
export function hasEmail(record: StoredRecord | Item | undefined, email: string): boolean {
  const own = emailOf(record)
  return own !== undefined && normalizeEmail(own) === normalizeEmail(email)
}

/** Whether two emails (either possibly absent) are one person's. */
export function sameEmail(a: string | undefined, b: string | undefined): boolean {
  return a === undefined || b === undefined ? a === b : normalizeEmail(a) === normalizeEmail(b)
}

/**
 * The forms under which the official adapter's GSI1 may hold a user with
 * `email` and no claim: as given and, when it differs, lowercased (what
 * both frameworks store on their own flows). A legacy user stored with
 * capitals is found only by the exact form it was stored with, until a
 * backfill gives it its (normalized) claim.
 */
export function legacyIndexForms(email: string): string[] {
  const normalized = normalizeEmail(email)
  return normalized === email ? [email] : [email, normalized]
}
