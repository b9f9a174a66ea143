/**
 * An OpenID Connect identity provider on loopback (npm `oauth2-mock-server`)
 * with named people, for signing in through Auth.js and Better Auth with no
 * internet. Used by the end-to-end tests and by the example servers.
 *
 * The person is chosen per sign-in by the `login_hint` authorization
 * parameter (their key, or their email); without one, the first person signs
 * in. Their claims (`sub`, `email`, `email_verified`, `name`, `picture`) go
 * into the access token, the id_token and the userinfo answer.
 */
import { OAuth2Server } from "oauth2-mock-server"
import type { IncomingMessage } from "node:http"

/** Someone who can sign in at the identity provider. */
export interface IdpPerson {
  /** Stable subject: becomes Auth.js's `providerAccountId` and Better Auth's `accountId`. */
  sub: string
  email: string
  email_verified: boolean
  name: string
  picture: string
}

/** The people every test and example can sign in as, by key. */
export const DEFAULT_PEOPLE = {
  alice: {
    sub: "idp-alice-0001",
    email: "alice@example.com",
    email_verified: true,
    name: "Alice Liddell",
    picture: "https://example.com/avatars/alice.png",
  },
  bob: {
    sub: "idp-bob-0002",
    email: "bob@example.com",
    email_verified: false,
    name: "Bob Builder",
    picture: "https://example.com/avatars/bob.png",
  },
  carol: {
    sub: "idp-carol-0003",
    email: "carol@example.com",
    email_verified: true,
    name: "Carol Danvers",
    picture: "https://example.com/avatars/carol.png",
  },
} as const satisfies Record<string, IdpPerson>

export interface OidcIdpOptions {
  /** People by key. Default: {@link DEFAULT_PEOPLE}. */
  people?: Record<string, IdpPerson>
  /** Port on 127.0.0.1; a free one when absent. */
  port?: number
  /** Access token lifetime in seconds (the `expires_in` of the token answer). Default 3600. */
  accessTokenTtl?: number
  /** Scope the token endpoint reports as granted. Default: the scope asked for at the authorization endpoint. */
  grantedScope?: string
}

export interface OidcIdp {
  /** `http://127.0.0.1:<port>`: the issuer exactly as clients see it (discovery checks it). */
  issuer: string
  /** `<issuer>/.well-known/openid-configuration` */
  discoveryUrl: string
  people: Record<string, IdpPerson>
  /** Client credentials any client may use (the mock accepts every client). */
  clientId: string
  clientSecret: string
  /** The last token answer per person key: what a client should have stored. */
  lastTokens(key: string): IssuedTokens | undefined
  stop(): Promise<void>
}

/** The parts of a token endpoint answer that end up in account items. */
export interface IssuedTokens {
  access_token: string
  refresh_token: string
  id_token: string
  expires_in: number
  scope: string
  /** Epoch seconds when the answer was produced. */
  issuedAt: number
}

function queryParameter(req: IncomingMessage, name: string): string | undefined {
  const url = new URL(req.url ?? "/", "http://idp.invalid")
  return url.searchParams.get(name) ?? undefined
}

function bodyOf(req: IncomingMessage): Record<string, unknown> {
  const body = (req as IncomingMessage & { body?: unknown }).body
  return body && typeof body === "object" ? (body as Record<string, unknown>) : {}
}

/** The `sub` of a JWT, read without verifying it: the mock signed it moments ago. */
function subjectOfJwt(token: string): string | undefined {
  const payload = token.split(".")[1]
  if (!payload) return undefined
  try {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { sub?: unknown }
    return typeof claims.sub === "string" ? claims.sub : undefined
  } catch {
    return undefined
  }
}

/** Starts the identity provider on 127.0.0.1. */
export async function startOidcIdp(options: OidcIdpOptions = {}): Promise<OidcIdp> {
  const people: Record<string, IdpPerson> = { ...(options.people ?? DEFAULT_PEOPLE) }
  const keys = Object.keys(people)
  if (keys.length === 0) throw new Error("startOidcIdp: give at least one person")
  const keyOf = (hint: string | undefined): string => {
    if (!hint) return keys[0]!
    const normalized = hint.trim().toLowerCase()
    const key = keys.find((k) => k.toLowerCase() === normalized || people[k]!.email.toLowerCase() === normalized)
    if (!key) throw new Error(`startOidcIdp: nobody called "${hint}" (known: ${keys.join(", ")})`)
    return key
  }
  const keyBySub = (sub: string | undefined) => keys.find((k) => people[k]!.sub === sub)

  // Which person (and which requested scope) each authorization code and refresh token belongs to.
  const personByCode = new Map<string, string>()
  const scopeByCode = new Map<string, string>()
  const personByRefreshToken = new Map<string, string>()
  const tokensByPerson = new Map<string, IssuedTokens>()

  const server = new OAuth2Server()
  await server.issuer.keys.generate("RS256")
  await server.start(options.port ?? 0, "127.0.0.1")
  const issuer = `http://127.0.0.1:${server.address().port}`
  // Bound to 127.0.0.1 the mock would announce http://localhost:<port>; Auth.js checks the issuer exactly.
  server.issuer.url = issuer

  const personOfTokenRequest = (req: IncomingMessage): string | undefined => {
    const body = bodyOf(req)
    if (typeof body.code === "string") return personByCode.get(body.code)
    if (typeof body.refresh_token === "string") return personByRefreshToken.get(body.refresh_token)
    return undefined
  }

  server.service.on("beforeAuthorizeRedirect", ({ url }: { url: URL }, req: IncomingMessage) => {
    const code = url.searchParams.get("code")
    if (!code) return
    personByCode.set(code, keyOf(queryParameter(req, "login_hint")))
    scopeByCode.set(code, queryParameter(req, "scope") ?? "openid")
  })

  server.service.on("beforeTokenSigning", (token: { payload: Record<string, unknown> }, req: IncomingMessage) => {
    const key = personOfTokenRequest(req)
    const person = key ? people[key] : undefined
    if (!person) return
    Object.assign(token.payload, {
      sub: person.sub,
      email: person.email,
      email_verified: person.email_verified,
      name: person.name,
      picture: person.picture,
    })
  })

  server.service.on("beforeResponse", (response: { body: Record<string, unknown>; statusCode: number }, req: IncomingMessage) => {
    const key = personOfTokenRequest(req)
    if (!key || response.statusCode !== 200) return
    const body = bodyOf(req)
    if (typeof body.code === "string") {
      // The mock reports the token request's scope (or "dummy"); a real provider grants what was authorized.
      const requested = scopeByCode.get(body.code)
      if (requested) response.body.scope = requested
      personByCode.delete(body.code)
      scopeByCode.delete(body.code)
    }
    if (options.accessTokenTtl !== undefined) response.body.expires_in = options.accessTokenTtl
    if (options.grantedScope !== undefined) response.body.scope = options.grantedScope
    const refreshToken = String(response.body.refresh_token)
    personByRefreshToken.set(refreshToken, key)
    tokensByPerson.set(key, {
      access_token: String(response.body.access_token),
      refresh_token: refreshToken,
      id_token: String(response.body.id_token),
      expires_in: Number(response.body.expires_in),
      scope: String(response.body.scope),
      issuedAt: Math.floor(Date.now() / 1000),
    })
  })

  server.service.on("beforeUserinfo", (response: { body: Record<string, unknown> | ""; statusCode: number }, req: IncomingMessage) => {
    const authorization = req.headers.authorization ?? ""
    const token = authorization.replace(/^Bearer\s+/i, "")
    const key = keyBySub(subjectOfJwt(token))
    if (!key) {
      response.statusCode = 401
      response.body = { error: "invalid_token" }
      return
    }
    response.body = { ...people[key]! }
  })

  return {
    issuer,
    discoveryUrl: `${issuer}/.well-known/openid-configuration`,
    people,
    clientId: "loopback-client",
    clientSecret: "loopback-client-secret",
    lastTokens: (key) => tokensByPerson.get(key),
    stop: () => server.stop(),
  }
}
