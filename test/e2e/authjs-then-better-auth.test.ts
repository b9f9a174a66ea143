/**
 * A person signs in with the identity provider through Auth.js, then through
 * Better Auth with the same provider id: Better Auth finds the user through
 * the account item Auth.js wrote. One user, one account, both sessions.
 */
import { describe, expect, it } from "vitest"
import { HttpSession } from "../support/http-session.js"
import { DEFAULT_PEOPLE } from "../support/oidc-idp.js"
import { authjsSession, betterAuthSession, signInWithAuthjs, signInWithBetterAuth } from "./flows.js"
import { useSharedExample } from "./fixture.js"

const ALICE = DEFAULT_PEOPLE.alice
const app = useSharedExample()

const kinds = (items: Record<string, unknown>[]) => items.map((item) => String(item.type)).sort()

describe("Auth.js first, then Better Auth, same identity provider", () => {
  const browser = new HttpSession()
  let userId: string

  it("Auth.js sign-in writes the user, the account and a database session", async () => {
    await signInWithAuthjs(browser, app.base, "alice")
    const session = await authjsSession(browser, app.base)
    expect(session?.user).toMatchObject({ email: ALICE.email, name: ALICE.name, image: ALICE.picture })
    userId = session!.user.id
    const items = await app.table.scanAll()
    // ACCOUNT_ID: the id lookup Better Auth finds the account by, written with the account.
    expect(kinds(items)).toEqual(["ACCOUNT_ID", "ACCOUNT_OWNER", "EMAIL", "SESSION", "SESSION_TOKEN", "USER", "USER_DIRECTORY", "oidc"])
    expect(items.find((item) => item.type === "oidc")).toMatchObject({ userId, provider: "idp", providerAccountId: ALICE.sub })
  })

  it("Better Auth sign-in finds the same user through the existing account item: no second user, no second account", async () => {
    await signInWithBetterAuth(browser, app.base, "alice")
    const session = await betterAuthSession(browser, app.base)
    expect(session?.user).toMatchObject({ id: userId, email: ALICE.email, name: ALICE.name })
    const items = await app.table.scanAll()
    expect(items.filter((item) => item.type === "USER")).toHaveLength(1)
    expect(items.filter((item) => item.pk === `USER#${userId}` && String(item.sk).startsWith("ACCOUNT#"))).toHaveLength(1)
    expect(items.filter((item) => item.type === "ACCOUNT_OWNER")).toHaveLength(1)
    expect(items.filter((item) => item.type === "EMAIL")).toHaveLength(1)
  })

  it("both sessions stay valid side by side", async () => {
    expect((await authjsSession(browser, app.base))?.user.id).toBe(userId)
    expect((await betterAuthSession(browser, app.base))?.user.id).toBe(userId)
  })
})
