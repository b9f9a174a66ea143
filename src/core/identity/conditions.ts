/**
 * The conditions the stores put on their writes. Every name and value goes
 * through a placeholder (see `expression-builder.ts`).
 */
import type { Expression } from "../client/table-client.js"
import type { TableNames } from "../../table/names.js"
import { ExpressionBuilder } from "../expression-builder.js"

/** The item must not exist yet (a claim on a lookup item, a fresh create). */
export function itemAbsent(names: TableNames): Expression {
  return { expression: "attribute_not_exists(#pk)", names: { "#pk": names.partitionKey } }
}

/** The item must exist (updates never create partial "ghost" items). */
export function itemPresent(names: TableNames): Expression {
  return { expression: "attribute_exists(#pk)", names: { "#pk": names.partitionKey } }
}

/** A lookup item that is absent or belongs to `userId`: safe to delete or rewrite for that user. */
export function absentOrOwnedBy(names: TableNames, userId: string): Expression {
  return {
    expression: "attribute_not_exists(#pk) OR #owner = :owner",
    names: { "#pk": names.partitionKey, "#owner": "userId" },
    values: { ":owner": userId },
  }
}

/** A lookup item that exists and belongs to `userId` (replacing a stale claim). */
export function ownedBy(userId: string): Expression {
  return { expression: "#owner = :owner", names: { "#owner": "userId" }, values: { ":owner": userId } }
}

/**
 * SET for every value (`null` is stored as null), plus REMOVE for `remove`.
 * Returns undefined when there is nothing to change.
 */
export function setAndRemove(set: Record<string, unknown>, remove: readonly string[] = []): Expression | undefined {
  const builder = new ExpressionBuilder("u")
  const assignments = Object.entries(set).map(([attribute, value]) => `${builder.name(attribute)} = ${builder.value(value)}`)
  const removals = remove.map((attribute) => builder.name(attribute))
  const clauses = [
    ...(assignments.length ? [`SET ${assignments.join(", ")}`] : []),
    ...(removals.length ? [`REMOVE ${removals.join(", ")}`] : []),
  ]
  if (clauses.length === 0) return undefined
  const { ExpressionAttributeNames, ExpressionAttributeValues } = builder.attributes()
  return {
    expression: clauses.join(" "),
    ...(ExpressionAttributeNames ? { names: ExpressionAttributeNames } : {}),
    ...(ExpressionAttributeValues ? { values: ExpressionAttributeValues } : {}),
  }
}

/** Both conditions must hold; placeholders of the second are renamed so they cannot collide. */
export function both(first: Expression, second: Expression): Expression {
  const rename = (text: string) => text.replace(/([#:])([A-Za-z0-9_]+)/g, "$1b_$2")
  const names: Record<string, string> = { ...first.names }
  const values: Record<string, unknown> = { ...first.values }
  for (const [k, v] of Object.entries(second.names ?? {})) names[rename(k)] = v
  for (const [k, v] of Object.entries(second.values ?? {})) values[rename(k)] = v
  return {
    expression: `(${first.expression}) AND (${rename(second.expression)})`,
    ...(Object.keys(names).length ? { names } : {}),
    ...(Object.keys(values).length ? { values } : {}),
  }
}
