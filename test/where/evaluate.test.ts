import { describe, expect, it } from "vitest"
import { matchesWhere, sortRecords, validateWhere, type WhereInput } from "../../src/core/where/index.js"
import { isDynamoAuthAdapterError } from "../../src/core/errors.js"

const where = (clauses: WhereInput[]) => validateWhere("thing", clauses)
const record = { id: "1", name: "Alice", email: "Alice@Example.COM", age: 30, active: true, image: null, createdAt: "2024-05-01T10:00:00.000Z" }

describe("where evaluator", () => {
  it("eq and ne compare exactly, insensitive lower-cases strings only", () => {
    expect(matchesWhere(record, where([{ field: "name", value: "Alice" }]))).toBe(true)
    expect(matchesWhere(record, where([{ field: "name", value: "alice" }]))).toBe(false)
    expect(matchesWhere(record, where([{ field: "email", value: "alice@example.com", mode: "insensitive" }]))).toBe(true)
    expect(matchesWhere(record, where([{ field: "age", value: 30, mode: "insensitive" }]))).toBe(true)
    expect(matchesWhere(record, where([{ field: "name", operator: "ne", value: "Bob" }]))).toBe(true)
    expect(matchesWhere(record, where([{ field: "name", operator: "ne", value: "ALICE", mode: "insensitive" }]))).toBe(false)
  })

  it("eq null matches null and missing fields; ne null the rest", () => {
    expect(matchesWhere(record, where([{ field: "image", value: null }]))).toBe(true)
    expect(matchesWhere(record, where([{ field: "missing", value: null }]))).toBe(true)
    expect(matchesWhere(record, where([{ field: "name", value: null }]))).toBe(false)
    expect(matchesWhere(record, where([{ field: "image", operator: "ne", value: null }]))).toBe(false)
    expect(matchesWhere(record, where([{ field: "name", operator: "ne", value: null }]))).toBe(true)
  })

  it("ordering operators compare numbers numerically and ISO dates chronologically, never null", () => {
    expect(matchesWhere(record, where([{ field: "age", operator: "gt", value: 4 }]))).toBe(true)
    expect(matchesWhere(record, where([{ field: "age", operator: "lte", value: 30 }]))).toBe(true)
    expect(matchesWhere(record, where([{ field: "age", operator: "lt", value: 30 }]))).toBe(false)
    expect(matchesWhere(record, where([{ field: "createdAt", operator: "lt", value: new Date("2024-06-01").toISOString() }]))).toBe(true)
    expect(matchesWhere(record, where([{ field: "createdAt", operator: "gte", value: new Date("2024-06-01") }]))).toBe(false)
    expect(matchesWhere(record, where([{ field: "image", operator: "gt", value: 1 }]))).toBe(false)
  })

  it("in / not_in, with insensitive lists", () => {
    expect(matchesWhere(record, where([{ field: "name", operator: "in", value: ["Bob", "Alice"] }]))).toBe(true)
    expect(matchesWhere(record, where([{ field: "name", operator: "in", value: ["bob", "alice"], mode: "insensitive" }]))).toBe(true)
    expect(matchesWhere(record, where([{ field: "name", operator: "not_in", value: ["Bob"] }]))).toBe(true)
    expect(matchesWhere(record, where([{ field: "name", operator: "not_in", value: ["ALICE"], mode: "insensitive" }]))).toBe(false)
  })

  it("contains / starts_with / ends_with are literal, never patterns", () => {
    expect(matchesWhere(record, where([{ field: "email", operator: "contains", value: "@" }]))).toBe(true)
    expect(matchesWhere(record, where([{ field: "email", operator: "contains", value: ".*" }]))).toBe(false)
    expect(matchesWhere(record, where([{ field: "email", operator: "starts_with", value: "Ali" }]))).toBe(true)
    expect(matchesWhere(record, where([{ field: "email", operator: "ends_with", value: ".com" }]))).toBe(false)
    expect(matchesWhere(record, where([{ field: "email", operator: "ends_with", value: ".com", mode: "insensitive" }]))).toBe(true)
    expect(matchesWhere({ email: "a.*b" }, where([{ field: "email", operator: "contains", value: ".*" }]))).toBe(true)
  })

  it("AND group and OR group: all ANDs and at least one OR", () => {
    const clause = where([
      { field: "active", value: true },
      { field: "name", value: "Bob", connector: "OR" },
      { field: "age", value: 30, connector: "OR" },
    ])
    expect(matchesWhere(record, clause)).toBe(true)
    expect(matchesWhere({ ...record, active: false }, clause)).toBe(false)
    expect(matchesWhere({ ...record, age: 31 }, clause)).toBe(false)
    expect(matchesWhere(record, [])).toBe(true)
  })

  it("rejects unknown operators and fields with typed errors", () => {
    expect(() => validateWhere("thing", [{ field: "a", operator: "like", value: "x" }])).toThrowError(
      expect.objectContaining({ code: "UNSUPPORTED_OPERATOR" }),
    )
    try {
      validateWhere("thing", [{ field: "nope", value: "x" }], new Set(["id", "name"]))
      expect.unreachable()
    } catch (error) {
      expect(isDynamoAuthAdapterError(error, "INVALID_WHERE")).toBe(true)
    }
  })

  it("sorts nulls first ascending, numbers numerically", () => {
    const rows = [{ n: 10 }, { n: -1 }, { n: null }, { n: 2 }]
    expect(sortRecords(rows, { field: "n", direction: "asc" }).map((r) => r.n)).toEqual([null, -1, 2, 10])
    expect(sortRecords(rows, { field: "n", direction: "desc" }).map((r) => r.n)).toEqual([10, 2, -1, null])
  })
})
