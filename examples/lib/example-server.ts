/**
 * The examples' server: Better Auth under `/api/auth` and/or Auth.js under
 * `/auth` on one node:http server over one DynamoDB table, the loopback
 * identity provider started alongside, and a page at `/` showing who is
 * signed in through which framework. The shared example mounts both; the
 * single-framework examples mount one.
 */
import { Auth, type AuthConfig } from "@auth/core"
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb"
import { DEFAULT_PEOPLE, startOidcIdp, type IdpPerson, type OidcIdp } from "../../test/support/oidc-idp.js"
import { createAuthjsConfig, Outbox, type ExampleAuthjs } from "./authjs-setup.js"
import { createBetterAuth, type ExampleBetterAuth } from "./better-auth-setup.js"
import { ActionLog, actionLabel } from "./action-log.js"
import { openExampleTable, type ExampleTable } from "./example-table.js"
import { personItems } from "./person-items.js"
import { serve } from "./serve.js"
import { html } from "./web-bridge.js"
import { renderHomePage, type HomePageData, type SignedInUser } from "./page.js"

export interface ExampleOptions {
  /** A running DynamoDB (Local). When absent: `DYNAMODB_ENDPOINT`, else an embedded DynamoDB Local. */
  endpoint?: string
  /** A DynamoDBClient to use as it is (e.g. one with request counting); `endpoint` and `dataDir` are then ignored. */
  client?: DynamoDBClient
  /** Port on 127.0.0.1; a free one when absent. */
  port?: number
  /** Keep the embedded DynamoDB Local's data in this folder; in memory when absent. */
  dataDir?: string
  /** Default `next-auth`. Created when missing. */
  tableName?: string
  /** People at the identity provider. Default: Alice, Bob and Carol. */
  people?: Record<string, IdpPerson>
  /** Print magic links to the console (the example has no mail server). Default false. */
  printMagicLinks?: boolean
}

export interface Mounted {
  authjs: boolean
  betterAuth: boolean
}

export interface RunningExample {
  /** The page to open, `http://127.0.0.1:<port>/`. */
  url: string
  stop(): Promise<void>
  /** The parts, for tests and for poking around. */
  table: ExampleTable
  idp: OidcIdp
  /** Present when Better Auth is mounted. */
  betterAuth: ExampleBetterAuth | undefined
  /** Present when Auth.js is mounted. */
  authjs: ExampleAuthjs | undefined
  outbox: Outbox
}

/** The Auth.js session the browser's cookies stand for, and the cookies Auth.js wants set. */
async function authjsSession(request: Request, origin: string, config: AuthConfig) {
  const headers = new Headers({ cookie: request.headers.get("cookie") ?? "" })
  const response = await Auth(new Request(`${origin}${config.basePath}/session`, { headers }), config)
  const body = (await response.json()) as { user?: Record<string, unknown>; expires?: string } | null
  // Only the session cookie (Auth.js may extend it); the CSRF cookie comes from the CSRF request, paired with the form's token.
  const cookies = response.headers.getSetCookie().filter((cookie) => cookie.includes("session-token"))
  return { session: body?.user ? body : null, cookies }
}

async function authjsCsrfToken(request: Request, origin: string, config: AuthConfig) {
  const headers = new Headers({ cookie: request.headers.get("cookie") ?? "" })
  const response = await Auth(new Request(`${origin}${config.basePath}/csrf`, { headers }), config)
  const body = (await response.json()) as { csrfToken: string }
  return { csrfToken: body.csrfToken, cookies: response.headers.getSetCookie() }
}

function text(value: unknown): string | null {
  return typeof value === "string" ? value : null
}

function shownUser(user: Record<string, unknown>): SignedInUser {
  const verified = user.emailVerified
  return {
    id: String(user.id),
    email: text(user.email),
    name: text(user.name),
    image: text(user.image),
    emailVerified: typeof verified === "boolean" ? verified : verified instanceof Date ? verified.toISOString() : text(verified),
  }
}

export async function startExample(mounted: Mounted, options: ExampleOptions = {}): Promise<RunningExample> {
  const table = await openExampleTable({
    ...(options.client ? { client: options.client } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.tableName ? { tableName: options.tableName } : {}),
  })
  let idp: OidcIdp | undefined
  try {
    idp = await startOidcIdp({ people: options.people ?? DEFAULT_PEOPLE })
    const identityProvider = idp
    const outbox = new Outbox(options.printMagicLinks ?? false)
    let betterAuth: ExampleBetterAuth | undefined
    let authjs: ExampleAuthjs | undefined
    const actions = new ActionLog(table.client)

    const server = await serve(options.port ?? 0, (origin) => {
      const ba = (betterAuth = mounted.betterAuth ? createBetterAuth({ origin, client: table.client, tableName: table.tableName, idp: identityProvider }) : undefined)
      const aj = (authjs = mounted.authjs ? createAuthjsConfig({ client: table.client, tableName: table.tableName, idp: identityProvider, outbox }) : undefined)

      async function homePage(request: Request): Promise<Response> {
        const {
          result: [session, csrf, betterAuthSession],
          requests: pageRequests,
        } = await actions.measure(() =>
          Promise.all([
            aj ? authjsSession(request, origin, aj.config) : { session: null, cookies: [] },
            aj ? authjsCsrfToken(request, origin, aj.config) : { csrfToken: "", cookies: [] },
            ba ? ba.api.getSession({ headers: request.headers }) : null,
          ]),
        )
        const people = new Map<string, string | null>()
        if (session.session?.user) people.set(String(session.session.user.id), text(session.session.user.email))
        if (betterAuthSession) people.set(betterAuthSession.user.id, betterAuthSession.user.email)
        const sharedItems = await Promise.all(
          [...people].map(async ([userId, email]) => ({ userId, email, items: await personItems(table.inspector, table.tableName, userId) })),
        )
        // Auth.js comes back here (pages.verifyRequest) with ?provider=email&type=email after "sending" a magic link.
        const magicLinkSentTo = new URL(request.url).searchParams.get("type") === "email" ? outbox.links.at(-1)?.to : undefined
        const data: HomePageData = {
          mounted,
          authjs: session.session?.user ? { user: shownUser(session.session.user), expires: String(session.session.expires) } : null,
          betterAuth: betterAuthSession
            ? { user: shownUser(betterAuthSession.user as unknown as Record<string, unknown>), expires: new Date(betterAuthSession.session.expiresAt).toISOString() }
            : null,
          people: identityProvider.people,
          csrfToken: csrf.csrfToken,
          outbox: outbox.links,
          tableName: table.tableName,
          actions: actions.recent(),
          pageRequests,
          sharedItems,
          magicLinkSentTo,
        }
        const response = html(renderHomePage(data))
        for (const cookie of [...session.cookies, ...csrf.cookies]) response.headers.append("set-cookie", cookie)
        return response
      }

      return async (request) => {
        const { pathname } = new URL(request.url)
        const quietIsNoise = request.method === "GET"
        if (ba && (pathname === "/api/auth" || pathname.startsWith("/api/auth/"))) return actions.record(actionLabel(request), () => ba.handler(request), { quietIsNoise })
        if (aj && (pathname === "/auth" || pathname.startsWith("/auth/"))) return actions.record(actionLabel(request), () => Auth(request, aj.config), { quietIsNoise })
        if (pathname === "/" && request.method === "GET") return homePage(request)
        return html("<h1>Not found</h1><p><a href=\"/\">Back to the start page</a></p>", 404)
      }
    })

    let stopped = false
    return {
      url: `${server.origin}/`,
      table,
      idp,
      betterAuth,
      authjs,
      outbox,
      async stop() {
        if (stopped) return
        stopped = true
        await server.close()
        actions.detach()
        await identityProvider.stop()
        await table.stop()
      },
    }
  } catch (error) {
    await idp?.stop()
    await table.stop()
    throw error
  }
}
