/**
 * The layout of a model that is not user, account or session: pk = sk =
 * `<KIND>#<id>`, `type: <KIND>`, and one access pattern on GSI1
 * (GSI1PK = `<KIND>#<field>#<value>`, GSI1SK = `<sort value>#<id>`), chosen
 * from the model's own schema unless the user says otherwise.
 */
import { DynamoAuthAdapterError } from "../errors.js"
import { ITEM_TYPES } from "../../table/entities.js"
import type { ModelDescription, ModelLayoutOptions } from "./model-description.js"

export interface GenericModelLayout {
  model: string
  kind: string
  index: { field: string; sortField?: string } | undefined
  ttlField: string | undefined
  /** Schema fields plus `id`. */
  fields: ReadonlySet<string>
}

/**
 * Defaults for the hot lookups of the popular Better Auth plugins, where the
 * schema alone would pick another field (or none).
 */
export const DEFAULT_MODEL_LAYOUTS: Readonly<Record<string, ModelLayoutOptions>> = {
  // findVerificationValue: identifier eq, newest first, limit 1.
  verification: { index: { field: "identifier", sortField: "createdAt" }, ttlField: "expiresAt" },
  rateLimit: { index: { field: "key" } },
  // listOrganizations and getActiveMember start from the user.
  member: { index: { field: "userId" } },
  invitation: { index: { field: "email" } },
  organization: { index: { field: "slug" } },
  team: { index: { field: "organizationId" } },
  teamMember: { index: { field: "userId" } },
  twoFactor: { index: { field: "userId" } },
  // Passkey sign-in looks the credential up by its id.
  passkey: { index: { field: "credentialID" } },
  apikey: { index: { field: "key" } },
  apiKey: { index: { field: "key" } },
  jwks: { index: false },
  deviceCode: { index: { field: "deviceCode" } },
  oauthAccessToken: { index: { field: "accessToken" } },
  oauthApplication: { index: { field: "clientId" } },
  oauthConsent: { index: { field: "userId" } },
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

/** The indexed field the schema itself suggests: a unique field, then a table index, then an indexed field, then a reference. */
function derivedIndexField(description: ModelDescription): string | undefined {
  const fields = Object.entries(description.fields)
  const scalar = ([, f]: [string, { type: string }]) => !["json", "string[]", "number[]"].includes(f.type)
  return (
    fields.find(([, f]) => f.unique && f.required !== false && scalar(["", f]))?.[0] ??
    fields.find(([, f]) => f.unique && scalar(["", f]))?.[0] ??
    description.indexes?.[0]?.fields[0] ??
    fields.find(([, f]) => f.index && scalar(["", f]))?.[0] ??
    fields.find(([, f]) => f.references && scalar(["", f]))?.[0]
  )
}

export function resolveGenericLayout(description: ModelDescription, override: ModelLayoutOptions = {}): GenericModelLayout {
  const defaults = DEFAULT_MODEL_LAYOUTS[description.name] ?? {}
  const fields = new Set(["id", ...Object.keys(description.fields)])
  const kind = override.kind ?? defaults.kind ?? defaultKind(description.name)
  const chosen = override.index !== undefined ? override.index : defaults.index
  let index: GenericModelLayout["index"]
  if (chosen === false) index = undefined
  else if (chosen && fields.has(chosen.field) && (!chosen.sortField || fields.has(chosen.sortField))) index = chosen
  else if (chosen && override.index) {
    throw new DynamoAuthAdapterError(
      "INVALID_INPUT",
      `options.models.${description.name}.index names a field the model does not have (${chosen.field}${chosen.sortField ? `, ${chosen.sortField}` : ""}). Use one of: ${[...fields].join(", ")}.`,
    )
  } else {
    const field = derivedIndexField(description)
    index = field ? { field } : undefined
  }
  const ttl = override.ttlField ?? defaults.ttlField
  const ttlField = ttl && fields.has(ttl) ? ttl : undefined
  return { model: description.name, kind, index, ttlField, fields }
}
