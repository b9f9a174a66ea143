/**
 * Deleting a user from either framework removes everything of that user:
 * the user, its lookups, its accounts and both kinds of sessions (Auth.js's
 * and Better Auth's), and nothing of anyone else.
 */
import { beforeAll, describe, expect, it } from "vitest"
import { HttpSession } from "../support/http-session.js"
import { DEFAULT_PEOPLE } from "../support/oidc-idp.js"
import {
  authjsSession,
  betterAuthSession,
  signInWithAuthjs,
  signInWithAuthjsMagicLink,
  signInWithBetterAuth,
  signUpWithBetterAuth,
} from "./flows.js"
import { useSharedExample } from "./fixture.js"

const app = useSharedExample()

/** Every item that belongs to `userId` or points at it, whatever its kind. */
async function itemsOf(userId: string) {
  return (await app.table.scanAll()).filter((item) => item.pk === `USER#${userId}` || item.userId === userId || item.id === userId)
}

/** Signs someone in through both frameworks and returns their user id, checking both kinds of session exist. */
async function signedInBothWays(browser: HttpSession, how: "carol" | "alice" | "password"): Promise<string> {
  if (how !== "password") {
    // Auth.js first, so the account item is Auth.js's and Better Auth adds its own lookups to it.
    await signInWithAuthjs(browser, app.base, how)
    await signInWithBetterAuth(browser, app.base, how)
  } else {
    await signUpWithBetterAuth(browser, app.base, { email: "erin@example.com", password: "erin's long password", name: "Erin" })
    await signInWithAuthjsMagicLink(browser, app.base, "erin@example.com", () => app.example.outbox.latestFor("erin@example.com"))
  }
  const authjs = await authjsSession(browser, app.base)
  const betterAuth = await betterAuthSession(browser, app.base)
  expect(authjs?.user.id).toBeDefined()
  expect(betterAuth?.user.id).toBe(authjs?.user.id)
  const userId = authjs!.user.id
  const items = await itemsOf(userId)
  const sessions = items.filter((item) => item.type === "SESSION")
  expect(sessions).toHaveLength(2)
  expect(sessions.filter((item) => "createdAt" in item)).toHaveLength(1)
  expect(items.filter((item) => item.type === "SESSION_TOKEN")).toHaveLength(2)
  return userId
}

describe("deleting a user removes everything of theirs, from either side", () => {
  const bystander = new HttpSession()
  let bystanderItems: Record<string, unknown>[]

  beforeAll(async () => {
    // Someone else who must be left alone: signed in through both frameworks too.
    await signInWithAuthjs(bystander, app.base, "bob")
    await signInWithBetterAuth(bystander, app.base, "bob")
    const id = (await authjsSession(bystander, app.base))!.user.id
    bystanderItems = await app.table.scanAll()
    expect(bystanderItems.some((item) => item.id === id)).toBe(true)
  })

  it("Auth.js deleteUser removes the user, lookups, account and both kinds of sessions", async () => {
    const browser = new HttpSession()
    const userId = await signedInBothWays(browser, "carol")

    const deleted = await app.example.authjs.adapter.deleteUser(userId)
    expect(deleted).toMatchObject({ id: userId, email: DEFAULT_PEOPLE.carol.email })

    const after = await app.table.scanAll()
    expect(await itemsOf(userId)).toEqual([])
    expect(after.filter((item) => String(item.pk).includes(DEFAULT_PEOPLE.carol.email) || String(item.pk).includes(DEFAULT_PEOPLE.carol.sub))).toEqual([])
    // Only the bystander's items are left, untouched.
    expect(after).toEqual(bystanderItems)
    expect(await authjsSession(browser, app.base)).toBeNull()
    expect(await betterAuthSession(browser, app.base)).toBeNull()
  })

  it("Better Auth delete-user removes the user, lookups, credential account and both kinds of sessions", async () => {
    const browser = new HttpSession()
    const userId = await signedInBothWays(browser, "password")
    const theirs = new Set((await itemsOf(userId)).map((item) => `${String(item.pk)} ${String(item.sk)}`))
    const before = (await app.table.scanAll()).filter((item) => !theirs.has(`${String(item.pk)} ${String(item.sk)}`) && !String(item.pk).includes("erin@example.com"))

    const response = await browser.postJson(new URL("/api/auth/delete-user", app.base), { password: "erin's long password" })
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ success: true })

    expect(await itemsOf(userId)).toEqual([])
    const after = await app.table.scanAll()
    expect(after.filter((item) => String(item.pk).includes("erin@example.com"))).toEqual([])
    // Everything else is exactly as it was.
    expect(after).toEqual(before)
    expect(await authjsSession(browser, app.base)).toBeNull()
    expect(await betterAuthSession(browser, app.base)).toBeNull()
  })

  it("Better Auth delete-user removes a provider user whose account item Auth.js wrote, and both kinds of sessions", async () => {
    const browser = new HttpSession()
    const userId = await signedInBothWays(browser, "alice")
    const theirs = new Set((await itemsOf(userId)).map((item) => `${String(item.pk)} ${String(item.sk)}`))
    const before = (await app.table.scanAll()).filter((item) => !theirs.has(`${String(item.pk)} ${String(item.sk)}`) && !String(item.pk).includes(DEFAULT_PEOPLE.alice.email) && !String(item.pk).includes(DEFAULT_PEOPLE.alice.sub))
    expect(before.length).toBeLessThan((await app.table.scanAll()).length)

    // A fresh session may delete its user without a password.
    const response = await browser.postJson(new URL("/api/auth/delete-user", app.base), {})
    expect(response.status).toBe(200)

    expect(await itemsOf(userId)).toEqual([])
    expect(await app.table.scanAll()).toEqual(before)
    expect(await authjsSession(browser, app.base)).toBeNull()
    expect(await betterAuthSession(browser, app.base)).toBeNull()
  })

  it("the bystander is still signed in through both frameworks", async () => {
    const authjs = await authjsSession(bystander, app.base)
    expect(authjs?.user.email).toBe(DEFAULT_PEOPLE.bob.email)
    expect((await betterAuthSession(bystander, app.base))?.user.id).toBe(authjs?.user.id)
  })
})
