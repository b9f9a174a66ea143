import { DynamoAuthAdapterError } from "../errors.js"
import { WHERE_OPERATORS, type WhereCondition, type WhereOperator } from "./types.js"

const KNOWN = new Set<string>(WHERE_OPERATORS)

/** Loose input, as an untyped caller may send it. */
export interface WhereInput {
  field: string
  operator?: string
  value: unknown
  connector?: string
  mode?: string
}

/**
 * Checks a where clause and fills in the defaults (`eq`, `AND`,
 * `sensitive`). An unknown operator is `UNSUPPORTED_OPERATOR`; a field the
 * model does not have, a missing value or a malformed list is
 * `INVALID_WHERE`. Nothing is dropped: every condition comes back.
 */
export function validateWhere(model: string, where: readonly WhereInput[], knownFields?: ReadonlySet<string>): WhereCondition[] {
  return where.map((clause) => {
    const operator = (clause.operator ?? "eq") as WhereOperator
    if (!KNOWN.has(operator)) {
      throw new DynamoAuthAdapterError(
        "UNSUPPORTED_OPERATOR",
        `Where operator "${String(clause.operator)}" on ${model}.${clause.field} is not supported. Use one of: ${WHERE_OPERATORS.join(", ")}.`,
      )
    }
    if (typeof clause.field !== "string" || clause.field === "") {
      throw new DynamoAuthAdapterError("INVALID_WHERE", `A where clause on ${model} has no field name. Give every clause a field.`)
    }
    if (knownFields && !knownFields.has(clause.field)) {
      throw new DynamoAuthAdapterError(
        "INVALID_WHERE",
        `${model} has no field "${clause.field}". Use one of: ${[...knownFields].join(", ")}.`,
      )
    }
    const connector = clause.connector ?? "AND"
    if (connector !== "AND" && connector !== "OR") {
      throw new DynamoAuthAdapterError("INVALID_WHERE", `Connector "${connector}" on ${model}.${clause.field} is neither AND nor OR.`)
    }
    const mode = clause.mode ?? "sensitive"
    if (mode !== "sensitive" && mode !== "insensitive") {
      throw new DynamoAuthAdapterError("INVALID_WHERE", `Mode "${mode}" on ${model}.${clause.field} is neither sensitive nor insensitive.`)
    }
    if (clause.value === undefined) {
      throw new DynamoAuthAdapterError("INVALID_WHERE", `The where clause on ${model}.${clause.field} has no value. Use null to match a missing value.`)
    }
    const isList = Array.isArray(clause.value)
    // A single value given to in/not_in means a list of one, as in every official adapter.
    if ((operator === "in" || operator === "not_in") && !isList) {
      return { field: clause.field, operator, value: [clause.value] as WhereCondition["value"], connector, mode }
    }
    if (isList && operator !== "in" && operator !== "not_in") {
      throw new DynamoAuthAdapterError("INVALID_WHERE", `"${operator}" on ${model}.${clause.field} takes one value, not a list. Use "in" for lists.`)
    }
    return { field: clause.field, operator, value: clause.value as WhereCondition["value"], connector, mode }
  })
}
