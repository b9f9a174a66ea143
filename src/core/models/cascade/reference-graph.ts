/**
 * The references between models, read from their descriptions: for each
 * model, which fields of which models point at it and what a delete does to
 * them (`references.onDelete`, as Better Auth's SQL migrations declare it).
 */
import type { ModelDescription, ReferenceAction } from "../model-description.js"

/** What a delete does to a referencing record: SQL's actions, with `no action` as `restrict` and `set default` as `set null`. */
export type CascadeAction = "cascade" | "set null" | "restrict"

/** One field of one model that points at a field of another model. */
export interface Reference {
  /** The referencing model and its field. */
  model: string
  field: string
  /** The referenced field of the referenced model (`id`, sometimes `email`). */
  targetField: string
  action: CascadeAction
}

/**
 * SQL's action for a declared rule. No rule is `cascade`: that is what
 * Better Auth's migrations write (`onDelete(field.references.onDelete || "cascade")`).
 * Non-deferred `no action` refuses the delete like `restrict`; `set default`
 * needs a column default the descriptions do not carry, and with none SQL
 * sets null.
 */
export function cascadeActionOf(rule: ReferenceAction | undefined): CascadeAction {
  switch (rule) {
    case undefined:
    case "cascade":
      return "cascade"
    case "set null":
    case "set default":
      return "set null"
    case "restrict":
    case "no action":
      return "restrict"
  }
}

export class ReferenceGraph {
  private readonly byTarget = new Map<string, Reference[]>()

  constructor(descriptions: readonly ModelDescription[]) {
    for (const description of descriptions) {
      for (const [field, attribute] of Object.entries(description.fields)) {
        const target = attribute.references
        if (!target) continue
        const list = this.byTarget.get(target.model) ?? []
        list.push({ model: description.name, field, targetField: target.field, action: cascadeActionOf(target.onDelete) })
        this.byTarget.set(target.model, list)
      }
    }
  }

  /** The references to `model`, in schema order. */
  referencing(model: string): readonly Reference[] {
    return this.byTarget.get(model) ?? []
  }
}
