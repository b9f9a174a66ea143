/**
 * Deletes a record with everything that references it, as SQL's
 * `ON DELETE` does (see `reference-graph.ts` for the rules).
 *
 * Protocol (invariants):
 * 1. Nothing is written before the whole tree is planned (`plan-cascade.ts`):
 *    a `restrict` refusal writes nothing. The lookups read the base table
 *    only (`CascadePort.find`), so a dependent whose write committed before
 *    the lookup is never missed, whatever GSI1's lag.
 * 2. Where the tree fits in one TransactWriteItems (100 actions, less what
 *    an enclosing Better Auth transaction already holds), every delete and
 *    every `set null` goes in the record's own transaction, each delete
 *    conditioned on its record still existing (the user's on its version
 *    and links): all of it happens, or none. A cancelled commit (something
 *    changed meanwhile) is planned again from a fresh read (bounded).
 * 3. Where it does not fit, the dependents go first, level by level (a
 *    record only once everything that references it is gone), then the record itself: whatever
 *    step fails, the record is still there and nothing that references it
 *    is orphaned; deleting it again finishes the job.
 * 4. What this does NOT close: a dependent whose create commits after the
 *    lookup read but before the record's delete (a member added to an
 *    organization while it is being deleted) outlives it, because plugin
 *    creates neither check nor mark the record they reference. Sessions,
 *    accounts and authenticators do (the user's `userLinks`): for those the
 *    user store's delete is complete (see `identity/user-copies.ts`, 5).
 */
import { isDynamoAuthAdapterError } from "../../errors.js"
import { bufferedScope, directScope, type IdentityScope } from "../../identity/identity-state.js"
import { runBounded } from "../../identity/user-copies.js"
import { BufferedTable } from "../../transaction/buffered-table.js"
import { planCascade, type CascadePlan, type CascadePort, type CascadeRecord } from "./plan-cascade.js"
import type { ReferenceGraph } from "./reference-graph.js"

/** DynamoDB's actions per TransactWriteItems. */
const MAX_TRANSACTION_ACTIONS = 100
/** Plans of one delete before giving up (each cancelled by a concurrent change). */
const CASCADE_ATTEMPTS = 4
/** Deletes in flight at once on the path that does not fit one transaction. */
const DELETE_CONCURRENCY = 16

function conditionFailed(error: unknown): boolean {
  return isDynamoAuthAdapterError(error, "TRANSACTION_FAILED") && (error.reasons ?? []).some((r) => r.code === "ConditionalCheckFailed")
}

/** Whether deleting a record of `model` can touch other records at all. */
export function hasDependents(graph: ReferenceGraph, port: CascadePort, model: string): boolean {
  return graph.referencing(model).some((reference) => !port.removesWith(model, reference.model))
}

/**
 * Deletes `record` of `model` (read before) and what references it, by the
 * protocol above. Returns the deleted record, or undefined when it was gone.
 * Inside a Better Auth transaction (`scope.buffer`) the writes join its
 * buffer when they fit, and are committed with it.
 */
export async function deleteCascading(
  scope: IdentityScope,
  graph: ReferenceGraph,
  port: CascadePort,
  model: string,
  record: CascadeRecord,
): Promise<CascadeRecord | undefined> {
  if (!hasDependents(graph, port, model)) return port.remove(scope, model, record)
  const what = `delete ${model} with what references it`
  let current: CascadeRecord | undefined = record
  for (let attempt = 1; ; attempt++) {
    if (attempt > 1) current = await port.reread(scope, model, record)
    if (!current) return undefined
    const plan = await planCascade(scope, graph, port, model, current)
    // The whole tree in a buffer of its own first, to know its size before anything is sent.
    const tree = new BufferedTable(scope.table, what)
    const treeScope = bufferedScope(tree, scope.state)
    const removed = await apply(treeScope, port, plan)
    const room = MAX_TRANSACTION_ACTIONS - (scope.buffer?.size ?? 0)
    if (tree.size > room) return deleteInSteps(scope, port, plan)
    if (scope.buffer) {
      // Conditions were stated against what the enclosing transaction sees: the buffer keeps each item's first one.
      for (const action of tree.actions()) await scope.buffer.write(action, what)
      return removed
    }
    try {
      await tree.commit()
      return removed
    } catch (error) {
      if (attempt >= CASCADE_ATTEMPTS || !conditionFailed(error)) throw error
    }
  }
}

/** Writes a plan into a scope: the nulls, then the deletes in order (dependents first). The root's removal result. */
async function apply(scope: IdentityScope, port: CascadePort, plan: CascadePlan): Promise<CascadeRecord | undefined> {
  for (const { model, record, fields } of plan.nulls) await port.setNull(scope, model, record, fields)
  let removed: CascadeRecord | undefined
  for (const { model, record, root } of plan.deletes) {
    const result = await port.remove(scope, model, record)
    if (root) removed = result
  }
  return removed
}

/**
 * A tree too large for one transaction: the nulls and the dependents first
 * (level by level, see `PlannedDelete.level`), straight
 * to the table even inside a Better Auth transaction, then the record in
 * `scope`. A failure leaves the record and what still references it.
 */
async function deleteInSteps(scope: IdentityScope, port: CascadePort, plan: CascadePlan): Promise<CascadeRecord | undefined> {
  const direct = scope.buffer ? directScope(scope.buffer.underlying, scope.state) : scope
  await runBounded(plan.nulls, ({ model, record, fields }) => port.setNull(direct, model, record, fields), DELETE_CONCURRENCY)
  const dependents = plan.deletes.filter((d) => !d.root)
  for (const level of [...new Set(dependents.map((d) => d.level))].sort((a, b) => a - b)) {
    await runBounded(
      dependents.filter((d) => d.level === level),
      async ({ model, record }) => {
        await port.remove(direct, model, record)
      },
      DELETE_CONCURRENCY,
    )
  }
  const root = plan.deletes.find((d) => d.root)!
  return port.remove(scope, root.model, root.record)
}
