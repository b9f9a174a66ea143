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
})
