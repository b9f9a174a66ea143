/**
 * A where clause in the shape both front-ends hand to the core: Better Auth's
 * `CleanedWhere`, with field names already in the record's own naming.
 */
export const WHERE_OPERATORS = [
  "eq",
  "ne",
  "lt",
  "lte",
  "gt",
  "gte",
  "in",
  "not_in",
  "contains",
  "starts_with",
  "ends_with",
] as const

export type WhereOperator = (typeof WHERE_OPERATORS)[number]

export type WhereScalar = string | number | boolean | Date | null
export type WhereValue = WhereScalar | readonly (string | number | boolean | Date | null)[]

export interface WhereCondition {
  field: string
  operator: WhereOperator
  value: WhereValue
  /** `AND` conditions must all hold; of the `OR` conditions at least one (when there are any). */
  connector: "AND" | "OR"
  /** `insensitive` compares strings case-insensitively; it has no effect on other values. */
  mode: "sensitive" | "insensitive"
}

/** A record as the evaluator sees it: field name → value (a missing field counts as null). */
export type WhereRecord = Readonly<Record<string, unknown>>
