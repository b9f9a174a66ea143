import type { BetterAuthDBSchema } from "@better-auth/core/db"
import type { FieldDescription, ModelDescription } from "../core/models/model-description.js"

/** Better Auth's schema entry for one model → the framework-agnostic description the core derives layouts from. */
export function describeModel(modelKey: string, schema: BetterAuthDBSchema): ModelDescription {
  const table = schema[modelKey]
  const fields: Record<string, FieldDescription> = {}
  for (const [name, attribute] of Object.entries(table?.fields ?? {})) {
    if (name === "id") continue
    fields[name] = {
      // Enumerations (`type: ["a", "b"]`) are strings.
      type: Array.isArray(attribute.type) ? "string" : String(attribute.type),
      ...(attribute.required !== undefined ? { required: attribute.required } : {}),
      ...(attribute.unique ? { unique: true } : {}),
      ...(attribute.index ? { index: true } : {}),
      ...(attribute.references ? {
            references: {
              model: attribute.references.model,
              field: attribute.references.field,
              ...(attribute.references.onDelete ? { onDelete: attribute.references.onDelete } : {}),
            },
          } : {}),
    }
  }
  const indexes = (table as { indexes?: readonly { fields: readonly string[]; unique?: boolean }[] } | undefined)?.indexes
  return { name: modelKey, fields, ...(indexes?.length ? { indexes } : {}) }
}
