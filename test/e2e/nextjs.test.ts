/**
 * The Next.js example (`examples/nextjs`) as users run it: `next build`, then
 * `next start`, on a fresh table on DynamoDB Local, with the loopback identity
 * provider; headless Chromium (Debian's `chromium`, driven by playwright-core)
 * signs in through Auth.js (next-auth v5), then through Better Auth, and the
 * server component shows the same user id for both.
 *
 * The app imports the library by its package name, so it runs the build in
 * `dist/` (`npm test` makes it first, in `pretest`). Every child process
 * (next build, next start) runs in its own process group and is stopped in
 * `afterAll`, and killed when the test process exits, whatever failed.
 *
 * Where Chromium is not installed (`apt-get install -y chromium`), this file
 * is skipped with the reason printed; everything else still runs.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process"
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { chromium, type BrowserContext, type Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { freePort } from "../support/dynamodb-local.js"
import { DEFAULT_PEOPLE, startOidcIdp, type OidcIdp } from "../support/oidc-idp.js"
import { createTestTable, endpoint, type TestTable } from "../support/test-table.js"

const ROOT = resolve(import.meta.dirname, "../..")
const APP_DIR = join(ROOT, "examples/nextjs")
const NEXT_BIN = join(ROOT, "node_modules/next/dist/bin/next")
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

/** A clean build takes about 30 s alone; the suite runs files in parallel on two cores. */
const BUILD_TIMEOUT_MS = 200_000
const START_TIMEOUT_MS = 60_000

/** Why the browser cannot run here, or undefined when it can. */
function chromiumUnavailable(): string | undefined {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} not found (Debian/Ubuntu: apt-get install -y chromium)`
  const version = spawnSync(CHROMIUM, ["--version"], { encoding: "utf8", timeout: 20_000 })
  if (version.status !== 0) return `${CHROMIUM} --version failed: ${(version.stderr || String(version.error ?? "")).trim()}`
  return undefined
}

function newestModification(folder: string): number {
  let newest = 0
  for (const entry of readdirSync(folder, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs)
  }
  return newest
}

/** The app runs the package's build: refuse a missing or stale one rather than test old code. */
function assertFreshBuild(): void {
  const built = join(ROOT, "dist/authjs/index.js")
  if (!existsSync(built)) throw new Error("dist/ is missing: run `npm run build` (npm test does it in pretest), then this test again")
  if (newestModification(join(ROOT, "src")) > statSync(built).mtimeMs) {
    throw new Error("dist/ is older than src/: run `npm run build` (npm test does it in pretest), then this test again")
  }
}

/** A `next` command in its own process group, its output kept for failure messages. */
class NextProcess {
  private output = ""
  private readonly child: ChildProcess
  readonly exited: Promise<number | null>
  private readonly killOnExit = () => this.signal("SIGKILL")

  constructor(args: string[], env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, [NEXT_BIN, ...args], { cwd: APP_DIR, env, detached: true, stdio: ["ignore", "pipe", "pipe"] })
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-20_000)
    }
    this.child.stdout?.on("data", keep)
    this.child.stderr?.on("data", keep)
    this.exited = new Promise((resolve) => this.child.once("exit", (code) => resolve(code)))
    // If the test process dies first (a timeout, Ctrl-C), the group goes with it.
    process.once("exit", this.killOnExit)
    void this.exited.then(() => process.off("exit", this.killOnExit))
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null
  }

  get log(): string {
    return this.output
  }

  /** Signals the whole group: `next build` runs workers of its own. */
  signal(signal: NodeJS.Signals): void {
    if (this.child.pid === undefined || !this.running) return
    try {
      process.kill(-this.child.pid, signal)
    } catch {
      // Already gone.
    }
  }

  async stop(): Promise<void> {
    if (!this.running) return
    this.signal("SIGTERM")
    const timer = setTimeout(() => this.signal("SIGKILL"), 5_000)
    await this.exited
    clearTimeout(timer)
  }
}

/** Only what the app needs: no AWS profile, endpoint or NODE_ENV of the test process leaks in. */
function appEnvironment(settings: Record<string, string>): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(["PATH", "HOME", "TMPDIR", "LANG"].flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : [])))
  return {
    ...inherited,
    NEXT_TELEMETRY_DISABLED: "1",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
    ...settings,
  }
}

/** Runs `next build` to the end; `track` learns of the process at once, so that `afterAll` can stop it whatever happens. */
async function nextBuild(env: NodeJS.ProcessEnv, track: (build: NextProcess) => void): Promise<void> {
  const build = new NextProcess(["build"], env)
  track(build)
  const timer = setTimeout(() => build.signal("SIGKILL"), BUILD_TIMEOUT_MS)
  const code = await build.exited
  clearTimeout(timer)
  if (code !== 0) throw new Error(`next build failed (exit ${code ?? `killed after ${BUILD_TIMEOUT_MS} ms`}):\n${build.log}`)
}

async function waitUntilServing(server: NextProcess, origin: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS
  let last = ""
  while (Date.now() < deadline) {
    if (!server.running) throw new Error(`next start exited before serving:\n${server.log}`)
    try {
      const response = await fetch(`${origin}/auth/providers`)
      if (response.ok) return
      last = `HTTP ${response.status}`
    } catch (error) {
      last = String(error)
    }
    await new Promise((r) => setTimeout(r, 250))
  }
  throw new Error(`next start did not serve ${origin} within ${START_TIMEOUT_MS} ms (${last}):\n${server.log}`)
}

const unavailable = chromiumUnavailable()
if (unavailable) console.warn(`Skipping the Next.js example test: ${unavailable}`)

describe.skipIf(unavailable !== undefined)("the Next.js example (next build, next start) in headless Chromium", () => {
  let table: TestTable | undefined
  let idp: OidcIdp | undefined
  let build: NextProcess | undefined
  let server: NextProcess | undefined
  let origin = ""
  let env: NodeJS.ProcessEnv = {}
  let profile: string | undefined
  let context: BrowserContext | undefined
  let page: Page
  const navigations: string[] = []

  beforeAll(async () => {
    assertFreshBuild()
    table = await createTestTable()
    idp = await startOidcIdp()
    // localhost, not 127.0.0.1: Next.js rewrites a loopback address in request URLs to "localhost"
    // (NextURL), so Auth.js's redirects go there, and cookies set for 127.0.0.1 would not.
    origin = `http://localhost:${await freePort()}`
    env = appEnvironment({
      DYNAMODB_ENDPOINT: endpoint(),
      DYNAMODB_TABLE: table.tableName,
      OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID: idp.clientId,
      OIDC_CLIENT_SECRET: idp.clientSecret,
      AUTH_SECRET: "nextjs-example-test-authjs-secret-0123456789",
      BETTER_AUTH_SECRET: "nextjs-example-test-better-auth-secret-0123456789",
      // Auth.js needs no URL: it takes the request's. Better Auth's server actions have no request to take it from.
      BETTER_AUTH_URL: origin,
    })
    await nextBuild(env, (started) => (build = started))
  }, BUILD_TIMEOUT_MS + 30_000)

  beforeAll(async () => {
    const { port } = new URL(origin)
    server = new NextProcess(["start", "--hostname", "localhost", "--port", port], env)
    await waitUntilServing(server, origin)
    profile = mkdtempSync(join(tmpdir(), "nextjs-example-chromium-"))
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS })
    page = context.pages()[0] ?? (await context.newPage())
    page.setDefaultTimeout(20_000)
    // Every document the tab loads, redirects included: the path each sign-in takes.
    page.on("request", (request) => {
      if (request.isNavigationRequest() && request.frame() === page.mainFrame()) navigations.push(request.url())
    })
  }, START_TIMEOUT_MS + 30_000)

  afterAll(async () => {
    await context?.close()
    if (profile) rmSync(profile, { recursive: true, force: true })
    await build?.stop()
    await server?.stop()
    await idp?.stop()
    await table?.drop()
  }, 30_000)

  it("signs in through Auth.js, then Better Auth, and the server component shows the same user id for both", async () => {
    await page.goto(`${origin}/`)
    expect(await page.getByTestId("authjs-status").textContent()).toBe("Not signed in.")
    expect(await page.getByTestId("better-auth-status").textContent()).toBe("Not signed in.")

    // Auth.js: a server action calls next-auth's signIn(), the browser goes to the provider and back.
    navigations.length = 0
    await page.getByTestId("authjs-sign-in").click()
    await page.getByTestId("authjs-user-id").waitFor()
    expect(navigations.map((url) => new URL(url).pathname)).toEqual(["/authorize", "/auth/callback/idp", "/"])
    const authjsUserId = await page.getByTestId("authjs-user-id").textContent()
    expect(authjsUserId).toMatch(/\S/)
    expect(await page.getByTestId("authjs-email").textContent()).toBe(DEFAULT_PEOPLE.alice.email)
    expect(await page.getByTestId("better-auth-status").textContent()).toBe("Not signed in.")

    // Better Auth: a server action calls api.signInSocial(), the browser goes to the provider and back.
    navigations.length = 0
    await page.getByTestId("better-auth-sign-in").click()
    await page.getByTestId("better-auth-user-id").waitFor()
    expect(navigations.map((url) => new URL(url).pathname)).toEqual(["/authorize", "/api/auth/callback/idp", "/"])
    expect(await page.getByTestId("better-auth-user-id").textContent()).toBe(authjsUserId)
    expect(await page.getByTestId("authjs-user-id").textContent()).toBe(authjsUserId)
    expect(await page.getByTestId("better-auth-email").textContent()).toBe(DEFAULT_PEOPLE.alice.email)
    expect(await page.getByTestId("same-user").textContent()).toBe(`Both frameworks see the same person: user ${authjsUserId}.`)

    const items = await table!.scanAll()
    expect(items.filter((item) => item.type === "USER").map((item) => [item.id, item.email])).toEqual([[authjsUserId, DEFAULT_PEOPLE.alice.email]])
    // The account item (in the user's partition), not its provider-account lookup item.
    const accounts = items.filter((item) => String(item.pk).startsWith("USER#") && String(item.sk).startsWith("ACCOUNT#"))
    expect(accounts.map((item) => [item.userId, item.provider, item.providerAccountId])).toEqual([[authjsUserId, "idp", DEFAULT_PEOPLE.alice.sub]])
    expect(items.filter((item) => item.type === "ACCOUNT_OWNER")).toHaveLength(1)
    expect(items.filter((item) => item.type === "SESSION").map((item) => item.userId)).toEqual([authjsUserId, authjsUserId])
  }, 60_000)

  it("signs out of each framework separately, and the user stays", async () => {
    await page.getByTestId("authjs-sign-out").click()
    await page.getByTestId("authjs-sign-in").waitFor()
    expect(await page.getByTestId("authjs-status").textContent()).toBe("Not signed in.")
    expect(await page.getByTestId("better-auth-status").textContent()).toBe("Signed in.")

    await page.getByTestId("better-auth-sign-out").click()
    await page.getByTestId("better-auth-sign-in").waitFor()
    expect(await page.getByTestId("better-auth-status").textContent()).toBe("Not signed in.")

    const items = await table!.scanAll()
    expect(items.filter((item) => item.type === "SESSION" || item.type === "SESSION_TOKEN")).toEqual([])
    expect(items.filter((item) => item.type === "USER")).toHaveLength(1)
  }, 60_000)
})
