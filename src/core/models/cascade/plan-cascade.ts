/**
 * What deleting one record does to the records that reference it, found
 * through the references graph: every record to delete (dependents before
 * the records they reference), every field to set null, or a refusal when a
 * `restrict` reference holds. Planning only reads: nothing is written until
 * the whole tree is known, so a refused delete writes nothing.
 */
import { DynamoAuthAdapterError } from "../../errors.js"
import type { IdentityScope } from "../../identity/identity-state.js"
import type { ReferenceGraph } from "./reference-graph.js"

/** A record in the front-end's field names (schema names). */
export type CascadeRecord = Record<string, unknown>

/** How the cascade reads and writes the records of every model (the front-end knows their names and backends). */
export interface CascadePort {
  /**
   * The records of `model` whose `field` equals `value`, read so that no
   * committed write is missed (base-table reads only: GSI1 lags).
   */
  find(scope: IdentityScope, model: string, field: string, value: unknown): Promise<CascadeRecord[]>
  /** The record as stored now (a consistent read by id), or undefined when it is gone. */
  reread(scope: IdentityScope, model: string, record: CascadeRecord): Promise<CascadeRecord | undefined>
  /** Deletes a record read before; the deleted record, or undefined when it was already gone. */
  remove(scope: IdentityScope, model: string, record: CascadeRecord): Promise<CascadeRecord | undefined>
  /** Sets `fields` to null on a record read before. */
  setNull(scope: IdentityScope, model: string, record: CascadeRecord, fields: readonly string[]): Promise<void>
  /**
   * Whether deleting a record of `model` removes the records of `dependent`
   * that reference it by itself (the user store deletes a user's sessions
   * and accounts with it): the cascade leaves those to it.
   */
  removesWith(model: string, dependent: string): boolean
}

export interface PlannedDelete {
  model: string
  record: CascadeRecord
  /**
   * 0 when nothing else in the plan references it; otherwise one more than
   * the highest level among the records that do. Deleting level by level,
   * lowest first, never leaves a reference to a deleted record.
   */
  level: number
  /** The record the delete was asked for (the highest level). */
  root: boolean
}

export interface CascadePlan {
  /** Every record to delete, each after every record of a lower level; the root last. */
  deletes: PlannedDelete[]
  /** Records that stay, with the fields to set null. */
  nulls: { model: string; record: CascadeRecord; fields: string[] }[]
}

const identify = (model: string, record: CascadeRecord) => `${model}\u0000${String(record.id)}`

/**
 * Plans the delete of `record` (of `model`) and of everything that must go
 * with it. Throws CONDITIONAL_CHECK_FAILED, before anything is written, when
 * a `restrict` (or `no action`) reference points at a record of the tree.
 */
export async function planCascade(scope: IdentityScope, graph: ReferenceGraph, port: CascadePort, model: string, record: CascadeRecord): Promise<CascadePlan> {
  const nulls = new Map<string, { model: string; record: CascadeRecord; fields: string[] }>()
  const found = new Map<string, { model: string; record: CascadeRecord; dependents: string[] }>()

  const visit = async (current: string, row: CascadeRecord): Promise<void> => {
    const self = { model: current, record: row, dependents: [] as string[] }
    found.set(identify(current, row), self)
    const references = graph.referencing(current).filter((reference) => !port.removesWith(current, reference.model))
    const lookups = await Promise.all(
      references.map(async (reference) => {
        const value = row[reference.targetField]
        return value === undefined || value === null ? [] : port.find(scope, reference.model, reference.field, value)
      }),
    )
    const children: { model: string; record: CascadeRecord }[] = []
    references.forEach((reference, index) => {
      for (const dependent of lookups[index]!) {
        const id = identify(reference.model, dependent)
        if (reference.action === "restrict") {
          throw new DynamoAuthAdapterError(
            "CONDITIONAL_CHECK_FAILED",
            `Cannot delete ${current} ${String(row.id)}: ${reference.model} ${String(dependent.id)} references it through ${reference.field} (onDelete "${reference.action}"). Nothing was deleted. Delete or change that record first.`,
          )
        }
        if (reference.action === "set null") {
          const entry = nulls.get(id) ?? { model: reference.model, record: dependent, fields: [] }
          if (!entry.fields.includes(reference.field)) entry.fields.push(reference.field)
          nulls.set(id, entry)
          continue
        }
        self.dependents.push(id)
        if (!found.has(id)) {
          found.set(id, { model: reference.model, record: dependent, dependents: [] })
          children.push({ model: reference.model, record: dependent })
        }
      }
    })
    for (const child of children) await visit(child.model, child.record)
  }

  await visit(model, record)
  const rootId = identify(model, record)
  const levels = new Map<string, number>()
  // A reference cycle (a record that references itself, two that reference each other) counts once.
  const levelOf = (id: string, path: Set<string>): number => {
    const known = levels.get(id)
    if (known !== undefined) return known
    path.add(id)
    const below = found.get(id)!.dependents.filter((d) => !path.has(d)).map((d) => levelOf(d, path) + 1)
    path.delete(id)
    const level = Math.max(0, ...below)
    levels.set(id, level)
    return level
  }
  const deletes = [...found.entries()]
    .map(([id, entry]) => ({ model: entry.model, record: entry.record, level: levelOf(id, new Set()), root: id === rootId }))
    .sort((a, b) => a.level - b.level || Number(a.root) - Number(b.root))
  // A record deleted anyway needs no null.
  return { deletes, nulls: [...nulls.entries()].filter(([id]) => !found.has(id)).map(([, entry]) => entry) }
}
