/**
 * The `CustomAdapter` Better Auth's `createAdapterFactory` wraps: each method
 * turns the call into a planned read (`planQuery`) and backend writes on the
 * table it is bound to (the plain table, or a transaction's buffer).
 */
import { randomUUID } from "node:crypto"
import type { AdapterFactoryCustomizeAdapterCreator, CleanedWhere, CustomAdapter, JoinConfig } from "@better-auth/core/db/adapter"
import { DynamoAuthAdapterError } from "../core/errors.js"
import type { Logger } from "../core/logger.js"
import type { GenericModel } from "../core/models/generic-model.js"
import type { ModelLayoutOptions } from "../core/models/model-description.js"
import { executeQuery } from "../core/planner/execute-query.js"
import { planQuery } from "../core/planner/plan-query.js"
import type { QueryOptions } from "../core/planner/types.js"
import type { ScanPolicy } from "../core/planner/plan-query.js"
import { storedName } from "../core/field-map.js"
import type { IdentityScope } from "../core/identity/identity-state.js"
import { validateWhere } from "../core/where/validate.js"
import type { WhereCondition } from "../core/where/types.js"
import type { TableNames } from "../table/names.js"
import { deleteCascading } from "../core/models/cascade/delete-cascading.js"
import { cascadePort, referenceGraphOf } from "./cascade-port.js"
import { createSchemaFile } from "./create-schema.js"
import { ModelRegistry, type ModelContext, type Row } from "./model-context.js"

export interface CustomAdapterSettings {
  names: TableNames
  scope: () => IdentityScope
  /** Receives Scan warnings. */
  scanLogger: Logger | undefined
  /** What a read only a Scan answers does (`options.scans`). */
  scans: ScanPolicy
  layouts: Readonly<Record<string, ModelLayoutOptions>>
  /** Shared across adapter instances: runtime entities are costly to rebuild. */
  genericModels: Map<string, GenericModel>
}

const CAS_ATTEMPTS = 5
/** Independent writes of updateMany/deleteMany in flight at once. */
const WRITE_CONCURRENCY = 16

/** Runs `work` on every item, at most `limit` at a time; resolves to the number of truthy results. */
async function countSettled<T>(items: readonly T[], limit: number, work: (item: T) => Promise<unknown>): Promise<number> {
  let next = 0
  let count = 0
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!
      if (await work(item)) count++
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return count
}

type Helpers = Parameters<AdapterFactoryCustomizeAdapterCreator>[0]

export function createCustomAdapter(settings: CustomAdapterSettings): AdapterFactoryCustomizeAdapterCreator {
  return (helpers: Helpers): CustomAdapter => {
    const { schema, getFieldName, getDefaultFieldName, getDefaultModelName } = helpers
    const registry = new ModelRegistry(
      settings.names,
      schema,
      {
        physical: (modelKey, field) => getFieldName({ model: modelKey, field }),
        logical: (modelKey, column) => {
          try {
            return getDefaultFieldName({ model: modelKey, field: column })
          } catch {
            return undefined
          }
        },
      },
      settings.layouts,
      settings.genericModels,
    )

    // References between models (onDelete), honoured by delete and deleteMany.
    const graph = referenceGraphOf(schema, (model) => {
      try {
        return getDefaultModelName(model)
      } catch {
        return model
      }
    })
    const cascade = cascadePort(registry, settings.scanLogger)
    const removeCascading = (scope: IdentityScope, context: ModelContext, current: Row) => deleteCascading(scope, graph, cascade, context.modelKey, current)

    // The user's unique fields besides the email, claimed in the user store's own transactions.
    const uniqueUserFields = Object.entries(schema.user?.fields ?? {})
      .filter(([field, attribute]) => attribute.unique && field !== "email")
      .map(([field]) => storedName("user", "betterAuth", field))
    const scopeOf = (): IdentityScope => {
      const base = settings.scope()
      return uniqueUserFields.length ? { ...base, uniqueUserFields } : base
    }

    const contextOf = (target: { model: string; modelKey?: string | undefined }): ModelContext =>
      registry.get(target.modelKey ?? getDefaultModelName(target.model))

    const whereOf = (context: ModelContext, where: readonly CleanedWhere[] | undefined): WhereCondition[] => {
      const logical = (where ?? []).map((clause) => {
        const field = getFieldNameSafe(context, clause.field)
        return { ...clause, field }
      })
      return validateWhere(context.modelKey, logical, context.fields)
    }

    const getFieldNameSafe = (context: ModelContext, column: string): string => {
      try {
        return getDefaultFieldName({ model: context.modelKey, field: column })
      } catch {
        throw new DynamoAuthAdapterError(
          "INVALID_WHERE",
          `${context.modelKey} has no field "${column}". Use one of: ${[...context.fields].join(", ")}.`,
        )
      }
    }

    const find = async (context: ModelContext, where: WhereCondition[], options: QueryOptions, scope = scopeOf()): Promise<Row[]> => {
      const plan = planQuery({ model: context.modelKey, paths: context.paths(scope), where, options, scans: settings.scans, ...(settings.scanLogger ? { logger: settings.scanLogger } : {}) })
      return executeQuery(plan)
    }

    const sortOf = (context: ModelContext, sortBy: { field: string; direction: "asc" | "desc" } | undefined) =>
      sortBy ? { field: context.fields.has(sortBy.field) ? sortBy.field : getFieldNameSafe(context, sortBy.field), direction: sortBy.direction } : undefined

    const attachJoins = async (rows: Row[], base: ModelContext, baseRecords: Row[], join: JoinConfig | undefined): Promise<void> => {
      if (!join) return
      await Promise.all(
        Object.entries(join).map(async ([joinModel, config]) => {
          const joined = registry.get(getDefaultModelName(config.modelKey ?? joinModel))
          const toField = getFieldNameSafe(joined, config.on.to)
          const fromField = getFieldNameSafe(base, config.on.from)
          const one = config.relation === "one-to-one"
          await Promise.all(
            baseRecords.map(async (record, index) => {
              const value = record[fromField]
              // A copy the base record's read already brought (a session's copy of its user) saves the read.
              const copy = one ? base.backend.joined?.(base.storedRecord(record), joined.modelKey, { from: base.storedField(fromField), to: joined.storedField(toField) }) : undefined
              const matches = copy
                ? [joined.fromStored(copy)]
                : value === undefined || value === null
                  ? []
                  : await find(joined, validateWhere(joined.modelKey, [{ field: toField, value }]), { limit: one ? 1 : (config.limit ?? 100) })
              const physical = matches.map((m) => joined.physicalRow(m))
              rows[index]![joinModel] = one ? (physical[0] ?? null) : physical
            }),
          )
        }),
      )
    }

    const toPlainValue = (value: unknown): unknown => (value instanceof Date ? value.toISOString() : value)

    const logicalData = (context: ModelContext, data: Row): Row => {
      const record = context.logicalRow(data)
      for (const [field, value] of Object.entries(record)) record[field] = toPlainValue(value)
      return record
    }

    const adapter: CustomAdapter = {
      async create({ model, modelKey, data }) {
        const context = contextOf({ model, modelKey })
        const record = logicalData(context, data)
        if (record.id === undefined || record.id === null || record.id === "") record.id = randomUUID()
        record.id = String(record.id)
        await context.backend.create(scopeOf(), context.toStored(record))
        return context.physicalRow(record) as typeof data
      },

      async findOne({ model, modelKey, where, join }) {
        const context = contextOf({ model, modelKey })
        const [record] = await find(context, whereOf(context, where), { limit: 1 })
        if (!record) return null
        const rows = [context.physicalRow(record)]
        await attachJoins(rows, context, [record], join)
        return rows[0] as never
      },

      async findMany({ model, modelKey, where, limit, select, sortBy, offset, join }) {
        const context = contextOf({ model, modelKey })
        const sort = sortOf(context, sortBy)
        const records = await find(context, whereOf(context, where), {
          limit,
          ...(offset ? { offset } : {}),
          ...(sort ? { sortBy: sort } : {}),
        })
        const selected = select?.length ? [...new Set([...select, ...Object.values(join ?? {}).map((j) => getFieldNameSafe(context, j.on.from))])] : undefined
        const rows = records.map((record) => context.physicalRow(record, selected))
        await attachJoins(rows, context, records, join)
        return rows as never[]
      },

      async count({ model, modelKey, where }) {
        const context = contextOf({ model, modelKey })
        return (await find(context, whereOf(context, where), {})).length
      },

      async update({ model, modelKey, where, update }) {
        const context = contextOf({ model, modelKey })
        const scope = scopeOf()
        const [current] = await find(context, whereOf(context, where), { limit: 1 }, scope)
        if (!current) return null
        const changes = logicalData(context, update as Row)
        const stored = context.storedRecord(current)
        const updated = await context.backend.update(scope, stored, context.toStoredChanges(changes, stored))
        return updated ? (context.physicalRow(context.fromStored(updated)) as never) : null
      },

      async updateMany({ model, modelKey, where, update }) {
        const context = contextOf({ model, modelKey })
        const scope = scopeOf()
        const matches = await find(context, whereOf(context, where), {}, scope)
        const changes = logicalData(context, update)
        return countSettled(matches, WRITE_CONCURRENCY, (current) => {
          const stored = context.storedRecord(current)
          return context.backend.update(scope, stored, context.toStoredChanges(changes, stored))
        })
      },

      async delete({ model, modelKey, where }) {
        if (where.length === 0) return
        const context = contextOf({ model, modelKey })
        const scope = scopeOf()
        const matches = await find(context, whereOf(context, where), {}, scope)
        await countSettled(matches, WRITE_CONCURRENCY, (current) => removeCascading(scope, context, current))
      },

      async deleteMany({ model, modelKey, where }) {
        const context = contextOf({ model, modelKey })
        const scope = scopeOf()
        const matches = await find(context, whereOf(context, where), {}, scope)
        return countSettled(matches, WRITE_CONCURRENCY, (current) => removeCascading(scope, context, current))
      },

      async consumeOne({ model, modelKey, where }) {
        const context = contextOf({ model, modelKey })
        const scope = scopeOf()
        const conditions = whereOf(context, where)
        const guard = [...new Set(conditions.map((c) => context.storedField(c.field)))]
        for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
          const [current] = await find(context, conditions, { limit: 1 }, scope)
          if (!current) return null
          const removed = await context.backend.remove(scope, context.storedRecord(current), guard)
          if (removed) return context.physicalRow(context.fromStored(removed)) as never
        }
        return null
      },

      async incrementOne({ model, modelKey, where, increment, set }) {
        const context = contextOf({ model, modelKey })
        const scope = scopeOf()
        const conditions = whereOf(context, where)
        const deltas = logicalData(context, increment) as Record<string, number>
        const assignments = logicalData(context, set ?? {})
        // The where clause guards the write; the backend adds increment fields only where its derived keys need them.
        const guard = [...new Set(conditions.map((c) => context.storedField(c.field)))]
        for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
          const [current] = await find(context, conditions, { limit: 1 }, scope)
          if (!current) return null
          const stored = context.storedRecord(current)
          let updated
          if (context.backend.increment) {
            const storedDeltas: Record<string, number> = {}
            for (const [field, delta] of Object.entries(deltas)) storedDeltas[context.storedField(field)] = delta
            updated = await context.backend.increment(scope, stored, storedDeltas, context.toStored(assignments), guard)
          } else {
            // User, account and session have no counters in Better Auth; a plain update is enough for them.
            const next: Row = { ...assignments }
            for (const [field, delta] of Object.entries(deltas)) next[field] = (typeof current[field] === "number" ? (current[field] as number) : 0) + delta
            updated = await context.backend.update(scope, stored, context.toStored(next))
          }
          if (updated) return context.physicalRow(context.fromStored(updated)) as never
        }
        throw new DynamoAuthAdapterError(
          "CONDITIONAL_CHECK_FAILED",
          `incrementOne on ${context.modelKey}: the record kept changing under ${CAS_ATTEMPTS} attempts. Retry the operation.`,
        )
      },

      async createSchema({ file }) {
        return createSchemaFile(settings.names, file)
      },

      options: { tableName: settings.names.tableName },
    }
    return adapter
  }
}
