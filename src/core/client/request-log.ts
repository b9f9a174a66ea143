/**
 * What the `TableClient` logs about one request when request logs are on.
 * Expressions are shown with their `#name` placeholders resolved to attribute
 * names and their `:value` placeholders left as they are: values can be
 * secrets (session tokens, access tokens) or personal data (emails), keys
 * contain them too, so neither is ever logged.
 */
import type { Expression } from "./requests.js"

export interface RequestDescription {
  command: string
  table: string
  index?: string
  keyCondition?: Expression
  filter?: Expression
  condition?: Expression
  update?: Expression
  /** For TransactWriteItems: the kind of each action, in order. */
  actions?: string[]
  segment?: { index: number; total: number }
}

/** The expression with attribute names in place of `#` placeholders; `:` placeholders stay. */
export function withNamesResolved(expression: Expression): string {
  const names = expression.names ?? {}
  return expression.expression.replace(/#[A-Za-z0-9_]+/g, (placeholder) => names[placeholder] ?? placeholder)
}

interface Capacity {
  CapacityUnits?: number
  ReadCapacityUnits?: number
  WriteCapacityUnits?: number
}

/** Total capacity units of a response's `ConsumedCapacity` (one object, or one per table for batches and transactions). */
export function capacityUnitsOf(consumed: Capacity | Capacity[] | undefined): number | undefined {
  if (consumed === undefined) return undefined
  const list = Array.isArray(consumed) ? consumed : [consumed]
  if (list.length === 0) return undefined
  return list.reduce((sum, c) => sum + (c.CapacityUnits ?? (c.ReadCapacityUnits ?? 0) + (c.WriteCapacityUnits ?? 0)), 0)
}

/** The details logged for one request: names and shapes only, never keys or values. */
export function requestLogDetails(
  request: RequestDescription,
  what: string,
  outcome: { durationMs: number; consumedCapacity?: number; items?: number; error?: string },
): Record<string, unknown> {
  return {
    operation: what,
    command: request.command,
    table: request.table,
    ...(request.index ? { index: request.index } : {}),
    ...(request.keyCondition ? { keyCondition: withNamesResolved(request.keyCondition) } : {}),
    ...(request.filter ? { filter: withNamesResolved(request.filter) } : {}),
    ...(request.condition ? { condition: withNamesResolved(request.condition) } : {}),
    ...(request.update ? { update: withNamesResolved(request.update) } : {}),
    ...(request.actions ? { actions: request.actions } : {}),
    ...(request.segment ? { segment: `${request.segment.index + 1}/${request.segment.total}` } : {}),
    ...(outcome.consumedCapacity !== undefined ? { consumedCapacity: outcome.consumedCapacity } : {}),
    ...(outcome.items !== undefined ? { items: outcome.items } : {}),
    durationMs: outcome.durationMs,
    ...(outcome.error ? { error: outcome.error } : {}),
  }
}
