/**
 * A real OIDC sign-in through @auth/core's `Auth()` handler with database
 * sessions, against an identity provider on loopback (oauth2-mock-server):
 * sign in, read the session, sign out, checking the table at each step.
 */
import { Auth, type AuthConfig } from "@auth/core"
import { OAuth2Server } from "oauth2-mock-server"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { DynamoDBAdapter } from "../../src/authjs/index.js"
import { createTestTable, type TestTable } from "../support/test-table.js"

const APP = "http://localhost:3000"
const PERSON = { sub: "alice-sub", email: "alice@example.com", name: "Alice", picture: "https://example.com/alice.png" }

let table: TestTable
let idp: OAuth2Server
let config: AuthConfig

/** Cookies carried between requests, as a browser would. */
class CookieJar {
  private readonly cookies = new Map<string, string>()
  take(response: Response) {
    for (const header of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = header.split(";")
      const index = pair.indexOf("=")
      const name = pair.slice(0, index).trim()
      const value = pair.slice(index + 1).trim()
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === ""
      if (expired) this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
  }
  header() {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ")
  }
  has(prefix: string) {
    return [...this.cookies.keys()].some((name) => name.includes(prefix))
  }
}

async function send(jar: CookieJar, url: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers)
  headers.set("cookie", jar.header())
  const response = await Auth(new Request(url, { ...init, headers }), config)
  jar.take(response)
  return response
}

async function csrfToken(jar: CookieJar): Promise<string> {
  const response = await send(jar, `${APP}/auth/csrf`)
  return ((await response.json()) as { csrfToken: string }).csrfToken
}

function form(fields: Record<string, string>) {
  return { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields).toString() }
}

beforeAll(async () => {
  table = await createTestTable()
  idp = new OAuth2Server()
  await idp.issuer.keys.generate("RS256")
  await idp.start(0, "127.0.0.1")
  const issuer = `http://127.0.0.1:${idp.address().port}`
  idp.issuer.url = issuer
  idp.service.on("beforeTokenSigning", (token) => {
    Object.assign(token.payload, { sub: PERSON.sub, email: PERSON.email, name: PERSON.name, picture: PERSON.picture })
  })
  idp.service.on("beforeUserinfo", (response) => {
    response.body = { ...PERSON }
  })
  config = {
    adapter: DynamoDBAdapter(table.document, { tableName: table.tableName }),
    providers: [{ id: "mock", name: "Mock IdP", type: "oidc", issuer, clientId: "client", clientSecret: "secret" }],
    secret: "a-test-secret-that-is-long-enough-1234567890",
    trustHost: true,
    basePath: "/auth",
    session: { strategy: "database" },
  }
})
afterAll(async () => {
  await idp.stop()
  await table.drop()
})

describe("Auth.js sign-in with database sessions on DynamoDB Local", () => {
  const jar = new CookieJar()

  it("signs in through the OIDC provider: user, account and session items are written", async () => {
    expect(await table.scanAll()).toEqual([])
    const start = await send(jar, `${APP}/auth/signin/mock`, form({ csrfToken: await csrfToken(jar), callbackUrl: `${APP}/dashboard` }))
    expect(start.status).toBe(302)
    const authorize = start.headers.get("location")!
    expect(authorize.startsWith(`http://127.0.0.1:${idp.address().port}/authorize`)).toBe(true)

    const atProvider = await fetch(authorize, { redirect: "manual" })
    const callback = atProvider.headers.get("location")!
    expect(callback.startsWith(`${APP}/auth/callback/mock`)).toBe(true)

    const done = await send(jar, callback)
    expect(done.status).toBe(302)
    expect(done.headers.get("location")).toBe(`${APP}/dashboard`)
    expect(jar.has("session-token")).toBe(true)

    const items = await table.scanAll()
    const user = items.find((i) => i.type === "USER")
    expect(user).toMatchObject({ email: PERSON.email, name: PERSON.name, image: PERSON.picture, emailVerified: null })
    const userId = String(user?.id)
    expect(items.map((i) => [i.pk, i.sk, i.type])).toEqual(
      [
        [`ACCOUNT#mock#${PERSON.sub}`, `ACCOUNT#mock#${PERSON.sub}`, "ACCOUNT_OWNER"],
        // The account's id lookup (how Better Auth finds an account by id).
        [expect.stringMatching(/^ACCOUNT_ID#/), expect.stringMatching(/^ACCOUNT_ID#/), "ACCOUNT_ID"],
        [`EMAIL#${PERSON.email}`, `EMAIL#${PERSON.email}`, "EMAIL"],
        [expect.stringMatching(/^SESSION#/), expect.stringMatching(/^SESSION#/), "SESSION_TOKEN"],
        [`USER#${userId}`, `ACCOUNT#mock#${PERSON.sub}`, "oidc"],
        [`USER#${userId}`, expect.stringMatching(/^SESSION#/), "SESSION"],
        [`USER#${userId}`, `USER#${userId}`, "USER"],
        // Its entry in the user directory (how Better Auth lists users without a Scan).
        [expect.stringMatching(/^USER_DIRECTORY#[0-3]$/), userId, "USER_DIRECTORY"],
      ],
    )
    expect(items.find((i) => i.type === "oidc")).toMatchObject({ userId, provider: "mock", providerAccountId: PERSON.sub, token_type: "bearer" })
  })

  it("reads the session from the database", async () => {
    table.counter.reset()
    const response = await send(jar, `${APP}/auth/session`)
    const session = (await response.json()) as { user: Record<string, unknown>; expires: string }
    expect(session.user).toEqual({ name: PERSON.name, email: PERSON.email, image: PERSON.picture })
    expect(new Date(session.expires).getTime()).toBeGreaterThan(Date.now())
    // getSessionAndUser: the token item with its copy of the user; no GSI read (a fresh session needs no extension yet).
    expect(table.counter.byCommand()).toEqual({ GetItem: 1 })
  })

  it("signs out: both session items are deleted, the user and account stay", async () => {
    const response = await send(jar, `${APP}/auth/signout`, form({ csrfToken: await csrfToken(jar), callbackUrl: `${APP}/` }))
    expect(response.status).toBe(302)
    expect(jar.has("session-token")).toBe(false)
    const items = await table.scanAll()
    expect(items.filter((i) => String(i.sk).startsWith("SESSION#"))).toEqual([])
    expect(items.map((i) => i.type).sort()).toEqual(["ACCOUNT_ID", "ACCOUNT_OWNER", "EMAIL", "USER", "USER_DIRECTORY", "oidc"])
    const after = (await (await send(jar, `${APP}/auth/session`)).json()) as unknown
    expect(after).toBeNull()
  })

  it("signs in again: the same user and account, a new session", async () => {
    const start = await send(jar, `${APP}/auth/signin/mock`, form({ csrfToken: await csrfToken(jar), callbackUrl: `${APP}/` }))
    const atProvider = await fetch(start.headers.get("location")!, { redirect: "manual" })
    await send(jar, atProvider.headers.get("location")!)
    const items = await table.scanAll()
    expect(items.filter((i) => i.type === "USER")).toHaveLength(1)
    expect(items.filter((i) => i.type === "oidc")).toHaveLength(1)
    expect(items.filter((i) => i.type === "SESSION")).toHaveLength(1)
    expect(items.filter((i) => i.type === "SESSION_TOKEN")).toHaveLength(1)
  })
})
