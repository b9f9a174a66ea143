/**
 * A node:http server on 127.0.0.1 for a Fetch-style handler. The handler is
 * built once the port is known, because both frameworks need the app's own
 * URL (callback URLs, trusted origins).
 */
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { sendWebResponse, toWebRequest } from "./web-bridge.js"

export type FetchHandler = (request: Request) => Promise<Response>

export interface RunningServer {
  /** `http://127.0.0.1:<port>` */
  origin: string
  close(): Promise<void>
}

/** The port asked for is taken (by another example, or the same one still running). */
export class PortInUseError extends Error {
  constructor(readonly port: number) {
    super(`Port ${port} is in use; pass --port with another port (--port 0 picks a free one).`)
    this.name = "PortInUseError"
  }
}

export async function serve(port: number, buildHandler: (origin: string) => FetchHandler | Promise<FetchHandler>): Promise<RunningServer> {
  let handler: FetchHandler | undefined
  const server: Server = createServer((req, res) => {
    void (async () => {
      try {
        if (!handler) throw new Error("the server is still starting")
        await sendWebResponse(res, await handler(await toWebRequest(req, origin)))
      } catch (error) {
        console.error(error)
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain; charset=utf-8" })
        res.end(`Internal error: ${error instanceof Error ? error.message : String(error)}`)
      }
    })()
  })
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => reject(error.code === "EADDRINUSE" ? new PortInUseError(port) : error))
    server.listen(port, "127.0.0.1", () => resolve())
  })
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  try {
    handler = await buildHandler(origin)
  } catch (error) {
    server.close()
    throw error
  }
  return {
    origin,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        // Browsers keep connections open; a stopping example must not wait for them.
        server.closeAllConnections()
      }),
  }
}
