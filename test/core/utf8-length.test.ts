import { describe, expect, it } from "vitest"
import { utf8Length } from "../../src/core/utf8-length.js"

describe("utf8Length", () => {
  it("counts exactly what TextEncoder encodes, for every width and for lone surrogates", () => {
    const encoder = new TextEncoder()
    const samples = ["", "ascii", "é", "ünï:cödé", "€", "日本語", "😀", "a😀b", "\ud83d", "x\ude00y", "\ud83d\ud83d", "\u007f\u0080\u07ff\u0800\uffff", "k".repeat(3000)]
    for (const sample of samples) expect(utf8Length(sample), JSON.stringify(sample)).toBe(encoder.encode(sample).length)
  })
})
