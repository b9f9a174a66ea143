/**
 * A tiny browser for tests: a cookie jar per host, redirects followed by hand
 * (so every hop is visible), form posts and JSON posts with an `Origin`
 * header. Enough to drive Auth.js and Better Auth sign-ins over real HTTP.
 */

interface StoredCookie {
  value: string
  path: string
  /** Epoch milliseconds; undefined for a session cookie. */
  expiresAt: number | undefined
}

/** One hop of a followed chain: the URL requested and the status it answered. */
export interface Hop {
  method: string
  url: string
  status: number
}

export interface FollowOptions {
  /** Stop before requesting a URL for which this returns true (its response is not fetched). */
  stopAt?: (url: URL) => boolean
  /** At most this many redirects. Default 20. */
  maxRedirects?: number
}

export interface FollowResult {
  /** The last response (a non-redirect, or the redirect whose target matched `stopAt`). */
  response: Response
  /** Where the chain ended: the last URL fetched, or the `stopAt` URL not fetched. */
  url: string
  hops: Hop[]
}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308
}

export class HttpSession {
  /** host → cookie name → cookie. Host-only cookies: enough for loopback servers. */
  private readonly jar = new Map<string, Map<string, StoredCookie>>()
  /** Every request sent, in order. */
  readonly history: Hop[] = []

  /** The cookies that would be sent to `url`, as `name → value`. */
  cookiesFor(url: string | URL): Record<string, string> {
    const target = new URL(url)
    const cookies = this.jar.get(target.host)
    const out: Record<string, string> = {}
    if (!cookies) return out
    const now = Date.now()
    for (const [name, cookie] of cookies) {
      if (cookie.expiresAt !== undefined && cookie.expiresAt <= now) continue
      if (!target.pathname.startsWith(cookie.path)) continue
      out[name] = cookie.value
    }
    return out
  }

  /** True when a cookie whose name contains `part` would be sent to `url`. */
  hasCookie(url: string | URL, part: string): boolean {
    return Object.keys(this.cookiesFor(url)).some((name) => name.includes(part))
  }

  /** Forgets every cookie (a new browser profile). */
  clearCookies(): void {
    this.jar.clear()
  }

  /** One request, no redirect followed; cookies sent and stored. */
  async request(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url)
    const headers = new Headers(init.headers)
    const cookie = Object.entries(this.cookiesFor(target))
      .map(([name, value]) => `${name}=${value}`)
      .join("; ")
    if (cookie) headers.set("cookie", cookie)
    const response = await fetch(target, { ...init, headers, redirect: "manual" })
    this.store(target, response)
    this.history.push({ method: (init.method ?? "GET").toUpperCase(), url: target.href, status: response.status })
    return response
  }

  get(url: string | URL, headers: HeadersInit = {}): Promise<Response> {
    return this.request(url, { headers })
  }

  /** A form post as a browser sends it (`application/x-www-form-urlencoded`, with `Origin`). */
  postForm(url: string | URL, fields: Record<string, string>): Promise<Response> {
    const target = new URL(url)
    return this.request(target, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: target.origin },
      body: new URLSearchParams(fields).toString(),
    })
  }

  /** A JSON post as a page's script sends it (with `Origin`). */
  postJson(url: string | URL, body: unknown): Promise<Response> {
    const target = new URL(url)
    return this.request(target, {
      method: "POST",
      headers: { "content-type": "application/json", origin: target.origin },
      body: JSON.stringify(body),
    })
  }

  /** Follows redirects from `response` (answered for `from`) with GETs, as a browser does. */
  async follow(response: Response, from: string | URL, options: FollowOptions = {}): Promise<FollowResult> {
    const hops: Hop[] = []
    let current = response
    let url = new URL(from)
    const maxRedirects = options.maxRedirects ?? 20
    while (isRedirect(current.status)) {
      if (hops.length >= maxRedirects) throw new Error(`more than ${maxRedirects} redirects from ${String(from)}`)
      const location = current.headers.get("location")
      if (!location) throw new Error(`redirect ${current.status} from ${url.href} without a Location header`)
      await current.body?.cancel()
      url = new URL(location, url)
      if (options.stopAt?.(url)) return { response: current, url: url.href, hops }
      current = await this.request(url)
      hops.push({ method: "GET", url: url.href, status: current.status })
    }
    return { response: current, url: url.href, hops }
  }

  /** GET `url` and follow every redirect. */
  async navigate(url: string | URL, options: FollowOptions = {}): Promise<FollowResult> {
    const first = await this.get(url)
    const result = await this.follow(first, url, options)
    return { ...result, hops: [{ method: "GET", url: new URL(url).href, status: first.status }, ...result.hops] }
  }

  private store(url: URL, response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = header.split(";")
      const index = pair.indexOf("=")
      if (index <= 0) continue
      const name = pair.slice(0, index).trim()
      const value = pair.slice(index + 1).trim()
      let path = "/"
      let expiresAt: number | undefined
      for (const attribute of attributes) {
        const [rawKey = "", ...rest] = attribute.split("=")
        const key = rawKey.trim().toLowerCase()
        const attributeValue = rest.join("=").trim()
        if (key === "path" && attributeValue.startsWith("/")) path = attributeValue
        else if (key === "max-age") expiresAt = Date.now() + Number(attributeValue) * 1000
        else if (key === "expires" && expiresAt === undefined) expiresAt = Date.parse(attributeValue)
      }
      let cookies = this.jar.get(url.host)
      if (!cookies) this.jar.set(url.host, (cookies = new Map()))
      const expired = value === "" || (expiresAt !== undefined && expiresAt <= Date.now())
      if (expired) cookies.delete(name)
      else cookies.set(name, { value, path, expiresAt })
    }
  }
}
