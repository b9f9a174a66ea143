/**
 * Everything the adapter needs to know about one model while serving a call:
 * which backend stores it, how Better Auth's physical column names map to
 * schema field names, and how records convert to the stored form and back
 * (`field-map.ts` for user/account/session, as they are for generic models).
 */
import type { BetterAuthDBSchema } from "@better-auth/core/db"
import { frameworkName, fromStored, isSharedModel, storedName, toStored, toStoredChanges, type SharedModel } from "../core/field-map.js"
import { DynamoAuthAdapterError } from "../core/errors.js"
import { genericBackend } from "../core/models/generic-backend.js"
import { resolveGenericLayout } from "../core/models/generic-layout.js"
import { GenericModel } from "../core/models/generic-model.js"
import { IDENTITY_BACKENDS } from "../core/models/identity-backends.js"
import type { ModelBackend, StoredRecord } from "../core/models/model-backend.js"
import type { ModelLayoutOptions } from "../core/models/model-description.js"
import type { AccessPath, PlannedRecord } from "../core/planner/types.js"
import type { IdentityScope } from "../core/identity/identity-state.js"
import type { TableNames } from "../table/names.js"
import { valueOrNull } from "./null-fields.js"
import { describeModel } from "./schema-description.js"

export type Row = Record<string, unknown>

export interface FieldNaming {
  /** Schema field name → physical column. */
  physical(modelKey: string, field: string): string
  /** Physical column (or schema name) → schema field name; undefined for unknown columns. */
  logical(modelKey: string, column: string): string | undefined
}

const EMPTY = new Set<string>()

export class ModelContext {
  readonly fields: ReadonlySet<string>
  private readonly storedOf = new WeakMap<object, StoredRecord>()

  constructor(
    readonly modelKey: string,
    readonly backend: ModelBackend,
    readonly shared: SharedModel | undefined,
    private readonly schema: BetterAuthDBSchema,
    private readonly naming: FieldNaming,
  ) {
    this.fields = new Set(["id", ...Object.keys(schema[modelKey]?.fields ?? {})])
  }

  /** Physical columns → schema field names; unknown columns are dropped. */
  logicalRow(row: Row): Row {
    const out: Row = {}
    for (const [column, value] of Object.entries(row)) {
      const field = this.naming.logical(this.modelKey, column)
      if (field !== undefined) out[field] = value
    }
    return out
  }

  /** A record (schema names) → physical columns, every schema field (`select`ed ones only, when given), null where it has no value. */
  physicalRow(record: Row, select?: readonly string[]): Row {
    const out: Row = {}
    for (const field of this.fields) {
      if (select && select.length > 0 && !select.includes(field)) continue
      out[this.naming.physical(this.modelKey, field)] = valueOrNull(record, field)
    }
    return out
  }

  /** A record (schema names, Better Auth values) → stored form. */
  toStored(record: Row): StoredRecord {
    return this.shared ? toStored(this.shared, "betterAuth", record) : { ...record }
  }

  /** Changes to the stored record `current` (schema names, Better Auth values) → stored form; a flag that says what `current` holds keeps its stored value. */
  toStoredChanges(changes: Row, current: StoredRecord): StoredRecord {
    return this.shared ? toStoredChanges(this.shared, "betterAuth", changes, current) : { ...changes }
  }

  /** Stored form → a record (schema names, Better Auth values), remembering the stored record it came from. */
  fromStored(stored: StoredRecord): Row {
    const record = this.shared ? fromStored(this.shared, "betterAuth", stored, EMPTY) : { ...stored }
    this.storedOf.set(record, stored)
    return record
  }

  /** The stored record a record was read from. */
  storedRecord(record: Row): StoredRecord {
    return this.storedOf.get(record) ?? this.toStored(record)
  }

  storedField(field: string): string {
    return this.shared ? storedName(this.shared, "betterAuth", field) : field
  }

  /** A key value as stored (dates and flags converted the way the field map stores them). */
  private storedKeyValue(field: string, value: unknown): unknown {
    if (!this.shared) return value
    const encoded = toStored(this.shared, "betterAuth", { [field]: value })
    return encoded[this.storedField(field)]
  }

  /** The backend's access paths, translated to schema field names and Better Auth records. */
  paths(scope: IdentityScope): AccessPath[] {
    return this.backend.paths(scope).map((path) => {
      const keyFields = path.keyFields.map((stored) => (this.shared ? frameworkName(this.shared, "betterAuth", stored) : stored) ?? `\u0000${stored}`)
      return {
        ...path,
        keyFields,
        fetch: async (keys, hint) => {
          const storedKeys: Record<string, unknown> = {}
          for (const [field, value] of Object.entries(keys)) {
            storedKeys[this.storedField(field)] = Array.isArray(value) ? value.map((v) => this.storedKeyValue(field, v)) : this.storedKeyValue(field, value)
          }
          const found = await path.fetch(storedKeys, hint)
          return found.map((stored) => this.fromStored(stored) as PlannedRecord)
        },
      }
    })
  }
}

/** Builds (and caches per adapter instance) the context of each model. */
export class ModelRegistry {
  private readonly contexts = new Map<string, ModelContext>()

  constructor(
    private readonly names: TableNames,
    private readonly schema: BetterAuthDBSchema,
    private readonly naming: FieldNaming,
    private readonly layouts: Readonly<Record<string, ModelLayoutOptions>>,
    private readonly genericModels: Map<string, GenericModel>,
  ) {}

  get(modelKey: string): ModelContext {
    const cached = this.contexts.get(modelKey)
    if (cached) return cached
    if (!this.schema[modelKey]) {
      throw new DynamoAuthAdapterError("INVALID_INPUT", `Model "${modelKey}" is not in the Better Auth schema. Check the model name and your plugins.`)
    }
    let context: ModelContext
    if (isSharedModel(modelKey)) {
      context = new ModelContext(modelKey, IDENTITY_BACKENDS[modelKey], modelKey, this.schema, this.naming)
    } else {
      const description = describeModel(modelKey, this.schema)
      const layout = resolveGenericLayout(description, this.layouts[modelKey])
      // Entities are rebuilt only when the layout changes (Better Auth rebuilds the adapter often).
      const cacheKey = JSON.stringify([this.names, layout.kind, layout.index, layout.ttlField, [...layout.fields], layout.unique, layout.lookups, layout.listedWhole, layout.range])
      let model = this.genericModels.get(cacheKey)
      if (!model) {
        model = new GenericModel(this.names, layout)
        this.genericModels.set(cacheKey, model)
      }
      context = new ModelContext(modelKey, genericBackend(model), undefined, this.schema, this.naming)
    }
    this.contexts.set(modelKey, context)
    return context
  }
}
