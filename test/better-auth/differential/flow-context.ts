/**
 * What a step works with on one side: the side's auth, its outbox, the
 * cookies of each actor (so a step can act as a signed-in person), values
 * earlier steps remembered, and HTTP requests through `auth.handler`.
 */
import { BASE_URL, type Outbox } from "./app-options.js"
import type { DifferentialAuth } from "./runner.js"

export interface HttpResult {
  status: number
  body: unknown
  retryAfter: string | null
}

export class FlowContext {
  private readonly cookies = new Map<string, Map<string, string>>()
  private readonly memory = new Map<string, unknown>()

  constructor(
    readonly auth: DifferentialAuth,
    readonly outbox: Outbox,
  ) {}

  /** Stores the cookies a response set for an actor (a cookie cleared by Max-Age=0 is dropped). */
  keep(actor: string, headers: Headers): void {
    const jar = this.cookies.get(actor) ?? new Map<string, string>()
    for (const cookie of headers.getSetCookie()) {
      const [pair = "", ...attributes] = cookie.split(";")
      const at = pair.indexOf("=")
      const name = pair.slice(0, at).trim()
      const value = pair.slice(at + 1)
      if (value === "" || attributes.some((a) => /^\s*max-age=0\s*$/i.test(a))) jar.delete(name)
      else jar.set(name, value)
    }
    this.cookies.set(actor, jar)
  }

  /** The request headers of a signed-in actor. */
  as(actor: string): Headers {
    const jar = this.cookies.get(actor)
    if (!jar || jar.size === 0) throw new Error(`${actor} has no cookies yet`)
    return new Headers({ cookie: [...jar].map(([name, value]) => `${name}=${value}`).join("; ") })
  }

  /** Runs a call made with `returnHeaders: true`, keeps the cookies it set for the actor (a new session, a refreshed cache), returns the response. */
  async session<T>(actor: string, call: Promise<{ headers: Headers; response: T }>): Promise<T> {
    const { headers, response } = await call
    this.keep(actor, headers)
    return response
  }

  remember<T>(name: string, value: T): T {
    this.memory.set(name, value)
    return value
  }

  recall<T>(name: string): T {
    if (!this.memory.has(name)) throw new Error(`nothing remembered as ${name}`)
    return this.memory.get(name) as T
  }

  /** A POST over HTTP through `auth.handler` from a client address (rate limits apply here, not to `auth.api`). */
  async post(path: string, body: unknown, clientAddress: string): Promise<HttpResult> {
    const response = await this.auth.handler(
      new Request(`${BASE_URL}/api/auth${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: BASE_URL, "x-forwarded-for": clientAddress },
        body: JSON.stringify(body),
      }),
    )
    const text = await response.text()
    let parsed: unknown = text
    try {
      parsed = text === "" ? null : JSON.parse(text)
    } catch {
      // a body that is not JSON is compared as text
    }
    return { status: response.status, body: parsed, retryAfter: response.headers.get("x-retry-after") }
  }
}
