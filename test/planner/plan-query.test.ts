import { describe, expect, it } from "vitest"
import { planQuery, executeQuery, type AccessPath } from "../../src/core/planner/index.js"
import { validateWhere, type WhereInput } from "../../src/core/where/index.js"

const rows = [
  { id: "1", email: "a@x.io", name: "A", n: 3 },
  { id: "2", email: "b@x.io", name: "B", n: 1 },
  { id: "3", email: "c@x.io", name: "C", n: 2 },
]

function paths(log: string[]): AccessPath[] {
  return [
    { kind: "scan", description: "scan", keyFields: [], fetch: async () => (log.push("scan"), rows) },
    { kind: "query", description: "by email", keyFields: ["email"], orderedBy: "n", fetch: async (k, h) => (log.push(`query ${JSON.stringify(h)}`), rows.filter((r) => r.email === k.email)) },
    { kind: "get", description: "by id", keyFields: ["id"], fetch: async (k) => (log.push("get"), rows.filter((r) => r.id === k.id)) },
    { kind: "batchGet", description: "ids", keyFields: ["id"], fetch: async (k) => (log.push("batchGet"), rows.filter((r) => (k.id as string[]).includes(r.id))) },
  ]
}

const where = (clauses: WhereInput[]) => validateWhere("thing", clauses)

describe("planQuery", () => {
  it("prefers GetItem when the id is pinned, whatever the order of the paths", () => {
    const log: string[] = []
    const plan = planQuery({ model: "thing", paths: paths(log), where: where([{ field: "email", value: "a@x.io" }, { field: "id", value: "1" }]) })
    expect(plan.path.kind).toBe("get")
  })

  it("uses BatchGetItem for `id in [...]`", async () => {
    const log: string[] = []
    const plan = planQuery({ model: "thing", paths: paths(log), where: where([{ field: "id", operator: "in", value: ["1", "3"] }]) })
    expect(plan.path.kind).toBe("batchGet")
    expect((await executeQuery(plan)).map((r) => r.id)).toEqual(["1", "3"])
  })

  it("never drops a condition: the key narrows, every condition filters", async () => {
    const log: string[] = []
    const plan = planQuery({ model: "thing", paths: paths(log), where: where([{ field: "id", value: "1" }, { field: "name", value: "not A" }]) })
    expect(plan.path.kind).toBe("get")
    expect(await executeQuery(plan)).toEqual([])
  })

  it("does not take a key from an OR group, nor from an insensitive or null eq", () => {
    const log: string[] = []
    const or = where([{ field: "id", value: "1", connector: "OR" }, { field: "id", value: "2", connector: "OR" }])
    expect(planQuery({ model: "thing", paths: paths(log), where: or }).path.kind).toBe("scan")
    const insensitive = where([{ field: "email", value: "A@X.IO", mode: "insensitive" }])
    expect(planQuery({ model: "thing", paths: paths(log), where: insensitive }).path.kind).toBe("scan")
    expect(planQuery({ model: "thing", paths: paths(log), where: where([{ field: "id", value: null }]) }).path.kind).toBe("scan")
  })

  it("pushes limit and direction down only when the key answers the whole where and the path's order the sort", () => {
    const log: string[] = []
    const exact = planQuery({ model: "thing", paths: paths(log), where: where([{ field: "email", value: "a@x.io" }]), options: { limit: 1, offset: 1, sortBy: { field: "n", direction: "desc" } } })
    expect(exact.hint).toEqual({ limit: 2, direction: "desc" })
    const filtered = planQuery({ model: "thing", paths: paths(log), where: where([{ field: "email", value: "a@x.io" }, { field: "n", operator: "gt", value: 1 }]), options: { limit: 1 } })
    expect(filtered.hint).toEqual({})
    const otherSort = planQuery({ model: "thing", paths: paths(log), where: where([{ field: "email", value: "a@x.io" }]), options: { limit: 1, sortBy: { field: "name", direction: "asc" } } })
    expect(otherSort.hint).toEqual({})
  })

  it("sorts, then skips offset, then keeps limit", async () => {
    const log: string[] = []
    const plan = planQuery({ model: "thing", paths: paths(log), where: [], options: { sortBy: { field: "n", direction: "asc" }, offset: 1, limit: 1 } })
    expect((await executeQuery(plan)).map((r) => r.id)).toEqual(["3"])
  })

  it("warns through the logger, naming the model and fields, when it falls back to a Scan", () => {
    const warnings: { message: string; details?: Record<string, unknown> }[] = []
    const logger = { debug() {}, warn: (message: string, details?: Record<string, unknown>) => void warnings.push({ message, ...(details ? { details } : {}) }) }
    planQuery({ model: "thing", paths: paths([]), where: where([{ field: "name", value: "A" }]), logger })
    expect(warnings).toHaveLength(1)
    expect(warnings[0]!.message).toContain('"thing"')
    expect(warnings[0]!.message).toContain("name")
    expect(warnings[0]!.details).toEqual({ model: "thing", fields: ["name"] })
    planQuery({ model: "thing", paths: paths([]), where: where([{ field: "id", value: "1" }]), logger })
    expect(warnings).toHaveLength(1)
  })
})
