/**
 * The layout of a model that is not user, account or session, derived from
 * its schema (and the plugins' practice) unless the user says otherwise:
 * - pk = sk = `<KIND>#<id>`, `type: <KIND>` (a model listed whole: pk =
 *   `<KIND>`, sk = `<KIND>#<id>`, so reading every record is one Query);
 * - a claim per value of each unique field set (`unique`, unique table
 *   indexes): enforced, found with a GetItem;
 * - index entries in the base table for each lookup (`index`, `references`,
 *   table indexes, plugin practice): strongly consistent Query + BatchGetItem;
 * - GSI1 (GSI1PK = `<KIND>#<field>#<value>`, GSI1SK = `<sort value>#<id>`)
 *   only where asked for (`models`) or where lag is harmless;
 * - range markers for cleanups that read `lt`/`lte` on one field.
 */
import { DynamoAuthAdapterError } from "../errors.js"
import { ITEM_TYPES } from "../../table/entities.js"
import type { ModelDescription, ModelLayoutOptions } from "./model-description.js"

export interface GenericModelLayout {
  model: string
  kind: string
  /** The GSI1 pattern (eventually consistent): only where the user asks for it or lag is harmless. */
  index: { field: string; sortField?: string } | undefined
  ttlField: string | undefined
  /** Schema fields plus `id`. */
  fields: ReadonlySet<string>
  /** Field sets whose values are claimed (`unique-claims.ts`): one record per value, enforced. */
  unique: readonly (readonly string[])[]
  /** Field sets with index items in the base table (strongly consistent Query + BatchGetItem). */
  lookups: readonly (readonly string[])[]
  /** Every record in one partition of its own: listing them all is one Query. */
  listedWhole: boolean
  /** The field whose markers answer `lt`/`lte` reads; `lazy` when increments leave the marker behind. */
  range: { field: string; lazy: boolean } | undefined
}

/**
 * Defaults for the popular Better Auth plugins, beyond what their schemas
 * declare. Why each pattern is where it is:
 * - verification by identifier: GSI1, sorted by createdAt (newest first,
 *   limit 1 pushed down). Read seconds after the write (a link clicked, a
 *   code typed) while GSI1 lags well under a second; kept for the limit.
 * - invitation by email: GSI1. A user's list of pending invitations, where
 *   one sent a moment ago showing a moment later is harmless; every
 *   decision (accept, reject, cancel) reads the invitation by id.
 * - everything else in the base table (index items), because a read right
 *   after the write must see it: members of an organization (the owner's
 *   membership right after createOrganization, membership limits), members
 *   by user (the active organization), team members, teams of an
 *   organization, a user's two-factor secret (verified right after it is
 *   enabled), a user's API keys, a key by its value.
 */
export const DEFAULT_MODEL_LAYOUTS: Readonly<Record<string, ModelLayoutOptions>> = {
  verification: { index: { field: "identifier", sortField: "createdAt" }, ttlField: "expiresAt" },
  invitation: { index: { field: "email" } },
  rateLimit: { rangeField: "lastRequest" },
  jwks: { index: false, listedWhole: true },
}

/** Lookups the plugins query in practice, added to what their schemas declare (fields the model lacks are ignored). */
const PRACTICE_LOOKUPS: Readonly<Record<string, readonly (readonly string[])[]>> = {
  member: [["organizationId"], ["userId"], ["organizationId", "userId"]],
  invitation: [["organizationId"]],
  team: [["organizationId"]],
  teamMember: [["teamId"], ["userId"]],
  twoFactor: [["userId"]],
  apikey: [["referenceId"], ["userId"], ["key"]],
  apiKey: [["referenceId"], ["userId"], ["key"]],
  passkey: [["credentialID"], ["userId"]],
  oauthAccessToken: [["accessToken"], ["refreshToken"]],
  oauthApplication: [["clientId"]],
  oauthConsent: [["userId"], ["clientId"]],
}

const RESERVED_KINDS = new Set<string>([...Object.values(ITEM_TYPES), "ACCOUNT"])

/** `twoFactor` → `TWO_FACTOR`; a kind the core models use gets a `_MODEL` suffix. */
export function defaultKind(model: string): string {
  const kind = model
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/[^A-Za-z0-9]+/g, "_")
    .toUpperCase()
  return RESERVED_KINDS.has(kind) ? `${kind}_MODEL` : kind
}

const NON_SCALAR = new Set(["json", "string[]", "number[]"])

function fieldSetKey(fields: readonly string[]): string {
  return fields.join(",")
}

/** Unique field sets: fields marked `unique`, and unique table-level indexes. */
function derivedUnique(description: ModelDescription): string[][] {
  const sets = Object.entries(description.fields)
    .filter(([, f]) => f.unique && !NON_SCALAR.has(f.type))
    .map(([name]) => [name])
  for (const index of description.indexes ?? []) if (index.unique && index.fields.length > 0) sets.push([...index.fields])
  return dedupe(sets)
}

/** Lookup field sets: `index` and `references` fields, non-unique table-level indexes, and the plugins' practice. */
function derivedLookups(description: ModelDescription): string[][] {
  const sets = Object.entries(description.fields)
    .filter(([, f]) => (f.index || f.references) && !f.unique && !NON_SCALAR.has(f.type))
    .map(([name]) => [name])
  for (const index of description.indexes ?? []) if (!index.unique && index.fields.length > 0) sets.push([...index.fields])
  for (const fields of PRACTICE_LOOKUPS[description.name] ?? []) sets.push([...fields])
  return dedupe(sets)
}

function dedupe(sets: string[][]): string[][] {
  const seen = new Set<string>()
  return sets.filter((set) => {
    const key = fieldSetKey(set)
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

export function resolveGenericLayout(description: ModelDescription, override: ModelLayoutOptions = {}): GenericModelLayout {
  const defaults = DEFAULT_MODEL_LAYOUTS[description.name] ?? {}
  const fields = new Set(["id", ...Object.keys(description.fields)])
  const kind = override.kind ?? defaults.kind ?? defaultKind(description.name)
  const chosen = override.index !== undefined ? override.index : defaults.index
  let index: GenericModelLayout["index"]
  if (chosen === false || chosen === undefined) index = undefined
  else if (fields.has(chosen.field) && (!chosen.sortField || fields.has(chosen.sortField))) index = chosen
  else if (override.index) {
    throw new DynamoAuthAdapterError(
      "INVALID_INPUT",
      `options.models.${description.name}.index names a field the model does not have (${chosen.field}${chosen.sortField ? `, ${chosen.sortField}` : ""}). Use one of: ${[...fields].join(", ")}.`,
    )
  }
  const has = (set: readonly string[]) => set.every((field) => fields.has(field) && field !== "id")
  const unique = derivedUnique(description).filter(has)
  const claimed = new Set(unique.map(fieldSetKey))
  let lookups: string[][]
  if (override.lookups === false) lookups = []
  else if (override.lookups) {
    lookups = override.lookups.map((entry) => (typeof entry === "string" ? [entry] : [...entry]))
    const unknown = lookups.find((set) => !has(set))
    if (unknown) {
      throw new DynamoAuthAdapterError(
        "INVALID_INPUT",
        `options.models.${description.name}.lookups names a field the model does not have (${unknown.join(", ")}). Use fields of: ${[...fields].join(", ")}.`,
      )
    }
  } else lookups = derivedLookups(description).filter(has)
  // A value that is claimed is already found by key; one GSI1 serves is not written twice.
  lookups = lookups.filter((set) => !claimed.has(fieldSetKey(set)) && !(index && set.length === 1 && set[0] === index.field))
  const ttl = override.ttlField ?? defaults.ttlField
  const ttlField = ttl && fields.has(ttl) ? ttl : undefined
  const rangeName = override.rangeField ?? defaults.rangeField ?? ttlField
  const range = rangeName && fields.has(rangeName) ? { field: rangeName, lazy: rangeName !== ttlField } : undefined
  const listedWhole = override.listedWhole ?? defaults.listedWhole ?? false
  return { model: description.name, kind, index, ttlField, fields, unique, lookups, listedWhole, range }
}
