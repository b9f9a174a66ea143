/**
 * The layout each plugin model gets from its schema (Better Auth 1.7.25):
 * a claim per unique field set, index entries for each lookup, GSI1 only
 * where lag is harmless, the jwks partition. No table needed.
 */
import { getAuthTables } from "better-auth/db"
import { deviceAuthorization, jwt, organization, phoneNumber, twoFactor, username } from "better-auth/plugins"
import { describe, expect, it } from "vitest"
import { describeModel } from "../../src/better-auth/schema-description.js"
import { resolveGenericLayout } from "../../src/core/models/generic-layout.js"

const schema = getAuthTables({
  rateLimit: { storage: "database" },
  plugins: [username(), organization({ teams: { enabled: true } }), phoneNumber({ sendOTP: async () => {} }), twoFactor(), jwt(), deviceAuthorization()],
})

const layoutOf = (model: string, override = {}) => resolveGenericLayout(describeModel(model, schema as never), override)

describe("plugin model layouts derived from the schema", () => {
  it("organization: the slug is claimed (unique), not indexed twice", () => {
    expect(layoutOf("organization")).toMatchObject({ unique: [["slug"]], lookups: [], index: undefined })
  })

  it("member: by organization, by user and by both, in the base table", () => {
    expect(layoutOf("member").lookups).toEqual([["organizationId"], ["userId"], ["organizationId", "userId"]])
  })

  it("teamMember: the membership key is claimed; team and user are lookups", () => {
    expect(layoutOf("teamMember")).toMatchObject({ unique: [["membershipKey"]], lookups: [["teamId"], ["userId"]] })
  })

  it("invitation: by organization (and by inviter, a reference) in the base table, by email on GSI1 (a user's inbox tolerates lag)", () => {
    expect(layoutOf("invitation")).toMatchObject({ lookups: [["organizationId"], ["inviterId"]], index: { field: "email" } })
  })

  it("deviceCode: both codes of the table-level unique indexes are claimed", () => {
    expect(layoutOf("deviceCode").unique).toEqual([["deviceCode"], ["userCode"]])
  })

  it("rateLimit: the key is claimed and lastRequest has range markers that trail it", () => {
    expect(layoutOf("rateLimit")).toMatchObject({ unique: [["key"]], range: { field: "lastRequest", lazy: true } })
  })

  it("verification keeps its sorted GSI1 pattern and exact expiry markers", () => {
    expect(layoutOf("verification")).toMatchObject({ index: { field: "identifier", sortField: "createdAt" }, range: { field: "expiresAt", lazy: false }, lookups: [] })
  })

  it("jwks lives in a partition of its own", () => {
    expect(layoutOf("jwks")).toMatchObject({ listedWhole: true, lookups: [], unique: [] })
  })

  it("an apikey model (the separate @better-auth/api-key package) gets the lookups the plugin queries: referenceId, userId, key", () => {
    // The package is not installed here: a model with the fields it queries by.
    const apikey = { name: "apikey", fields: { key: { type: "string" }, referenceId: { type: "string" }, userId: { type: "string" }, name: { type: "string" } } }
    expect(resolveGenericLayout(apikey).lookups).toEqual([["referenceId"], ["userId"], ["key"]])
  })

  it("options.models overrides: a GSI1 pattern replaces the lookup on its field; lookups can be replaced or turned off", () => {
    expect(layoutOf("member", { index: { field: "organizationId" } }).lookups).toEqual([["userId"], ["organizationId", "userId"]])
    expect(layoutOf("member", { lookups: ["role"] }).lookups).toEqual([["role"]])
    expect(layoutOf("member", { lookups: false }).lookups).toEqual([])
    expect(() => layoutOf("member", { lookups: ["nope"] })).toThrow(/lookups names a field the model does not have/)
  })
})
