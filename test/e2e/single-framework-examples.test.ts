/**
 * The single-framework examples start, mount only their framework, and sign
 * people in over real HTTP with the data landing in the table.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startAuthjsExample, type AuthjsExample } from "../../examples/authjs/server.js"
import { startBetterAuthExample, type BetterAuthExample } from "../../examples/better-auth/server.js"
import { HttpSession } from "../support/http-session.js"
import { DEFAULT_PEOPLE } from "../support/oidc-idp.js"
import { createTestTable, endpoint, type TestTable } from "../support/test-table.js"
import { authjsSession, betterAuthSession, signInWithAuthjs, signInWithBetterAuth } from "./flows.js"

describe("examples/better-auth", () => {
  let table: TestTable
  let example: BetterAuthExample
  beforeAll(async () => {
    table = await createTestTable()
    example = await startBetterAuthExample({ endpoint: endpoint(), tableName: table.tableName })
  })
  afterAll(async () => {
    await example?.stop()
    await table?.drop()
  })

  it("serves Better Auth only, and signs Bob in through the identity provider", async () => {
    const browser = new HttpSession()
    expect((await browser.get(new URL("/auth/session", example.url))).status).toBe(404)
    await signInWithBetterAuth(browser, example.url, "bob")
    const session = await betterAuthSession(browser, example.url)
    expect(session?.user).toMatchObject({ email: DEFAULT_PEOPLE.bob.email, name: DEFAULT_PEOPLE.bob.name })
    const page = await (await browser.get(example.url)).text()
    expect(page).toContain(`data-testid="better-auth-user-id">${session!.user.id}<`)
    expect(page).not.toContain('data-testid="authjs-card"')
    // Without a browser too: the page lists the sign-in's DynamoDB requests and Bob's items, and fits a phone.
    expect(page).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">')
    expect(page).toMatch(/<li data-testid="action" data-requests="[1-9]\d*"><span data-label>Better Auth: sign-in callback<\/span>: \d+ requests?: /)
    expect(page).toContain(`<code>USER#${session!.user.id}</code>`)
    const items = await table.scanAll()
    expect(items.filter((item) => item.type === "USER").map((item) => item.id)).toEqual([session!.user.id])
  })
})

describe("examples/authjs", () => {
  let table: TestTable
  let example: AuthjsExample
  beforeAll(async () => {
    table = await createTestTable()
    example = await startAuthjsExample({ endpoint: endpoint(), tableName: table.tableName })
  })
  afterAll(async () => {
    await example?.stop()
    await table?.drop()
  })

  it("serves Auth.js only, and signs Carol in through the identity provider", async () => {
    const browser = new HttpSession()
    expect((await browser.get(new URL("/api/auth/get-session", example.url))).status).toBe(404)
    await signInWithAuthjs(browser, example.url, "carol")
    const session = await authjsSession(browser, example.url)
    expect(session?.user).toMatchObject({ email: DEFAULT_PEOPLE.carol.email, name: DEFAULT_PEOPLE.carol.name })
    const page = await (await browser.get(example.url)).text()
    expect(page).toContain(`data-testid="authjs-user-id">${session!.user.id}<`)
    expect(page).not.toContain('data-testid="better-auth-card"')
    const items = await table.scanAll()
    expect(items.filter((item) => item.type === "USER").map((item) => item.id)).toEqual([session!.user.id])
  })
})
