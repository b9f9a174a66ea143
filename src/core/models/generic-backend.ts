import type { IdentityScope } from "../identity/identity-state.js"
import { GenericModel } from "./generic-model.js"
import type { ModelBackend, StoredRecord } from "./model-backend.js"

/** A generic model as a `ModelBackend`: records are stored as they are given. */
export function genericBackend(model: GenericModel): ModelBackend {
  return {
    model: model.layout.model,
    paths: ({ table }) => model.accessPaths(table),
    create: ({ table }, record) => model.create(table, record),
    update: ({ table }: IdentityScope, current: StoredRecord, changes: StoredRecord) => model.update(table, current, changes),
    remove: ({ table }, current, guardFields = []) => model.delete(table, current, guardFields),
    increment: ({ table }, current, increment, set, guardFields) => model.increment(table, current, increment, set, guardFields),
  }
}
