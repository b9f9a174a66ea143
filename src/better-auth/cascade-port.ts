/**
 * The cascade's view of a Better Auth schema (`core/models/cascade`): the
 * references graph read from every model of the schema, and the port that
 * finds, deletes and updates records through each model's context, so that
 * names, stored forms and backends stay those of every other call.
 */
import type { BetterAuthDBSchema } from "@better-auth/core/db"
import type { Logger } from "../core/logger.js"
import type { CascadePort, CascadeRecord } from "../core/models/cascade/plan-cascade.js"
import { ReferenceGraph } from "../core/models/cascade/reference-graph.js"
import type { ModelDescription } from "../core/models/model-description.js"
import { executeQuery } from "../core/planner/execute-query.js"
import { planQuery } from "../core/planner/plan-query.js"
import { validateWhere } from "../core/where/validate.js"
import type { ModelRegistry } from "./model-context.js"
import { describeModel } from "./schema-description.js"

/**
 * The references between the schema's models; `modelKeyOf` turns a
 * reference's model (a name as the schema gives it) into the model's key.
 */
export function referenceGraphOf(schema: BetterAuthDBSchema, modelKeyOf: (model: string) => string): ReferenceGraph {
  const descriptions: ModelDescription[] = Object.keys(schema).map((modelKey) => {
    const description = describeModel(modelKey, schema)
    const fields: ModelDescription["fields"] = Object.fromEntries(
      Object.entries(description.fields).map(([name, field]) => [
        name,
        field.references ? { ...field, references: { ...field.references, model: modelKeyOf(field.references.model) } } : field,
      ]),
    )
    return { ...description, fields }
  })
  return new ReferenceGraph(descriptions)
}

/** Models whose records referencing a user the user store deletes with it (sessions and accounts, with their lookups and claims). */
const REMOVED_WITH_USER = new Set(["session", "account"])

export function cascadePort(registry: ModelRegistry, scanLogger: Logger | undefined): CascadePort {
  const port: CascadePort = {
    async find(scope, model, field, value) {
      const context = registry.get(model)
      // GSI1 lags behind writes: a dependent written just now must not be missed, so only base-table reads (a Scan at worst).
      const paths = context.paths(scope).filter((path) => !path.eventuallyConsistent)
      const where = validateWhere(model, [{ field, value }], context.fields)
      return executeQuery(planQuery({ model, paths, where, ...(scanLogger ? { logger: scanLogger } : {}) }))
    },
    async reread(scope, model, record) {
      const [found] = await port.find(scope, model, "id", record.id)
      return found
    },
    async remove(scope, model, record) {
      const context = registry.get(model)
      const removed = await context.backend.remove(scope, context.storedRecord(record))
      return removed ? context.fromStored(removed) : undefined
    },
    async setNull(scope, model, record, fields) {
      const context = registry.get(model)
      const changes: CascadeRecord = Object.fromEntries(fields.map((field) => [field, null]))
      await context.backend.update(scope, context.storedRecord(record), context.toStored(changes))
    },
    removesWith(model, dependent) {
      return model === "user" && REMOVED_WITH_USER.has(dependent)
    },
  }
  return port
}
