/**
 * The shared example in a real browser: headless Chromium (Debian's
 * `chromium`, driven by playwright-core) signs in through Auth.js, then
 * through Better Auth, and the page shows the same user id for both.
 *
 * Where Chromium is not installed (`apt-get install -y chromium`), this one
 * test is skipped with the reason printed; everything else still runs.
 */
import { spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { chromium, type BrowserContext, type Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startSharedExample, type SharedExample } from "../../examples/shared/server.js"
import { DEFAULT_PEOPLE } from "../support/oidc-idp.js"
import { countRequests } from "../../src/core/client/request-counter.js"
import { createTestTable, endpoint, type TestTable } from "../support/test-table.js"

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium"
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
]

/** Why the browser cannot run here, or undefined when it can. */
function chromiumUnavailable(): string | undefined {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} not found (Debian/Ubuntu: apt-get install -y chromium)`
  const version = spawnSync(CHROMIUM, ["--version"], { encoding: "utf8", timeout: 20_000 })
  if (version.status !== 0) return `${CHROMIUM} --version failed: ${(version.stderr || String(version.error ?? "")).trim()}`
  return undefined
}

const unavailable = chromiumUnavailable()
if (unavailable) console.warn(`Skipping the browser test of the shared example: ${unavailable}`)

describe.skipIf(unavailable !== undefined)("the shared example in headless Chromium", () => {
  let table: TestTable
  let example: SharedExample
  let profile: string
  let context: BrowserContext
  let page: Page
  const navigations: string[] = []

  beforeAll(async () => {
    table = await createTestTable()
    example = await startSharedExample({ endpoint: endpoint(), tableName: table.tableName })
    profile = mkdtempSync(join(tmpdir(), "shared-example-chromium-"))
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS })
    page = context.pages()[0] ?? (await context.newPage())
    page.setDefaultTimeout(20_000)
    // Every document the tab loads, redirects included: the path each sign-in takes.
    page.on("request", (request) => {
      if (request.isNavigationRequest() && request.frame() === page.mainFrame()) navigations.push(request.url())
    })
  }, 60_000)

  afterAll(async () => {
    await context?.close()
    if (profile) rmSync(profile, { recursive: true, force: true })
    await example?.stop()
    await table?.drop()
  })

  it("signs in through Auth.js, then Better Auth, and shows the same user id for both", async () => {
    await page.goto(example.url)
    await expect.poll(() => page.getByTestId("authjs-status").textContent()).toBe("Not signed in.")
    expect(await page.getByTestId("better-auth-status").textContent()).toBe("Not signed in.")

    // Auth.js: a form post, the identity provider, the callback, back to the page.
    navigations.length = 0
    await page.getByTestId("authjs-sign-in-alice").click()
    await page.getByTestId("authjs-user-id").waitFor()
    expect(navigations.map((url) => new URL(url).pathname)).toEqual(["/auth/signin/idp", "/authorize", "/auth/callback/idp", "/"])
    const authjsUserId = await page.getByTestId("authjs-user-id").textContent()
    expect(authjsUserId).toMatch(/\S/)
    expect(await page.getByTestId("authjs-email").textContent()).toBe(DEFAULT_PEOPLE.alice.email)
    expect(await page.getByTestId("better-auth-status").textContent()).toBe("Not signed in.")

    // Better Auth: the page's script asks for the provider URL, the browser goes there and comes back.
    navigations.length = 0
    await page.getByTestId("better-auth-sign-in-alice").click()
    await page.getByTestId("better-auth-user-id").waitFor()
    expect(navigations.map((url) => new URL(url).pathname)).toEqual(["/authorize", "/api/auth/callback/idp", "/"])
    expect(await page.getByTestId("better-auth-user-id").textContent()).toBe(authjsUserId)
    expect(await page.getByTestId("authjs-user-id").textContent()).toBe(authjsUserId)
    expect(await page.getByTestId("better-auth-email").textContent()).toBe(DEFAULT_PEOPLE.alice.email)
    expect(await page.getByTestId("same-user").textContent()).toContain(authjsUserId!)

    const items = await table.scanAll()
    expect(items.filter((item) => item.type === "USER").map((item) => item.id)).toEqual([authjsUserId])
    expect(items.filter((item) => item.type === "SESSION")).toHaveLength(2)
    expect(items.filter((item) => item.type === "ACCOUNT_OWNER")).toHaveLength(1)
  }, 60_000)

  it("after an action, lists the DynamoDB requests it took (they add up to what the client sent) and the items both frameworks share for the person", async () => {
    // Out and in again through Better Auth: one session as before, so the sign-out test below still ends with none.
    await page.getByTestId("better-auth-sign-out").click()
    await expect.poll(() => page.getByTestId("better-auth-status").textContent()).toBe("Not signed in.")
    const counter = countRequests(example.table.client)
    try {
      await page.getByTestId("better-auth-sign-in-alice").click()
      await page.waitForURL((url) => url.pathname === "/" && !url.search)
      await page.getByTestId("better-auth-user-id").waitFor()
      const rows = await page.getByTestId("action").evaluateAll((elements) =>
        elements.map((element) => ({ label: element.querySelector("[data-label]")?.textContent, requests: Number(element.getAttribute("data-requests")) })),
      )
      // Newest first: the callback, then the request that asked for the provider's URL.
      expect(rows.slice(0, 2).map((row) => row.label)).toEqual(["Better Auth: sign-in callback", "Better Auth: start sign-in with the identity provider"])
      expect(rows[0]!.requests).toBeGreaterThan(0)
      const thisPage = Number(await page.getByTestId("page-requests").getAttribute("data-requests"))
      expect(thisPage).toBeGreaterThan(0)
      expect(rows[0]!.requests + rows[1]!.requests + thisPage).toBe(counter.total())
    } finally {
      counter.detach()
    }
    const userId = await page.getByTestId("better-auth-user-id").textContent()
    const rows = await page.getByTestId("shared-item").evaluateAll((elements) =>
      elements.map((element) => ({ type: element.getAttribute("data-type"), role: element.lastElementChild?.textContent ?? "" })),
    )
    const types = rows.map((row) => row.type)
    // One user, its email claim and directory entry, the provider account with its claim and id lookup, and each framework's session with its token item.
    expect([...new Set(types)].sort()).toEqual(["ACCOUNT", "ACCOUNT_ID", "ACCOUNT_OWNER", "EMAIL", "SESSION", "SESSION_TOKEN", "USER", "USER_DIRECTORY"])
    expect(types.filter((type) => type === "USER")).toHaveLength(1)
    expect(types.filter((type) => type === "SESSION")).toHaveLength(2)
    expect(rows.filter((row) => row.role === "").map((row) => row.type)).toEqual([])
    expect(await page.getByTestId("shared-items").textContent()).toContain(`USER#${userId}`)
  }, 60_000)

  it("signs out of each framework separately", async () => {
    await page.getByTestId("authjs-sign-out").click()
    await expect.poll(() => page.getByTestId("authjs-status").textContent()).toBe("Not signed in.")
    expect(await page.getByTestId("better-auth-status").textContent()).toBe("Signed in.")
    await page.getByTestId("better-auth-sign-out").click()
    await expect.poll(() => page.getByTestId("better-auth-status").textContent()).toBe("Not signed in.")
    const items = await table.scanAll()
    expect(items.filter((item) => item.type === "SESSION" || item.type === "SESSION_TOKEN")).toEqual([])
    expect(items.filter((item) => item.type === "USER")).toHaveLength(1)
  }, 60_000)

  it("a magic link request comes back to the demo, which shows the link (not Auth.js's stock 'check your email' page)", async () => {
    navigations.length = 0
    await page.getByTestId("magic-link-email").fill("dora@example.com")
    await page.getByTestId("magic-link-send").click()
    await page.getByTestId("magic-link-sent").waitFor()
    expect(new URL(page.url()).pathname).toBe("/")
    expect(navigations.map((url) => new URL(url).pathname)).toEqual(["/auth/signin/email", "/auth/verify-request", "/"])
    expect(await page.getByTestId("magic-link-sent").textContent()).toContain("dora@example.com")
    await page.getByTestId("magic-link").first().click()
    await expect.poll(() => page.getByTestId("authjs-email").textContent()).toBe("dora@example.com")
  }, 60_000)

  it("reads on a narrow screen: a viewport meta tag, no sideways scrolling, buttons at least 40 px tall with 16 px text", async () => {
    const narrow = await context.newPage()
    try {
      await narrow.setViewportSize({ width: 360, height: 740 })
      await narrow.goto(example.url)
      expect(await narrow.locator('meta[name="viewport"]').getAttribute("content")).toBe("width=device-width, initial-scale=1")
      expect(await narrow.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360)
      const buttons = await narrow.locator("button").evaluateAll((elements) =>
        elements.map((element) => ({ height: element.getBoundingClientRect().height, fontSize: parseFloat(getComputedStyle(element).fontSize), text: element.textContent })),
      )
      expect(buttons.length).toBeGreaterThan(0)
      for (const button of buttons) {
        expect(button.height, button.text ?? "").toBeGreaterThanOrEqual(40)
        expect(button.fontSize, button.text ?? "").toBeGreaterThanOrEqual(16)
      }
    } finally {
      await narrow.close()
    }
  }, 60_000)
})
