/**
 * What the core needs to know about a model that only exists in the running
 * framework's schema (a plugin model, a test model): its fields and the
 * access patterns it declares. Framework front-ends translate their schema
 * into this; the core never imports a framework.
 */
export interface FieldDescription {
  /** "string", "number", "boolean", "date", "json", "string[]", "number[]". */
  type: string
  required?: boolean
  unique?: boolean
  index?: boolean
  references?: { model: string; field: string; onDelete?: ReferenceAction }
}

/**
 * What happens to a record when the record it references is deleted, as in
 * SQL (`ON DELETE …`). Better Auth's migrations default a reference without
 * one to `cascade`; so does this library.
 */
export type ReferenceAction = "cascade" | "set null" | "set default" | "restrict" | "no action"

export interface ModelDescription {
  /** The model's schema name (not renamed, not pluralised): the stable identity of its items. */
  name: string
  /** Every field except `id`, by schema field name. */
  fields: Readonly<Record<string, FieldDescription>>
  /** Table-level indexes, first field first. */
  indexes?: readonly { fields: readonly string[]; unique?: boolean }[]
}

/**
 * A user's choice of layout for one model (`options.models[name]`).
 * Anything left out is derived from the schema.
 */
export interface ModelLayoutOptions {
  /** The item kind: the `type` attribute and the key prefix. Default: the model name in UPPER_SNAKE case. */
  kind?: string
  /**
   * The model's one secondary access pattern on GSI1: records with the same
   * `field` value share a GSI1 partition, ordered by `sortField` (or by id).
   * `false`: no GSI1 entries for this model.
   */
  index?: { field: string; sortField?: string } | false
  /** A date field whose value is also written as the TTL attribute `expires` (epoch seconds), so DynamoDB deletes expired records. */
  ttlField?: string
}
