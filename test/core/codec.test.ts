import { describe, expect, it } from "vitest"
import { fromEpochSeconds, fromStoredDate, isIsoDateString, toEpochSeconds } from "../../src/core/codec.js"

describe("codec", () => {
  it("keeps epoch seconds exact, fractional when the date has milliseconds (as the official adapter writes)", () => {
    const date = new Date("2030-01-02T03:04:05.678Z")
    expect(toEpochSeconds(date)).toBe(1893553445.678)
    expect(fromEpochSeconds(1893553445.678).toISOString()).toBe("2030-01-02T03:04:05.678Z")
    expect(fromEpochSeconds(1893553445).toISOString()).toBe("2030-01-02T03:04:05.000Z")
  })

  it("round-trips every millisecond of a day through epoch seconds", () => {
    const start = Date.UTC(2031, 5, 7)
    for (let ms = 0; ms < 1000; ms++) {
      const date = new Date(start + ms)
      expect(fromEpochSeconds(toEpochSeconds(date)).getTime()).toBe(date.getTime())
    }
  })

  it("reads stored dates from ISO strings, epoch seconds and Dates; garbage is null", () => {
    expect(fromStoredDate("2024-05-06T07:08:09.123Z")?.toISOString()).toBe("2024-05-06T07:08:09.123Z")
    expect(fromStoredDate(1714979289.123)?.toISOString()).toBe("2024-05-06T07:08:09.123Z")
    const d = new Date()
    expect(fromStoredDate(d)).toBe(d)
    expect(fromStoredDate("not a date")).toBeNull()
    expect(fromStoredDate(null)).toBeNull()
    expect(fromStoredDate(undefined)).toBeNull()
  })

  it("recognises ISO dates the way Auth.js does", () => {
    expect(isIsoDateString("2024-05-06T07:08:09.123Z")).toBe(true)
    expect(isIsoDateString("2024-05-06T07:08:09Z")).toBe(true)
    expect(isIsoDateString("2024-05-06T07:08+02:00")).toBe(true)
    expect(isIsoDateString("2024-05-06")).toBe(false)
    expect(isIsoDateString("hello")).toBe(false)
    expect(isIsoDateString(42)).toBe(false)
  })
})
