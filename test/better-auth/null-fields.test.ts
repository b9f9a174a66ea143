/**
 * A field without a value comes back `null` from Better Auth on this table,
 * as it does on SQL and from Better Auth's official adapters (code that tests
 * `=== null` must behave the same) — for core and plugin fields, for records
 * Better Auth wrote and for users Auth.js wrote. Only what is returned
 * changes: the stored items hold no null attribute the official Auth.js
 * adapter would not write, and Auth.js reads them as before.
 */
import { admin, organization, username } from "better-auth/plugins"
import { describe, expect, it } from "vitest"
import { DynamoDBAdapter } from "../../src/authjs/index.js"
import { cookieHeader, testBetterAuth } from "../support/better-auth-app.js"
import { useTableWithClient } from "../support/test-table.js"

const fixture = useTableWithClient()
const makeAuth = () => testBetterAuth(fixture.client, fixture.table.tableName, { plugins: [username(), admin(), organization()] })

async function signUp(auth: ReturnType<typeof makeAuth>, email: string) {
  const { headers, response } = await auth.api.signUpEmail({ body: { email, password: "password-123", name: "Null Fields" }, returnHeaders: true })
  return { user: response.user, headers: cookieHeader(headers) }
}

describe("fields without a value come back null", () => {
  it("a new user's core and plugin fields (image, username, displayUsername, banReason, banExpires)", async () => {
    const { user } = await signUp(makeAuth(), "new-user@example.com")
    expect(user).toMatchObject({ image: null, username: null, displayUsername: null, banReason: null, banExpires: null })
  })

  it("a session's plugin fields (impersonatedBy, activeOrganizationId), and its user's, through getSession", async () => {
    const auth = makeAuth()
    const { headers } = await signUp(auth, "session-fields@example.com")
    const session = await auth.api.getSession({ headers })
    expect(session?.session).toMatchObject({ impersonatedBy: null, activeOrganizationId: null })
    expect(session?.user).toMatchObject({ image: null, username: null, banReason: null })
  })

  it("a credential account's token fields and expiries (accessToken, idToken, accessTokenExpiresAt, refreshTokenExpiresAt, scope)", async () => {
    const auth = makeAuth()
    const { user } = await signUp(auth, "account-fields@example.com")
    const { adapter } = await auth.$context
    const account = await adapter.findOne<Record<string, unknown>>({ model: "account", where: [{ field: "userId", value: user.id }] })
    expect(account).toMatchObject({
      accessToken: null,
      refreshToken: null,
      idToken: null,
      accessTokenExpiresAt: null,
      refreshTokenExpiresAt: null,
      scope: null,
    })
  })

  it("a user Auth.js wrote (no Better Auth fields at all), read by Better Auth", async () => {
    const authjs = DynamoDBAdapter(fixture.client, { tableName: fixture.table.tableName })
    const created = await authjs.createUser({ id: "authjs-null-fields", email: "authjs-user@example.com", emailVerified: null })
    const { adapter } = await makeAuth().$context
    const user = await adapter.findOne<Record<string, unknown>>({ model: "user", where: [{ field: "id", value: created.id }] })
    expect(user).toMatchObject({ image: null, username: null, displayUsername: null, banReason: null, banExpires: null })
  })

  it("nothing null is stored for them, and Auth.js returns the user as before (no Better Auth plugin fields)", async () => {
    const { user } = await signUp(makeAuth(), "stored-fields@example.com")
    const items = await fixture.table.scanAll()
    const userItem = items.find((item) => item.type === "USER" && item.id === user.id)
    const sessionItem = items.find((item) => item.type === "SESSION" && item.userId === user.id)
    for (const field of ["image", "username", "displayUsername", "banReason", "banExpires"]) expect(userItem, field).not.toHaveProperty(field)
    for (const field of ["impersonatedBy", "activeOrganizationId"]) expect(sessionItem, field).not.toHaveProperty(field)

    const authjsUser = await DynamoDBAdapter(fixture.client, { tableName: fixture.table.tableName }).getUser(user.id)
    for (const field of ["image", "username", "banReason", "banExpires"]) expect(authjsUser, field).not.toHaveProperty(field)
  })
})
