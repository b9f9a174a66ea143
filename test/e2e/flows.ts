/**
 * Sign-in flows of the shared example driven over real HTTP by an
 * {@link HttpSession}, the way a browser would go through them.
 */
import { expect } from "vitest"
import type { HttpSession } from "../support/http-session.js"

/** What `GET /auth/session` answers (with the example's session callback adding the id). */
export interface AuthjsSessionBody {
  user: { id: string; email: string | null; name: string | null; image: string | null }
  expires: string
}

/** What `GET /api/auth/get-session` answers. */
export interface BetterAuthSessionBody {
  user: { id: string; email: string; name: string; image?: string | null; emailVerified: boolean }
  session: { id: string; token: string; userId: string; expiresAt: string }
}

export async function authjsCsrfToken(browser: HttpSession, base: string): Promise<string> {
  const response = await browser.get(new URL("/auth/csrf", base))
  expect(response.status).toBe(200)
  return ((await response.json()) as { csrfToken: string }).csrfToken
}

/** Auth.js OIDC sign-in as `person` (a key of the IdP's people); ends on the page at `/`. */
export async function signInWithAuthjs(browser: HttpSession, base: string, person: string): Promise<void> {
  const start = new URL(`/auth/signin/idp?login_hint=${encodeURIComponent(person)}`, base)
  const response = await browser.postForm(start, { csrfToken: await authjsCsrfToken(browser, base), callbackUrl: new URL("/", base).href })
  expect(response.status).toBe(302)
  const end = await browser.follow(response, start)
  expect(end.hops.map((hop) => new URL(hop.url).pathname)).toEqual(["/authorize", "/auth/callback/idp", "/"])
  expect(end.response.status).toBe(200)
  await end.response.body?.cancel()
}

/** Auth.js email sign-in: asks for a magic link (returned by `takeLink`) and opens it. */
export async function signInWithAuthjsMagicLink(browser: HttpSession, base: string, email: string, takeLink: () => string | undefined): Promise<void> {
  const start = new URL("/auth/signin/email", base)
  const response = await browser.postForm(start, { csrfToken: await authjsCsrfToken(browser, base), callbackUrl: new URL("/", base).href, email })
  const sent = await browser.follow(response, start)
  // Auth.js's verify-request step sends the browser back to the example's page (pages.verifyRequest), which shows the link.
  expect(sent.hops.map((hop) => new URL(hop.url).pathname)).toEqual(["/auth/verify-request", "/"])
  await sent.response.body?.cancel()
  const link = takeLink()
  expect(link, "a magic link was sent").toBeDefined()
  const end = await browser.navigate(link!)
  expect(end.hops.map((hop) => new URL(hop.url).pathname)).toEqual(["/auth/callback/email", "/"])
  await end.response.body?.cancel()
}

export async function authjsSession(browser: HttpSession, base: string): Promise<AuthjsSessionBody | null> {
  const response = await browser.get(new URL("/auth/session", base))
  expect(response.status).toBe(200)
  return (await response.json()) as AuthjsSessionBody | null
}

/** Better Auth genericOAuth sign-in as `person`; ends on the page at `/`. */
export async function signInWithBetterAuth(browser: HttpSession, base: string, person: string): Promise<void> {
  const response = await browser.postJson(new URL("/api/auth/sign-in/social", base), { provider: "idp", callbackURL: "/", loginHint: person })
  expect(response.status).toBe(200)
  const { url } = (await response.json()) as { url: string }
  const end = await browser.navigate(url)
  expect(end.hops.map((hop) => new URL(hop.url).pathname)).toEqual(["/authorize", "/api/auth/callback/idp", "/"])
  expect(end.response.status).toBe(200)
  await end.response.body?.cancel()
}

export async function signUpWithBetterAuth(browser: HttpSession, base: string, body: { email: string; password: string; name: string }) {
  const response = await browser.postJson(new URL("/api/auth/sign-up/email", base), body)
  expect(response.status).toBe(200)
  return (await response.json()) as { user: BetterAuthSessionBody["user"] }
}

export async function betterAuthSession(browser: HttpSession, base: string): Promise<BetterAuthSessionBody | null> {
  const response = await browser.get(new URL("/api/auth/get-session", base))
  expect(response.status).toBe(200)
  return (await response.json()) as BetterAuthSessionBody | null
}
