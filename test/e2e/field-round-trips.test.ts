/**
 * Fields both frameworks have survive the trip from one to the other
 * exactly: emailVerified (Date ↔ boolean), name, image, the provider's
 * tokens, their expiries and scope, session expiries. First through real
 * sign-ins against the identity provider, then value by value through each
 * framework's own adapter calls over the same table.
 */
import type { AdapterAccount, AdapterUser } from "@auth/core/adapters"
import { describe, expect, it } from "vitest"
import { HttpSession } from "../support/http-session.js"
import { DEFAULT_PEOPLE } from "../support/oidc-idp.js"
import { useSharedExample } from "./fixture.js"
import { authjsSession, signInWithAuthjs, signInWithBetterAuth } from "./flows.js"

const app = useSharedExample()

/** Better Auth's own view, through its internal adapter (what its routes use). */
async function betterAuthViews() {
  const context = await app.example.betterAuth.$context
  return context.internalAdapter
}

/** What Better Auth reads for an account, in its field names. */
interface BetterAuthAccount {
  id: string
  userId: string
  providerId: string
  accountId: string
  accessToken?: string | null
  refreshToken?: string | null
  idToken?: string | null
  accessTokenExpiresAt?: Date | null
  refreshTokenExpiresAt?: Date | null
  scope?: string | null
}

async function betterAuthAccountOf(userId: string): Promise<BetterAuthAccount> {
  const accounts = (await (await betterAuthViews()).findAccounts(userId)) as BetterAuthAccount[]
  expect(accounts).toHaveLength(1)
  return accounts[0]!
}

function authjsAdapter() {
  return app.example.authjs.adapter
}

describe("tokens from real sign-ins read the same in both frameworks", () => {
  const browser = new HttpSession()
  const ALICE = DEFAULT_PEOPLE.alice
  let userId: string

  it("what Auth.js stored from the provider's token answer, Better Auth reads field for field", async () => {
    await signInWithAuthjs(browser, app.example.url, "alice")
    userId = (await authjsSession(browser, app.example.url))!.user.id
    const issued = app.example.idp.lastTokens("alice")!
    const account = (await authjsAdapter().getAccount(ALICE.sub, "idp")) as AdapterAccount
    expect(account).toMatchObject({
      userId,
      type: "oidc",
      provider: "idp",
      providerAccountId: ALICE.sub,
      access_token: issued.access_token,
      refresh_token: issued.refresh_token,
      id_token: issued.id_token,
      scope: "openid profile email",
    })
    expect(Math.abs(account.expires_at! - (issued.issuedAt + issued.expires_in))).toBeLessThanOrEqual(1)

    const seen = await betterAuthAccountOf(userId)
    expect(seen).toMatchObject({
      id: account.id,
      userId,
      providerId: "idp",
      accountId: ALICE.sub,
      accessToken: issued.access_token,
      refreshToken: issued.refresh_token,
      idToken: issued.id_token,
      scope: "openid profile email",
    })
    expect(seen.accessTokenExpiresAt).toEqual(new Date(account.expires_at! * 1000))
  })

  it("what Better Auth stored from its own sign-in, Auth.js reads field for field, keeping its own fields", async () => {
    await signInWithBetterAuth(browser, app.example.url, "alice")
    const issued = app.example.idp.lastTokens("alice")!
    const seen = await betterAuthAccountOf(userId)
    expect(seen).toMatchObject({ accessToken: issued.access_token, refreshToken: issued.refresh_token, idToken: issued.id_token, scope: "openid profile email" })

    const account = (await authjsAdapter().getAccount(ALICE.sub, "idp")) as AdapterAccount
    expect(account).toMatchObject({
      access_token: issued.access_token,
      refresh_token: issued.refresh_token,
      id_token: issued.id_token,
      scope: "openid profile email",
      // Only Auth.js has these; Better Auth's update leaves them be.
      type: "oidc",
      token_type: "bearer",
    })
    // Auth.js keeps whole epoch seconds; Better Auth keeps its exact instant beside them.
    expect(account.expires_at).toBe(Math.floor(seen.accessTokenExpiresAt!.getTime() / 1000))
  })

  it("the provider's verified email reaches Auth.js as a date once Better Auth has seen email_verified", async () => {
    const user = (await authjsAdapter().getUser(userId)) as AdapterUser
    expect(user.emailVerified).toBeInstanceOf(Date)
    const viewed = await (await betterAuthViews()).findUserById(userId)
    expect(viewed).toMatchObject({ id: userId, emailVerified: true, name: ALICE.name, image: ALICE.picture, email: ALICE.email })
  })
})

describe("user fields, value by value", () => {
  it("an Auth.js emailVerified date reads as true in Better Auth, and survives Better Auth updates of other fields to the millisecond", async () => {
    const verifiedAt = new Date("2024-05-06T07:08:09.123Z")
    const created = await authjsAdapter().createUser({ id: "", email: "frank@app.example.com", emailVerified: verifiedAt, name: "Frank", image: "https://app.example.com/frank.png" })
    const internal = await betterAuthViews()
    expect(await internal.findUserById(created.id)).toMatchObject({ emailVerified: true, name: "Frank", image: "https://app.example.com/frank.png" })

    await internal.updateUser(created.id, { name: "Frank Castle", image: "https://app.example.com/frank-2.png" })
    expect(await authjsAdapter().getUser(created.id)).toMatchObject({ emailVerified: verifiedAt, name: "Frank Castle", image: "https://app.example.com/frank-2.png" })
    const item = (await app.table.scanAll()).find((i) => i.type === "USER" && i.id === created.id)
    expect(item?.emailVerified).toBe("2024-05-06T07:08:09.123Z")
  })

  it("Auth.js emailVerified null reads as false; Better Auth true reads back as a date, false as null", async () => {
    const created = await authjsAdapter().createUser({ id: "", email: "grace@app.example.com", emailVerified: null, name: "Grace" })
    const internal = await betterAuthViews()
    expect(await internal.findUserById(created.id)).toMatchObject({ emailVerified: false })

    const before = Date.now()
    await internal.updateUser(created.id, { emailVerified: true })
    const verified = (await authjsAdapter().getUser(created.id))!.emailVerified
    expect(verified).toBeInstanceOf(Date)
    expect(verified!.getTime()).toBeGreaterThanOrEqual(before - 1000)
    expect(verified!.getTime()).toBeLessThanOrEqual(Date.now() + 1000)

    await internal.updateUser(created.id, { emailVerified: false })
    expect((await authjsAdapter().getUser(created.id))!.emailVerified).toBeNull()
    expect(await internal.findUserById(created.id)).toMatchObject({ emailVerified: false })
  })

  it("name and image written by Auth.js read the same in Better Auth, including a removed image", async () => {
    const internal = await betterAuthViews()
    const created = await internal.createUser({ email: "heidi@app.example.com", name: "Heidi", emailVerified: false }, { method: "email-password" })
    await authjsAdapter().updateUser({ id: created.id, name: "Heidi Klum", image: "https://app.example.com/heidi.png" })
    expect(await internal.findUserById(created.id)).toMatchObject({ name: "Heidi Klum", image: "https://app.example.com/heidi.png", email: "heidi@app.example.com" })
    await authjsAdapter().updateUser({ id: created.id, image: null })
    expect((await internal.findUserById(created.id))?.image ?? null).toBeNull()
  })
})

describe("account fields, value by value", () => {
  it("an Auth.js account's tokens, expiry and scope read the same in Better Auth", async () => {
    const user = await authjsAdapter().createUser({ id: "", email: "ivan@app.example.com", emailVerified: null })
    const linked: AdapterAccount = {
      userId: user.id,
      type: "oauth",
      provider: "github",
      providerAccountId: "gh-4242",
      access_token: "gho_access",
      refresh_token: "ghr_refresh",
      id_token: "eyJ.id.token",
      expires_at: 1_900_000_000,
      scope: "read:user user:email",
      token_type: "bearer",
    }
    await authjsAdapter().linkAccount(linked)
    expect(await betterAuthAccountOf(user.id)).toMatchObject({
      providerId: "github",
      accountId: "gh-4242",
      accessToken: "gho_access",
      refreshToken: "ghr_refresh",
      idToken: "eyJ.id.token",
      accessTokenExpiresAt: new Date(1_900_000_000_000),
      scope: "read:user user:email",
    })
  })

  it("Better Auth's token updates with millisecond expiries read the same in Auth.js and back in Better Auth", async () => {
    const user = await authjsAdapter().createUser({ id: "", email: "judy@app.example.com", emailVerified: null })
    await authjsAdapter().linkAccount({ userId: user.id, type: "oidc", provider: "idp", providerAccountId: "judy-sub", access_token: "a1", expires_at: 1_800_000_000, token_type: "bearer" })
    const internal = await betterAuthViews()
    const account = await betterAuthAccountOf(user.id)
    const accessTokenExpiresAt = new Date("2030-01-02T03:04:05.678Z")
    const refreshTokenExpiresAt = new Date("2030-02-03T04:05:06.789Z")
    await internal.updateAccount(account.id, { accessToken: "a2", refreshToken: "r2", idToken: "i2", scope: "openid email", accessTokenExpiresAt, refreshTokenExpiresAt })

    const authjs = (await authjsAdapter().getAccount("judy-sub", "idp")) as AdapterAccount
    expect(authjs).toMatchObject({ access_token: "a2", refresh_token: "r2", id_token: "i2", scope: "openid email", token_type: "bearer", type: "oidc" })
    expect(authjs.expires_at).toBe(Math.floor(accessTokenExpiresAt.getTime() / 1000))
    expect(await betterAuthAccountOf(user.id)).toMatchObject({ accessTokenExpiresAt, refreshTokenExpiresAt, accessToken: "a2" })
    const item = (await app.table.scanAll()).find((i) => i.pk === `USER#${user.id}` && i.sk === "ACCOUNT#idp#judy-sub")
    expect(item).toMatchObject({
      expires_at: Math.floor(accessTokenExpiresAt.getTime() / 1000),
      accessTokenExpiresAt: "2030-01-02T03:04:05.678Z",
      refreshTokenExpiresAt: "2030-02-03T04:05:06.789Z",
      access_token: "a2",
    })
  })
})

describe("session expiries", () => {
  it("an Auth.js session's expiry reads the same in Better Auth, and a Better Auth session's in Auth.js", async () => {
    const user = await authjsAdapter().createUser({ id: "", email: "kim@app.example.com", emailVerified: null })
    const expires = new Date("2031-03-04T05:06:07.890Z")
    await authjsAdapter().createSession({ sessionToken: "authjs-token-kim", userId: user.id, expires })
    const internal = await betterAuthViews()
    const found = await internal.findSession("authjs-token-kim")
    expect(found?.session).toMatchObject({ token: "authjs-token-kim", userId: user.id, expiresAt: expires })
    expect(found?.user).toMatchObject({ id: user.id, email: "kim@app.example.com" })

    const created = await internal.createSession(user.id)
    const viewed = await authjsAdapter().getSessionAndUser(created.token)
    expect(viewed?.session.expires).toEqual(new Date(created.expiresAt))
    expect(viewed?.user.id).toBe(user.id)
  })
})
