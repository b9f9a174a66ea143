/**
 * The one mapping between the two frameworks' field names and the stored
 * attributes, for the models both of them have (user, account, session).
 *
 * The stored form keeps the Auth.js names (what `@auth/dynamodb-adapter`
 * writes) and adds what only Better Auth has. Each row says how a value is
 * stored and how each framework sees it; fields in no row (plugin fields,
 * custom Auth.js user fields) are stored under their own names, unchanged.
 */
import { fromEpochSeconds, fromStoredDate, toEpochSeconds, toIsoString } from "./codec.js"

/** How a value looks in the table. */
export type StoredKind =
  /** String, number or boolean, stored as it is. */
  | "plain"
  /** ISO-8601 string (or null). */
  | "isoDate"
  /** Epoch seconds, possibly fractional (the TTL attribute `expires`, kept exact as the official adapter writes it). */
  | "epochSeconds"
  /**
   * Whole epoch seconds (`expires_at`, as Auth.js and OAuth write it: code
   * that reads it may compare it with integers or format it as one). A Date
   * is rounded down: the token counts as expired up to a second early, never late.
   */
  | "wholeEpochSeconds"

/** How a framework sees a value. */
export type FrameworkKind =
  | "plain"
  /** A JavaScript Date (Auth.js), or an ISO string / Date at the Better Auth boundary. */
  | "date"
  /** Better Auth `emailVerified: boolean` over a stored ISO date or null. */
  | "verifiedFlag"

export interface FieldMapping {
  /** Attribute name in the table. */
  stored: string
  storedKind: StoredKind
  /** Field name in Auth.js shapes; absent when Auth.js has no such field. */
  authjs?: string
  /** Default (un-renamed) field name in Better Auth's schema; absent when Better Auth has no such field. */
  betterAuth?: string
  /** How Better Auth sees it (Auth.js always sees dates as Date and everything else as stored). */
  betterAuthKind?: FrameworkKind
  /**
   * Where the exact instant Better Auth gave is kept beside a lossy stored
   * form (an ISO string; only Better Auth reads it, and only while the stored
   * form still says the same whole second, so a later write by Auth.js or
   * `@auth/dynamodb-adapter`, which does not know this attribute, wins).
   */
  exactIn?: string
}

export type SharedModel = "user" | "account" | "session"

export const FIELD_MAP: Record<SharedModel, readonly FieldMapping[]> = {
  user: [
    { stored: "id", storedKind: "plain", authjs: "id", betterAuth: "id" },
    { stored: "name", storedKind: "plain", authjs: "name", betterAuth: "name" },
    { stored: "email", storedKind: "plain", authjs: "email", betterAuth: "email" },
    { stored: "emailVerified", storedKind: "isoDate", authjs: "emailVerified", betterAuth: "emailVerified", betterAuthKind: "verifiedFlag" },
    { stored: "image", storedKind: "plain", authjs: "image", betterAuth: "image" },
    { stored: "createdAt", storedKind: "isoDate", betterAuth: "createdAt", betterAuthKind: "date" },
    { stored: "updatedAt", storedKind: "isoDate", betterAuth: "updatedAt", betterAuthKind: "date" },
  ],
  account: [
    { stored: "id", storedKind: "plain", authjs: "id", betterAuth: "id" },
    { stored: "userId", storedKind: "plain", authjs: "userId", betterAuth: "userId" },
    { stored: "type", storedKind: "plain", authjs: "type" },
    { stored: "provider", storedKind: "plain", authjs: "provider", betterAuth: "providerId" },
    { stored: "providerAccountId", storedKind: "plain", authjs: "providerAccountId", betterAuth: "accountId" },
    { stored: "access_token", storedKind: "plain", authjs: "access_token", betterAuth: "accessToken" },
    { stored: "refresh_token", storedKind: "plain", authjs: "refresh_token", betterAuth: "refreshToken" },
    { stored: "id_token", storedKind: "plain", authjs: "id_token", betterAuth: "idToken" },
    {
      stored: "expires_at",
      storedKind: "wholeEpochSeconds",
      authjs: "expires_at",
      betterAuth: "accessTokenExpiresAt",
      betterAuthKind: "date",
      exactIn: "accessTokenExpiresAt",
    },
    // Better Auth's exact accessTokenExpiresAt (see `exactIn` above): no framework field of its own.
    { stored: "accessTokenExpiresAt", storedKind: "isoDate" },
    { stored: "refreshTokenExpiresAt", storedKind: "isoDate", betterAuth: "refreshTokenExpiresAt", betterAuthKind: "date" },
    { stored: "scope", storedKind: "plain", authjs: "scope", betterAuth: "scope" },
    { stored: "token_type", storedKind: "plain", authjs: "token_type" },
    { stored: "session_state", storedKind: "plain", authjs: "session_state" },
    { stored: "password", storedKind: "plain", betterAuth: "password" },
    { stored: "createdAt", storedKind: "isoDate", betterAuth: "createdAt", betterAuthKind: "date" },
    { stored: "updatedAt", storedKind: "isoDate", betterAuth: "updatedAt", betterAuthKind: "date" },
  ],
  session: [
    { stored: "id", storedKind: "plain", authjs: "id", betterAuth: "id" },
    { stored: "sessionToken", storedKind: "plain", authjs: "sessionToken", betterAuth: "token" },
    { stored: "userId", storedKind: "plain", authjs: "userId", betterAuth: "userId" },
    { stored: "expires", storedKind: "epochSeconds", authjs: "expires", betterAuth: "expiresAt", betterAuthKind: "date" },
    { stored: "ipAddress", storedKind: "plain", betterAuth: "ipAddress" },
    { stored: "userAgent", storedKind: "plain", betterAuth: "userAgent" },
    { stored: "createdAt", storedKind: "isoDate", betterAuth: "createdAt", betterAuthKind: "date" },
    { stored: "updatedAt", storedKind: "isoDate", betterAuth: "updatedAt", betterAuthKind: "date" },
  ],
}

type Framework = "authjs" | "betterAuth"

interface ModelIndex {
  byFramework: Record<Framework, Map<string, FieldMapping>>
  byStored: Map<string, FieldMapping>
}

const INDEX: Record<SharedModel, ModelIndex> = Object.fromEntries(
  Object.entries(FIELD_MAP).map(([model, rows]) => {
    const index: ModelIndex = { byFramework: { authjs: new Map(), betterAuth: new Map() }, byStored: new Map() }
    for (const row of rows) {
      index.byStored.set(row.stored, row)
      if (row.authjs) index.byFramework.authjs.set(row.authjs, row)
      if (row.betterAuth) index.byFramework.betterAuth.set(row.betterAuth, row)
    }
    return [model, index]
  }),
) as Record<SharedModel, ModelIndex>

export function isSharedModel(model: string): model is SharedModel {
  return model in FIELD_MAP
}

/** Stored attribute name of a framework field (unmapped fields keep their name). */
export function storedName(model: SharedModel, framework: Framework, field: string): string {
  return INDEX[model].byFramework[framework].get(field)?.stored ?? field
}

/** Framework field name of a stored attribute, or undefined when that framework has no such field. */
export function frameworkName(model: SharedModel, framework: Framework, stored: string): string | undefined {
  const row = INDEX[model].byStored.get(stored)
  if (!row) return stored
  return row[framework]
}

function toDate(value: unknown): Date | null {
  if (value instanceof Date) return value
  return fromStoredDate(value)
}

/** Framework value → stored value, for one field. */
export function encodeValue(row: FieldMapping | undefined, framework: Framework, value: unknown, now: () => Date = () => new Date()): unknown {
  if (value === undefined) return undefined
  if (!row) return value instanceof Date ? toIsoString(value) : value
  if (framework === "betterAuth" && row.betterAuthKind === "verifiedFlag") {
    if (value === true) return toIsoString(now())
    if (value === false || value === null) return null
    // A date given where a flag is expected (Auth.js-shaped data): keep it.
    const date = toDate(value)
    return date ? toIsoString(date) : null
  }
  if (value === null) return null
  switch (row.storedKind) {
    case "plain":
      return value instanceof Date ? toIsoString(value) : value
    case "isoDate": {
      const date = toDate(value)
      return date ? toIsoString(date) : value
    }
    case "epochSeconds": {
      if (typeof value === "number") return framework === "authjs" ? value : value / 1000
      const date = toDate(value)
      return date ? toEpochSeconds(date) : value
    }
    case "wholeEpochSeconds": {
      // Auth.js gives seconds (kept as given); Better Auth a Date, an ISO string or milliseconds.
      if (typeof value === "number") return framework === "authjs" ? value : Math.floor(value / 1000)
      const date = toDate(value)
      return date ? Math.floor(toEpochSeconds(date)) : value
    }
  }
}

/** The ISO string of the exact instant a `exactIn` row keeps, or null/undefined as given. */
function encodeExact(value: unknown): unknown {
  if (value === null || value === undefined) return value
  if (typeof value === "number") return toIsoString(new Date(value))
  const date = toDate(value)
  return date ? toIsoString(date) : null
}

/** The exact instant kept for a lossy field, when it still agrees with the stored form (same whole second). */
function exactValue(row: FieldMapping, item: Record<string, unknown>): string | undefined {
  if (!row.exactIn) return undefined
  const exact = item[row.exactIn]
  const stored = item[row.stored]
  if (typeof exact !== "string" || typeof stored !== "number") return undefined
  const date = fromStoredDate(exact)
  return date && Math.floor(toEpochSeconds(date)) === stored ? date.toISOString() : undefined
}

/** Stored value → framework value, for one field. Dates reach Better Auth as ISO strings (its factory makes Dates of them). */
export function decodeValue(row: FieldMapping | undefined, framework: Framework, value: unknown): unknown {
  if (!row) return value
  if (framework === "betterAuth" && row.betterAuthKind === "verifiedFlag") return value !== null && value !== undefined && value !== false
  if (value === null || value === undefined) return value
  if (framework === "authjs") {
    if (row.storedKind === "isoDate") return toDate(value)
    if (row.storedKind === "epochSeconds") {
      // Auth.js keeps `expires_at` in seconds and `expires` as a Date.
      if (row.stored === "expires" && typeof value === "number") return fromEpochSeconds(value)
      return value
    }
    return value
  }
  if ((row.storedKind === "epochSeconds" || row.storedKind === "wholeEpochSeconds") && typeof value === "number") return fromEpochSeconds(value).toISOString()
  if (row.storedKind === "isoDate") {
    const date = toDate(value)
    return date ? date.toISOString() : value
  }
  return value
}

/** A framework-shaped record → the stored attributes (keys and `type` not included). */
export function toStored(model: SharedModel, framework: Framework, data: Record<string, unknown>, now?: () => Date): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [field, value] of Object.entries(data)) {
    if (value === undefined) continue
    const row = INDEX[model].byFramework[framework].get(field)
    if (!row && INDEX[model].byStored.has(field) && INDEX[model].byStored.get(field)![framework] === undefined) {
      // A stored name the framework does not own (e.g. `type` from Better Auth): pass it through.
      out[field] = value
      continue
    }
    out[row?.stored ?? field] = encodeValue(row, framework, value, now)
    if (row?.exactIn && framework === "betterAuth") out[row.exactIn] = encodeExact(value)
  }
  return out
}

/**
 * Stored attributes → a framework-shaped record. `omit` lists attributes that
 * are never returned (key attributes, the `type` marker).
 */
export function fromStored(model: SharedModel, framework: Framework, item: Record<string, unknown>, omit: ReadonlySet<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [attribute, value] of Object.entries(item)) {
    if (omit.has(attribute)) continue
    const row = INDEX[model].byStored.get(attribute)
    if (row) {
      const name = row[framework]
      if (name === undefined) continue
      out[name] = (framework === "betterAuth" ? exactValue(row, item) : undefined) ?? decodeValue(row, framework, value)
    } else {
      out[attribute] = value
    }
  }
  return out
}

/**
 * Changes to a stored record, in stored form: `toStored` of `changes`, where
 * a value that means what `current` already holds in the framework's terms
 * leaves the stored value alone. So a Better Auth `emailVerified: true` on a
 * user verified at some date keeps that date (Auth.js shows it) instead of
 * stamping the time of the update; `true` on an unverified user stamps now.
 */
export function toStoredChanges(
  model: SharedModel,
  framework: Framework,
  changes: Record<string, unknown>,
  current: Record<string, unknown>,
  now?: () => Date,
): Record<string, unknown> {
  const out = toStored(model, framework, changes, now)
  if (framework !== "betterAuth") return out
  for (const row of FIELD_MAP[model]) {
    if (row.betterAuthKind !== "verifiedFlag" || row.betterAuth === undefined || changes[row.betterAuth] !== true) continue
    if (decodeValue(row, framework, current[row.stored]) === true && fromStoredDate(current[row.stored]) !== null) delete out[row.stored]
  }
  return out
}
