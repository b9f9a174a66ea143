/**
 * Auth.js shapes ↔ stored records. Users, accounts and sessions go through
 * the shared field map; verification tokens and authenticators are Auth.js
 * only and stored under their own names (`expires` as epoch seconds).
 *
 * On the way out, only the fields that are dates in Auth.js's own models
 * become Dates: the field map's date fields (`emailVerified`, a session's
 * `expires`) and a verification token's `expires`. Every other attribute is
 * returned as stored: a Better Auth plugin field or a custom user field that
 * holds an ISO-looking string stays that string. (`@auth/dynamodb-adapter`
 * turns every ISO-looking string into a Date, which changes the type of
 * strings that were never dates, and writes them back altered.)
 */
import type { AdapterAccount, AdapterAuthenticator, AdapterSession, AdapterUser, VerificationToken } from "@auth/core/adapters"
import { fromEpochSeconds, fromStoredDate, toEpochSeconds, toIsoString } from "../core/codec.js"
import { fromStored, toStored, type SharedModel } from "../core/field-map.js"
import type { StoredRecord } from "../core/identity/index.js"

const NO_OMISSIONS: ReadonlySet<string> = new Set()

function read<T>(model: SharedModel, record: StoredRecord): T {
  // The field map turns its date fields into Dates; nothing else is a date.
  return fromStored(model, "authjs", record, NO_OMISSIONS) as T
}

export const toStoredUser = (user: Partial<AdapterUser>): StoredRecord => toStored("user", "authjs", user as Record<string, unknown>)
export const toAdapterUser = (record: StoredRecord): AdapterUser => read<AdapterUser>("user", record)

export const toStoredAccount = (account: Partial<AdapterAccount>): StoredRecord => toStored("account", "authjs", account as Record<string, unknown>)
export const toAdapterAccount = (record: StoredRecord): AdapterAccount => read<AdapterAccount>("account", record)

export const toStoredSession = (session: Partial<AdapterSession>): StoredRecord => toStored("session", "authjs", session as Record<string, unknown>)
export const toAdapterSession = (record: StoredRecord): AdapterSession => read<AdapterSession>("session", record)

/** `expires` as epoch seconds (the TTL attribute); any other Date as an ISO string, as the official adapter writes them. */
export function toStoredVerificationToken(token: VerificationToken): StoredRecord & { identifier: string; token: string } {
  const out: Record<string, unknown> = {}
  for (const [field, value] of Object.entries(token)) {
    if (value === undefined) continue
    if (value instanceof Date) out[field] = field === "expires" ? toEpochSeconds(value) : toIsoString(value)
    else out[field] = value
  }
  return out as StoredRecord & { identifier: string; token: string }
}

export function toVerificationToken(record: StoredRecord): VerificationToken {
  const out: Record<string, unknown> = {}
  for (const [field, value] of Object.entries(record)) {
    // `expires` is the token's one date (epoch seconds, the TTL attribute; an ISO string tolerated).
    if (field === "expires") out[field] = typeof value === "number" ? fromEpochSeconds(value) : (fromStoredDate(value) ?? value)
    else out[field] = value
  }
  return out as unknown as VerificationToken
}

export function toStoredAuthenticator(authenticator: AdapterAuthenticator): StoredRecord & { credentialID: string; userId: string } {
  return Object.fromEntries(Object.entries(authenticator).filter(([, value]) => value !== undefined)) as StoredRecord & {
    credentialID: string
    userId: string
  }
}

export const toAdapterAuthenticator = (record: StoredRecord): AdapterAuthenticator => record as unknown as AdapterAuthenticator
