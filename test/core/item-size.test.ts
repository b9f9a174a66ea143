import { describe, expect, it } from "vitest"
import { assertItemFits, itemSize, MAX_ITEM_BYTES } from "../../src/core/item-size.js"
import { isDynamoAuthAdapterError } from "../../src/core/errors.js"

describe("item size", () => {
  it("counts attribute names and UTF-8 bytes of values", () => {
    expect(itemSize({ a: "xyz" })).toBe(4)
    expect(itemSize({ name: "é" })).toBe(4 + 2)
    expect(itemSize({ flag: true, nothing: null })).toBe(4 + 1 + 7 + 1)
    expect(itemSize({ skipped: undefined })).toBe(0)
  })

  it("counts numbers by significant digits and containers with their overhead", () => {
    expect(itemSize({ n: 12345 })).toBe(1 + 4)
    expect(itemSize({ l: ["ab", "c"] })).toBe(1 + 3 + (2 + 1) + (1 + 1))
    expect(itemSize({ m: { k: "v" } })).toBe(1 + 3 + (1 + 1 + 1))
  })

  it("throws ITEM_TOO_LARGE over 400 KB and says what to do", () => {
    const big = { id: "x", blob: "a".repeat(MAX_ITEM_BYTES) }
    let error: unknown
    try {
      assertItemFits(big, "user")
    } catch (e) {
      error = e
    }
    expect(isDynamoAuthAdapterError(error, "ITEM_TOO_LARGE")).toBe(true)
    expect((error as Error).message).toMatch(/Nothing was written/)
    expect(() => assertItemFits({ id: "x", blob: "a".repeat(MAX_ITEM_BYTES - 100) }, "user")).not.toThrow()
  })
})
