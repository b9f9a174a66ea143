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
  /** Epoch seconds, possibly fractional (the TTL attribute, `expires_at`). */
  | "epochSeconds"

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
    { stored: "expires_at", storedKind: "epochSeconds", authjs: "expires_at", betterAuth: "accessTokenExpiresAt", betterAuthKind: "date" },
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
  }
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
  if (row.storedKind === "epochSeconds" && typeof value === "number") return fromEpochSeconds(value).toISOString()
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
      out[name] = decodeValue(row, framework, value)
    } else {
      out[attribute] = value
    }
  }
  return out
}
