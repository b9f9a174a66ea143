import { describe, expect, it } from "vitest"
import { fromStored, toStored } from "../../src/core/field-map.js"

const none = new Set<string>()
const fixedNow = () => new Date("2025-01-01T00:00:00.000Z")

describe("field map: Auth.js ↔ stored ↔ Better Auth", () => {
  it("user: Auth.js emailVerified Date is stored as ISO and reads as true in Better Auth", () => {
    const stored = toStored("user", "authjs", { id: "u", email: "a@b.c", emailVerified: new Date("2024-01-02T03:04:05.006Z"), name: "A", image: null })
    expect(stored).toEqual({ id: "u", email: "a@b.c", emailVerified: "2024-01-02T03:04:05.006Z", name: "A", image: null })
    expect(fromStored("user", "betterAuth", stored, none)).toEqual({ id: "u", email: "a@b.c", emailVerified: true, name: "A", image: null })
    expect(fromStored("user", "authjs", stored, none)).toEqual({ id: "u", email: "a@b.c", emailVerified: new Date("2024-01-02T03:04:05.006Z"), name: "A", image: null })
  })

  it("user: Better Auth emailVerified true/false is stored as a date / null and reads back in Auth.js", () => {
    const verified = toStored("user", "betterAuth", { id: "u", emailVerified: true, createdAt: "2024-02-03T04:05:06.007Z" }, fixedNow)
    expect(verified).toEqual({ id: "u", emailVerified: "2025-01-01T00:00:00.000Z", createdAt: "2024-02-03T04:05:06.007Z" })
    expect(fromStored("user", "authjs", verified, none)).toMatchObject({ emailVerified: fixedNow() })
    expect(fromStored("user", "betterAuth", verified, none)).toEqual({ id: "u", emailVerified: true, createdAt: "2024-02-03T04:05:06.007Z" })
    const unverified = toStored("user", "betterAuth", { id: "u", emailVerified: false })
    expect(unverified.emailVerified).toBeNull()
    expect(fromStored("user", "betterAuth", unverified, none).emailVerified).toBe(false)
    expect(fromStored("user", "authjs", unverified, none).emailVerified).toBeNull()
  })

  it("account: names and token expiry move between the frameworks losslessly", () => {
    const ba = {
      id: "a1",
      userId: "u",
      providerId: "github",
      accountId: "42",
      accessToken: "at",
      refreshToken: "rt",
      idToken: "it",
      accessTokenExpiresAt: "2030-01-02T03:04:05.678Z",
      scope: "email",
      password: null,
    }
    const stored = toStored("account", "betterAuth", ba)
    expect(stored).toEqual({
      id: "a1",
      userId: "u",
      provider: "github",
      providerAccountId: "42",
      access_token: "at",
      refresh_token: "rt",
      id_token: "it",
      // Whole seconds, as Auth.js writes them; Better Auth's exact instant beside them.
      expires_at: 1893553445,
      accessTokenExpiresAt: "2030-01-02T03:04:05.678Z",
      scope: "email",
      password: null,
    })
    expect(fromStored("account", "betterAuth", stored, none)).toEqual(ba)
    const authjs = fromStored("account", "authjs", stored, none)
    expect(authjs).toEqual({
      id: "a1",
      userId: "u",
      provider: "github",
      providerAccountId: "42",
      access_token: "at",
      refresh_token: "rt",
      id_token: "it",
      expires_at: 1893553445,
      scope: "email",
    })
    const { password: _password, accessTokenExpiresAt: _exact, ...withoutPassword } = stored
    expect(toStored("account", "authjs", authjs)).toEqual(withoutPassword)
  })

  it("session: token and expiry map both ways, and the key attributes named in omit never come back", () => {
    const stored = toStored("session", "authjs", { sessionToken: "t", userId: "u", expires: new Date("2030-01-01T00:00:00.500Z") })
    expect(stored).toEqual({ sessionToken: "t", userId: "u", expires: 1893456000.5 })
    expect(fromStored("session", "betterAuth", { ...stored, pk: "USER#u", type: "SESSION" }, new Set(["pk", "type"]))).toEqual({
      token: "t",
      userId: "u",
      expiresAt: "2030-01-01T00:00:00.500Z",
    })
    expect(toStored("session", "betterAuth", { token: "t", userId: "u", expiresAt: "2030-01-01T00:00:00.500Z", ipAddress: "::1" })).toEqual({
      sessionToken: "t",
      userId: "u",
      expires: 1893456000.5,
      ipAddress: "::1",
    })
  })

  it("fields in no row (plugin fields, custom Auth.js fields) pass through under their own names", () => {
    expect(toStored("user", "betterAuth", { role: "admin", banned: false })).toEqual({ role: "admin", banned: false })
    expect(fromStored("user", "authjs", { role: "admin" }, none)).toEqual({ role: "admin" })
  })
})
