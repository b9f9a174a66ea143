/**
 * The reverse direction: someone signs up with email and password through
 * Better Auth; Auth.js finds them by email, and an Auth.js magic-link sign-in
 * lands on the same user.
 */
import { describe, expect, it } from "vitest"
import { HttpSession } from "../support/http-session.js"
import { authjsSession, betterAuthSession, signInWithAuthjsMagicLink, signUpWithBetterAuth } from "./flows.js"
import { useSharedExample } from "./fixture.js"

const DANA = { email: "dana@example.com", password: "correct horse battery staple", name: "Dana Scully" }
const app = useSharedExample()

describe("Better Auth sign-up first, then Auth.js", () => {
  const browser = new HttpSession()
  let userId: string

  it("a Better Auth email + password sign-up writes the user, its email lookup, the credential account (with its lookups) and a session", async () => {
    const { user } = await signUpWithBetterAuth(browser, app.base, DANA)
    userId = user.id
    expect((await betterAuthSession(browser, app.base))?.user).toMatchObject({ id: userId, email: DANA.email, name: DANA.name, emailVerified: false })
    const items = await app.table.scanAll()
    expect(items.map((item) => String(item.type)).sort()).toEqual(["ACCOUNT_ID", "ACCOUNT_OWNER", "EMAIL", "SESSION", "SESSION_TOKEN", "USER", "USER_DIRECTORY", "credentials"])
    expect(items.find((item) => item.type === "USER")).toMatchObject({ id: userId, email: DANA.email, emailVerified: null })
  })

  it("Auth.js getUserByEmail finds the same user, with emailVerified null", async () => {
    const user = await app.example.authjs.adapter.getUserByEmail(DANA.email)
    expect(user).toEqual({ id: userId, email: DANA.email, name: DANA.name, emailVerified: null })
  })

  it("an Auth.js magic-link sign-in lands on the same user and verifies the email for both frameworks", async () => {
    expect(await authjsSession(browser, app.base)).toBeNull()
    await signInWithAuthjsMagicLink(browser, app.base, DANA.email, () => app.example.outbox.latestFor(DANA.email))
    const session = await authjsSession(browser, app.base)
    expect(session?.user).toMatchObject({ id: userId, email: DANA.email, name: DANA.name })

    const items = await app.table.scanAll()
    expect(items.filter((item) => item.type === "USER")).toHaveLength(1)
    expect(items.filter((item) => item.type === "VT")).toEqual([])
    const user = items.find((item) => item.type === "USER")
    expect(typeof user?.emailVerified).toBe("string")
    expect((await betterAuthSession(browser, app.base))?.user).toMatchObject({ id: userId, emailVerified: true })
  })

  it("both sessions live side by side under the user", async () => {
    const sessions = (await app.table.scanAll()).filter((item) => item.type === "SESSION")
    expect(sessions).toHaveLength(2)
    expect(sessions.every((item) => item.pk === `USER#${userId}` && item.userId === userId)).toBe(true)
    // One written by each framework: Better Auth's carries its own fields, Auth.js's does not.
    expect(sessions.filter((item) => "ipAddress" in item || "createdAt" in item)).toHaveLength(1)
    expect((await authjsSession(browser, app.base))?.user.id).toBe(userId)
    expect((await betterAuthSession(browser, app.base))?.user.id).toBe(userId)
  })

  it("a Better Auth password sign-in still works after Auth.js touched the user", async () => {
    const other = new HttpSession()
    const response = await other.postJson(new URL("/api/auth/sign-in/email", app.base), { email: DANA.email, password: DANA.password })
    expect(response.status).toBe(200)
    expect(((await response.json()) as { user: { id: string } }).user.id).toBe(userId)
  })
})
