/**
 * node:http ↔ Fetch API: both frameworks take a `Request` and answer a
 * `Response`, so an example server needs only these two conversions.
 */
import type { IncomingMessage, ServerResponse } from "node:http"

/** The `Request` a framework handler expects for a node request to a server at `origin`. */
export async function toWebRequest(req: IncomingMessage, origin: string): Promise<Request> {
  const headers = new Headers()
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one)
  }
  const method = req.method ?? "GET"
  const init: RequestInit = { method, headers }
  if (method !== "GET" && method !== "HEAD") {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    init.body = Buffer.concat(chunks)
  }
  return new Request(new URL(req.url ?? "/", origin), init)
}

/** Writes a `Response` to a node response, keeping every `Set-Cookie` header separate. */
export async function sendWebResponse(res: ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string | string[]> = {}
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") headers[name] = value
  })
  const cookies = response.headers.getSetCookie()
  if (cookies.length > 0) headers["set-cookie"] = cookies
  res.writeHead(response.status, headers)
  res.end(response.body ? Buffer.from(await response.arrayBuffer()) : undefined)
}

/** A plain answer from the example's own routes. */
export function html(body: string, status = 200): Response {
  return new Response(body, { status, headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" } })
}

export function redirect(location: string): Response {
  return new Response(null, { status: 303, headers: { location } })
}
