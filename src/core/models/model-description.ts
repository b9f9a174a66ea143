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
  /**
   * Strongly consistent access patterns in the base table: for each entry
   * (a field, or several fields matched together), every record gets an
   * index item under its value, written in the record's own transaction, so
   * a read by that value is a Query and a BatchGetItem that see every write
   * that returned. Default: every field the schema marks `index` or
   * `references`, its table-level `indexes`, and what the popular plugins
   * query (member by organization and user, …). `false`: none.
   */
  lookups?: readonly (string | readonly string[])[] | false
  /**
   * Keep every record in one partition of its own, so that reading them all
   * is one Query (never a Scan). For small models read whole (the jwt
   * plugin's `jwks`). Default: true for `jwks` only.
   */
  listedWhole?: boolean
  /**
   * A field read with `lt`/`lte` by cleanups (`deleteMany where lastRequest
   * lt …`): markers in a partition of their own, ordered by its value, make
   * that read one Query. Default: the TTL field, and `lastRequest` of
   * `rateLimit`. Its markers trail the value (moved on update, lazily after
   * an increment), never run ahead of it, and every candidate is checked.
   */
  rangeField?: string
}
