/**
 * DynamoDB that cannot be reached (closed port, unknown host, a server that
 * never answers or drops the connection), answers 5xx, or refuses the
 * credentials: every front-end and the table tools reject with a typed
 * UNAVAILABLE / CREDENTIALS error naming the endpoint, with the SDK's error
 * as `cause`. Real sockets on loopback throughout; no DynamoDB Local needed.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb"
import { betterAuth } from "better-auth"
import { createServer, type Server } from "node:http"
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from "node:net"
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest"
import { DynamoDBAdapter } from "../../src/authjs/index.js"
import { singleTableAdapter } from "../../src/better-auth/index.js"
import { translateAwsError } from "../../src/core/client/aws-errors.js"
import { DynamoAuthAdapterError, isDynamoAuthAdapterError } from "../../src/core/errors.js"
import { TableClient } from "../../src/core/client/table-client.js"
import { createTable } from "../../src/table/create-table.js"
import { inspectTable } from "../../src/table/inspect-table.js"
import { resolveTableNames } from "../../src/table/names.js"

const names = resolveTableNames({ tableName: "unreachable" })
const credentials = { accessKeyId: "local", secretAccessKey: "local" }
const clients: DynamoDBClient[] = []
const servers: (Server | TcpServer)[] = []
const sockets: Socket[] = []

// The messages pinned here are those of a machine without DYNAMODB_ENDPOINT (the suite also runs with it set, against a running DynamoDB).
beforeEach(() => vi.stubEnv("DYNAMODB_ENDPOINT", undefined))
afterEach(() => vi.unstubAllEnvs())
afterAll(async () => {
  for (const client of clients) client.destroy()
  for (const socket of sockets) socket.destroy()
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))))
})

function clientAt(endpoint: string, extra: Partial<ConstructorParameters<typeof DynamoDBClient>[0]> = {}): DynamoDBClient {
  const client = new DynamoDBClient({ endpoint, region: "eu-west-1", credentials, maxAttempts: 2, ...extra })
  clients.push(client)
  return client
}

async function listening<S extends Server | TcpServer>(server: S): Promise<{ server: S; port: number }> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  servers.push(server)
  return { server, port: (server.address() as { port: number }).port }
}

/** A loopback port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createTcpServer()
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** An HTTP server answering every request with DynamoDB's JSON error shape; counts the requests. */
async function answering(status: number, type: string, message: string): Promise<{ endpoint: string; requests: () => number }> {
  let requests = 0
  const { port } = await listening(
    createServer((request, response) => {
      requests++
      request.resume()
      request.on("end", () => {
        response.writeHead(status, { "content-type": "application/x-amz-json-1.0", "x-amzn-requestid": "test" })
        response.end(JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message }))
      })
    }),
  )
  return { endpoint: `http://127.0.0.1:${port}`, requests: () => requests }
}

async function rejection(promise: Promise<unknown>): Promise<DynamoAuthAdapterError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(DynamoAuthAdapterError)
  return error as DynamoAuthAdapterError
}

function authjsGetUser(client: DynamoDBClient): Promise<unknown> {
  return DynamoDBAdapter(client, { tableName: names.tableName }).getUser!("user-1")
}

function betterAuthFindOne(client: DynamoDBClient): Promise<unknown> {
  const adapter = singleTableAdapter({ client, tableName: names.tableName })({})
  return adapter.findOne({ model: "user", where: [{ field: "id", value: "user-1" }] })
}

describe("connection refused (a closed loopback port)", () => {
  it("Auth.js getUser rejects with UNAVAILABLE naming the endpoint, the region, Node's error and the attempts; cause is the SDK's error", async () => {
    const port = await closedPort()
    const error = await rejection(authjsGetUser(clientAt(`http://127.0.0.1:${port}`)))
    expect(error.code).toBe("UNAVAILABLE")
    expect(error.message).toBe(
      `get user: could not reach DynamoDB at http://127.0.0.1:${port} (region eu-west-1): connect ECONNREFUSED 127.0.0.1:${port}, after 2 attempts. ` +
        "Check the endpoint (the client's endpoint option, or AWS_ENDPOINT_URL_DYNAMODB; is DynamoDB Local running?), the region and the network; " +
        "the SDK already retried, so retry later or give the client more attempts or a longer timeout. A write that failed this way may or may not have been applied.",
    )
    expect(error.details).toEqual({ endpoint: `http://127.0.0.1:${port}`, region: "eu-west-1" })
    expect(error.cause).toMatchObject({ code: "ECONNREFUSED", $metadata: { attempts: 2 } })
  })

  it("Better Auth: the adapter's findOne and a sign-up through betterAuth reject with UNAVAILABLE", async () => {
    const port = await closedPort()
    const client = clientAt(`http://127.0.0.1:${port}`, { maxAttempts: 1 })
    const error = await rejection(betterAuthFindOne(client))
    expect(error.code).toBe("UNAVAILABLE")
    expect(error.message).toContain(`could not reach DynamoDB at http://127.0.0.1:${port} (region eu-west-1): connect ECONNREFUSED`)

    const auth = betterAuth({
      secret: "a-test-secret-that-is-long-enough-for-better-auth",
      baseURL: "http://localhost:3000",
      database: singleTableAdapter({ client, tableName: names.tableName }),
      emailAndPassword: { enabled: true, password: { hash: async (p) => p, verify: async ({ hash, password }) => hash === password } },
      logger: { disabled: true },
    })
    const signUp = await rejection(auth.api.signUpEmail({ body: { email: "a@example.com", password: "password-123", name: "A" } }))
    expect(signUp.code).toBe("UNAVAILABLE")
  })

  it("a plain TableClient write, a transaction and a batch write reject with UNAVAILABLE too", async () => {
    const port = await closedPort()
    const table = new TableClient({ names, client: clientAt(`http://127.0.0.1:${port}`, { maxAttempts: 1 }) })
    const item = { pk: "USER#1", sk: "USER#1" }
    expect((await rejection(table.write({ kind: "put", item, label: "put user" }, "createUser"))).code).toBe("UNAVAILABLE")
    expect((await rejection(table.transactWrite([{ kind: "put", item, label: "put user" }], "createUser"))).code).toBe("UNAVAILABLE")
    expect((await rejection(table.batchWrite([{ kind: "put", item }], "backfill"))).code).toBe("UNAVAILABLE")
  })

  it("createTable and inspectTable reject with UNAVAILABLE instead of a raw SDK error", async () => {
    const port = await closedPort()
    const client = clientAt(`http://127.0.0.1:${port}`, { maxAttempts: 1 })
    const created = await rejection(createTable(client, { tableName: "unreachable" }))
    expect(created.code).toBe("UNAVAILABLE")
    expect(created.message).toMatch(/^describe table unreachable: could not reach DynamoDB at http:\/\/127\.0\.0\.1:\d+ \(region eu-west-1\): connect ECONNREFUSED/)
    expect((await rejection(inspectTable(client, names))).code).toBe("UNAVAILABLE")
  })
})

describe("other ways of not getting an answer", () => {
  it("a server that accepts the connection and never answers: UNAVAILABLE once the request handler's timeout passes", async () => {
    const { port } = await listening(createTcpServer((socket) => void sockets.push(socket)))
    // throwOnRequestTimeout: without it this SDK version only logs a warning when requestTimeout passes, and waits on.
    const client = clientAt(`http://127.0.0.1:${port}`, { maxAttempts: 1, requestHandler: { requestTimeout: 300, throwOnRequestTimeout: true } })
    const started = performance.now()
    const error = await rejection(authjsGetUser(client))
    expect(performance.now() - started).toBeLessThan(5_000)
    expect(error.code).toBe("UNAVAILABLE")
    expect(error.message).toContain(`could not reach DynamoDB at http://127.0.0.1:${port} (region eu-west-1): a request has exceeded the configured 300 ms requestTimeout. (ETIMEDOUT), after 1 attempt.`)
    expect(error.cause).toMatchObject({ name: "TimeoutError" })
  })

  it("a server that resets the connection, and one that hangs up without answering: UNAVAILABLE", async () => {
    const reset = await listening(createTcpServer((socket) => socket.on("data", () => socket.resetAndDestroy())))
    const hangUp = await listening(createTcpServer((socket) => socket.on("data", () => socket.end())))
    const resetError = await rejection(betterAuthFindOne(clientAt(`http://127.0.0.1:${reset.port}`)))
    expect(resetError.code).toBe("UNAVAILABLE")
    expect(resetError.message).toContain("read ECONNRESET, after 2 attempts")
    const hangUpError = await rejection(authjsGetUser(clientAt(`http://127.0.0.1:${hangUp.port}`)))
    expect(hangUpError.code).toBe("UNAVAILABLE")
    expect(hangUpError.message).toContain("socket hang up (ECONNRESET), after 2 attempts")
  })

  it("a host name that does not resolve: UNAVAILABLE", async () => {
    const error = await rejection(authjsGetUser(clientAt("http://dynamodb.invalid:8000", { maxAttempts: 1 })))
    expect(error.code).toBe("UNAVAILABLE")
    expect(error.message).toMatch(/could not reach DynamoDB at http:\/\/dynamodb\.invalid:8000 \(region eu-west-1\): getaddrinfo (ENOTFOUND|EAI_AGAIN) dynamodb\.invalid/)
  })

  it("DynamoDB answering 500 InternalServerError on every attempt: UNAVAILABLE after the SDK's retries", async () => {
    const server = await answering(500, "InternalServerError", "Internal server error")
    const error = await rejection(authjsGetUser(clientAt(server.endpoint, { maxAttempts: 3 })))
    expect(server.requests()).toBe(3)
    expect(error.code).toBe("UNAVAILABLE")
    expect(error.message).toMatch(/^get user: DynamoDB at http:\/\/127\.0\.0\.1:\d+ \(region eu-west-1\) answered InternalServerError \(HTTP 500\) after 3 attempts: it is not serving/)
  })

  it("a 400 service error is not UNAVAILABLE: it stays the SDK's error", async () => {
    const server = await answering(400, "SerializationException", "Start of structure or map found where not expected")
    const error = await authjsGetUser(clientAt(server.endpoint)).catch((e: unknown) => e)
    expect(isDynamoAuthAdapterError(error)).toBe(false)
    expect(error).toMatchObject({ name: "SerializationException", $metadata: { httpStatusCode: 400 } })
  })
})

describe("credentials", () => {
  it("DynamoDB refusing the credentials (UnrecognizedClientException): CREDENTIALS naming the endpoint", async () => {
    const server = await answering(400, "UnrecognizedClientException", "The security token included in the request is invalid.")
    const error = await rejection(betterAuthFindOne(clientAt(server.endpoint)))
    expect(error.code).toBe("CREDENTIALS")
    expect(error.message).toBe(
      `get user: DynamoDB at ${server.endpoint} (region eu-west-1) refused the client's AWS credentials ` +
        "(UnrecognizedClientException: The security token included in the request is invalid.). " +
        "Check the access key and secret, refresh an expired session token (AWS_SESSION_TOKEN, `aws sso login`), and that the region is the table's.",
    )
    expect(server.requests()).toBe(1)
  })

  it("credentials whose IAM policy lacks the action (AccessDeniedException): ACCESS_DENIED naming the action, sent once", async () => {
    const denial =
      "User: arn:aws:iam::123456789012:user/app is not authorized to perform: dynamodb:GetItem on resource: arn:aws:dynamodb:eu-west-1:123456789012:table/next-auth"
    const server = await answering(400, "AccessDeniedException", denial)
    for (const call of [authjsGetUser, betterAuthFindOne]) {
      const error = await rejection(call(clientAt(server.endpoint)))
      expect(error.code).toBe("ACCESS_DENIED")
      expect(error.message).toContain("dynamodb:GetItem")
      expect(error.message).toMatch(/IAM policy/)
    }
    // Not retried by the SDK: one request per call.
    expect(server.requests()).toBe(2)
  })

  it("no credentials anywhere in the default chain (CredentialsProviderError): CREDENTIALS, and nothing is sent", async () => {
    const server = await answering(200, "None", "")
    for (const name of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_WEB_IDENTITY_TOKEN_FILE"]) {
      vi.stubEnv(name, undefined)
    }
    vi.stubEnv("AWS_PROFILE", "no-such-profile")
    vi.stubEnv("AWS_CONFIG_FILE", "/nonexistent/aws-config")
    vi.stubEnv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials")
    vi.stubEnv("AWS_EC2_METADATA_DISABLED", "true")
    const client = new DynamoDBClient({ endpoint: server.endpoint, region: "eu-west-1", maxAttempts: 1 })
    clients.push(client)
    const error = await rejection(authjsGetUser(client))
    expect(error.code).toBe("CREDENTIALS")
    expect(error.message).toMatch(/^get user: the DynamoDB client found no usable AWS credentials \(CredentialsProviderError: .+\)\. Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/)
    expect(server.requests()).toBe(0)
  })
})

describe("translateAwsError on each recognised shape", () => {
  const translate = (error: unknown) => translateAwsError(error, names, "op", { endpoint: "http://localhost:8000", region: "us-east-1" })
  const codeOf = (error: unknown) => (translate(error) as { code?: string }).code
  const nodeError = (code: string, message: string, extra: object = {}) => Object.assign(new Error(message), { code, ...extra })

  it("Node network codes with the SDK's $metadata and no HTTP status are UNAVAILABLE", () => {
    for (const code of ["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH"]) {
      expect(codeOf(nodeError(code, `x ${code}`, { $metadata: { attempts: 3 } })), code).toBe("UNAVAILABLE")
    }
  })

  it("a code found down the cause chain (fetch's 'fetch failed') or in an AggregateError (Node connecting to each address) is UNAVAILABLE", () => {
    const fetchFailed = Object.assign(new TypeError("fetch failed", { cause: nodeError("ECONNREFUSED", "connect ECONNREFUSED ::1:8000") }), { $metadata: {} })
    expect(codeOf(fetchFailed)).toBe("UNAVAILABLE")
    expect((translate(fetchFailed) as Error).message).toContain(": connect ECONNREFUSED ::1:8000, after the SDK's retries.")
    const aggregate = Object.assign(new AggregateError([nodeError("ECONNREFUSED", "connect ECONNREFUSED ::1:8000"), nodeError("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:8000")], ""), {
      code: "ECONNREFUSED",
      $metadata: { attempts: 1 },
    })
    expect((translate(aggregate) as Error).message).toContain(": ECONNREFUSED, after 1 attempt.")
  })

  it("the service's RequestTimeout/RequestTimeoutException are UNAVAILABLE, 5xx too; 4xx service errors are not", () => {
    const service = (name: string, httpStatusCode: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode, attempts: 3 } })
    expect(codeOf(service("RequestTimeoutException", 408))).toBe("UNAVAILABLE")
    expect(codeOf(service("RequestTimeout", 400))).toBe("UNAVAILABLE")
    expect(codeOf(service("ServiceUnavailable", 503))).toBe("UNAVAILABLE")
    expect(codeOf(service("InternalServerError", 500))).toBe("UNAVAILABLE")
    const conditional = service("ConditionalCheckFailedException", 400)
    expect(translate(conditional)).toBe(conditional)
    // An answer from DynamoDB is never a network failure, whatever code a wrapper put on it.
    const answered = Object.assign(service("SerializationException", 400), { code: "ECONNRESET" })
    expect(translate(answered)).toBe(answered)
  })

  it("a waiter's TimeoutError (no $metadata, no code) and errors without a name are left alone", () => {
    const waiter = Object.assign(new Error('{"state":"TIMEOUT","reason":"Waiter has timed out"}'), { name: "TimeoutError" })
    expect(translate(waiter)).toBe(waiter)
    expect(translate("a string")).toBe("a string")
  })

  it("every credential error name is CREDENTIALS", () => {
    for (const name of ["UnrecognizedClientException", "InvalidSignatureException", "ExpiredTokenException", "CredentialsProviderError", "TokenProviderError"]) {
      expect(codeOf(Object.assign(new Error(name), { name })), name).toBe("CREDENTIALS")
    }
  })

  it("without a location the message still reads: 'could not reach DynamoDB'", () => {
    const error = translateAwsError(nodeError("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:1", { $metadata: { attempts: 2 } }), names, "getUser")
    expect((error as Error).message).toMatch(/^getUser: could not reach DynamoDB: connect ECONNREFUSED 127\.0\.0\.1:1, after 2 attempts\./)
  })
})

/** An HTTP server that is not DynamoDB: it answers every request with `status` and an HTML page, and no request id. */
async function notDynamo(status: number): Promise<string> {
  const { port } = await listening(
    createServer((request, response) => {
      request.resume()
      response.writeHead(status, { "content-type": "text/html" })
      response.end("<html><body>It works!</body></html>")
    }),
  )
  return `http://127.0.0.1:${port}`
}

function recordingLogger(): { warnings: string[]; logger: { debug(): void; warn(message: string): void } } {
  const warnings: string[] = []
  return { warnings, logger: { debug() {}, warn: (message: string) => void warnings.push(message) } }
}

describe("what a newcomer meets: one error, nothing logged before it", () => {
  it("a missing table: both front-ends reject with MISSING_TABLE and log nothing (no 'Could not read the table metadata item' dump first)", async () => {
    const server = await answering(400, "ResourceNotFoundException", "Cannot do operations on a non-existent table")
    const client = clientAt(server.endpoint)
    const authjs = recordingLogger()
    const error = await rejection(DynamoDBAdapter(client, { tableName: names.tableName, logger: authjs.logger }).getUserByEmail!("a@example.com"))
    expect(error.code).toBe("MISSING_TABLE")
    expect(error.message).toMatch(/^get user by email: table "unreachable" does not exist/)
    expect(authjs.warnings).toEqual([])

    const betterAuth = recordingLogger()
    const adapter = singleTableAdapter({ client, tableName: names.tableName, logger: betterAuth.logger })({})
    const found = await rejection(adapter.findOne({ model: "user", where: [{ field: "email", value: "a@example.com" }] }))
    expect(found.code).toBe("MISSING_TABLE")
    expect(betterAuth.warnings).toEqual([])
  })

  it("DynamoDB unreachable: UNAVAILABLE and nothing logged before it", async () => {
    const port = await closedPort()
    const { warnings, logger } = recordingLogger()
    const error = await rejection(DynamoDBAdapter(clientAt(`http://127.0.0.1:${port}`, { maxAttempts: 1 }), { tableName: names.tableName, logger }).getUserByEmail!("a@example.com"))
    expect(error.code).toBe("UNAVAILABLE")
    expect(warnings).toEqual([])
  })

  it("an endpoint without a scheme (localhost:8000, 127.0.0.1:8000): says to write http://", async () => {
    for (const endpoint of ["localhost:8000", "127.0.0.1:8000"]) {
      const error = await rejection(authjsGetUser(clientAt(endpoint, { maxAttempts: 1 })))
      expect(error.code, endpoint).toBe("UNAVAILABLE")
      expect(error.message, endpoint).toBe(
        `get user: the DynamoDB endpoint "${endpoint}" has no scheme: write it as http://${endpoint} (DynamoDB Local) or https://${endpoint}. Retrying does not help.`,
      )
    }
  })

  it("no region anywhere: names AWS_REGION, the client's region option and the CLI's --region", async () => {
    vi.stubEnv("AWS_REGION", undefined)
    vi.stubEnv("AWS_DEFAULT_REGION", undefined)
    vi.stubEnv("AWS_PROFILE", "no-such-profile")
    vi.stubEnv("AWS_CONFIG_FILE", "/nonexistent/aws-config")
    const client = new DynamoDBClient({ endpoint: "http://127.0.0.1:1", credentials, maxAttempts: 1 })
    clients.push(client)
    const error = await rejection(authjsGetUser(client))
    expect(error.code).toBe("UNAVAILABLE")
    expect(error.message).toBe(
      "get user: the DynamoDB client has no region. Set AWS_REGION (any region, e.g. us-east-1, for DynamoDB Local), " +
        "or give the DynamoDBClient a region option (the CLI: --region).",
    )
  })

  it("https:// against a port that speaks plain HTTP: says to use http://, not a TLS dump", async () => {
    const server = await answering(400, "ResourceNotFoundException", "Cannot do operations on a non-existent table")
    const https = server.endpoint.replace("http://", "https://")
    const error = await rejection(authjsGetUser(clientAt(https, { maxAttempts: 1 })))
    expect(error.code).toBe("UNAVAILABLE")
    expect(error.message).toBe(
      `get user: ${https} does not speak TLS (the TLS handshake got a plain HTTP answer): use ${server.endpoint} (DynamoDB Local serves plain HTTP). Retrying does not help.`,
    )
  })

  it("an endpoint that is not DynamoDB (an HTML 404, a 501, a 200 page): says so, never 'retry later'", async () => {
    for (const status of [404, 501, 200]) {
      const endpoint = await notDynamo(status)
      const error = await rejection(authjsGetUser(clientAt(endpoint, { maxAttempts: 1 })))
      expect(error.code, String(status)).toBe("UNAVAILABLE")
      expect(error.message, String(status)).toBe(
        `get user: ${endpoint} answered HTTP ${status} without a DynamoDB request id: it is not DynamoDB. ` +
          "Check the endpoint's host and port (DynamoDB Local listens on 8000 unless told otherwise). Retrying does not help.",
      )
    }
  })
})

describe("DYNAMODB_ENDPOINT and the clients that read it", () => {
  it("a client of the app's own that does not read DYNAMODB_ENDPOINT: the message says so and names AWS_ENDPOINT_URL_DYNAMODB", async () => {
    // Stands for AWS itself refusing DynamoDB Local's dummy keys: what `new DynamoDBClient({})` meets when DYNAMODB_ENDPOINT was meant for it.
    const aws = await answering(400, "UnrecognizedClientException", "The security token included in the request is invalid.")
    vi.stubEnv("DYNAMODB_ENDPOINT", "http://127.0.0.1:8000")
    vi.stubEnv("AWS_ENDPOINT_URL_DYNAMODB", undefined)
    const error = await rejection(authjsGetUser(clientAt(aws.endpoint)))
    expect(error.code).toBe("CREDENTIALS")
    expect(error.message).toMatch(
      new RegExp(
        "DYNAMODB_ENDPOINT is set \\(http://127\\.0\\.0\\.1:8000\\) but this client does not read it: only the client the adapters make when given none, and the CLI, do\\. " +
          "Set AWS_ENDPOINT_URL_DYNAMODB instead \\(the AWS SDK's own, read by every client\\), or pass endpoint: process\\.env\\.DYNAMODB_ENDPOINT to the DynamoDBClient\\.$",
      ),
    )
  })

  it("a client whose endpoint is DYNAMODB_ENDPOINT: no such hint", async () => {
    const port = await closedPort()
    vi.stubEnv("DYNAMODB_ENDPOINT", `http://127.0.0.1:${port}`)
    const error = await rejection(authjsGetUser(clientAt(`http://127.0.0.1:${port}`, { maxAttempts: 1 })))
    expect(error.code).toBe("UNAVAILABLE")
    expect(error.message).not.toContain("does not read it")
    expect(error.message).toContain("Check the endpoint (the client's endpoint option, or AWS_ENDPOINT_URL_DYNAMODB")
  })
})
