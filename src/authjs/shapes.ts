/**
 * Auth.js shapes ↔ stored records. Users, accounts and sessions go through
 * the shared field map; verification tokens and authenticators are Auth.js
 * only and stored under their own names (`expires` as epoch seconds).
 *
 * On the way out, attributes the field map does not know (custom user fields)
 * follow `@auth/dynamodb-adapter`'s rule: an ISO-8601 string becomes a Date.
 */
import type { AdapterAccount, AdapterAuthenticator, AdapterSession, AdapterUser, VerificationToken } from "@auth/core/adapters"
import { fromEpochSeconds, isIsoDateString, toEpochSeconds, toIsoString } from "../core/codec.js"
import { FIELD_MAP, fromStored, toStored, type SharedModel } from "../core/field-map.js"
import type { StoredRecord } from "../core/identity/index.js"

const NO_OMISSIONS: ReadonlySet<string> = new Set()

const MAPPED_FOR_AUTHJS: Record<SharedModel, ReadonlySet<string>> = {
  user: new Set(FIELD_MAP.user.flatMap((row) => (row.authjs ? [row.authjs] : []))),
  account: new Set(FIELD_MAP.account.flatMap((row) => (row.authjs ? [row.authjs] : []))),
  session: new Set(FIELD_MAP.session.flatMap((row) => (row.authjs ? [row.authjs] : []))),
}

function withDatesRevived(model: SharedModel, record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [field, value] of Object.entries(record)) {
    out[field] = !MAPPED_FOR_AUTHJS[model].has(field) && isIsoDateString(value) ? new Date(value) : value
  }
  return out
}

function read<T>(model: SharedModel, record: StoredRecord): T {
  return withDatesRevived(model, fromStored(model, "authjs", record, NO_OMISSIONS)) as T
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
    if (field === "expires" && typeof value === "number") out[field] = fromEpochSeconds(value)
    else out[field] = isIsoDateString(value) ? new Date(value) : value
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
