import { DynamoAuthAdapterError } from "../errors.js"
import type { TableNames } from "../../table/names.js"

interface AwsError {
  name?: string
  message?: string
  /** Node's system error code (`ECONNREFUSED`, …); the SDK keeps it on network errors. */
  code?: unknown
  cause?: unknown
  /** An `AggregateError`'s parts (Node's connect to every address of a host). */
  errors?: unknown
  /** Set by the SDK on every error a `send` rejects with; `httpStatusCode` only when something answered, `requestId` only when DynamoDB did. */
  $metadata?: { httpStatusCode?: number; requestId?: string; attempts?: number }
  /** The string `new URL()` refused (`ERR_INVALID_URL`): an endpoint such as `127.0.0.1:8000`. */
  input?: unknown
}

function isAwsError(error: unknown): error is AwsError {
  return typeof error === "object" && error !== null && "name" in error
}

/** Where a client sends its requests, for messages. */
export interface ClientLocation {
  /** A custom endpoint (the client's `endpoint`, `AWS_ENDPOINT_URL_DYNAMODB`), e.g. `http://localhost:8000`. */
  endpoint?: string
  region?: string
}

/** Node's codes (and undici's, for a fetch-based handler) for a connection that could not be made or was lost. */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ECONNABORTED",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "ENETUNREACH",
  "ENETDOWN",
  "EADDRNOTAVAIL",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_SOCKET",
])

/**
 * The SDK's request timeouts (`TimeoutError` from the HTTP handler, also put
 * on resets it retried) and the service's. Only counted with `$metadata` or a
 * code: a waiter that runs out of time throws a bare `TimeoutError` too.
 */
const TIMEOUT_NAMES = new Set(["TimeoutError", "RequestTimeout", "RequestTimeoutException"])

/** No credentials found on the client side, or DynamoDB refusing the ones sent. */
const CREDENTIAL_PROVIDER_NAMES = new Set(["CredentialsProviderError", "TokenProviderError"])
const REFUSED_CREDENTIAL_NAMES = new Set([
  "UnrecognizedClientException",
  "InvalidSignatureException",
  "IncompleteSignatureException",
  "ExpiredTokenException",
  "ExpiredToken",
  "InvalidClientTokenId",
  "MissingAuthenticationToken",
  "MissingAuthenticationTokenException",
])

/** The error and what caused it, outermost first (bounded: a cause chain may loop). */
function chainOf(error: AwsError): AwsError[] {
  const chain: AwsError[] = []
  const pending: unknown[] = [error]
  while (pending.length > 0 && chain.length < 8) {
    const link = pending.shift()
    if (typeof link !== "object" || link === null || chain.includes(link as AwsError)) continue
    const current = link as AwsError
    chain.push(current)
    if (current.cause !== undefined) pending.push(current.cause)
    if (Array.isArray(current.errors)) pending.push(...current.errors)
  }
  return chain
}

/** The link that says the request never got an answer from DynamoDB, if any. */
function connectionFailureOf(error: AwsError): AwsError | undefined {
  const answered = typeof error.$metadata?.httpStatusCode === "number"
  for (const link of chainOf(error)) {
    const hasCode = typeof link.code === "string"
    if (TIMEOUT_NAMES.has(link.name ?? "") && (link.$metadata !== undefined || hasCode)) return link
    // DynamoDB answered: whatever else the error carries, it is a service error, not a network one.
    if (!answered && hasCode && NETWORK_CODES.has(link.code as string)) return link
  }
  return undefined
}

function credentialFailureOf(error: AwsError): AwsError | undefined {
  return chainOf(error).find((link) => CREDENTIAL_PROVIDER_NAMES.has(link.name ?? "") || REFUSED_CREDENTIAL_NAMES.has(link.name ?? ""))
}

/** Whether translating this error would name the client's endpoint and region (so they are worth resolving). */
function needsLocation(error: unknown): boolean {
  if (!isAwsError(error) || error instanceof DynamoAuthAdapterError) return false
  return (
    (error.$metadata?.httpStatusCode ?? 0) >= 500 ||
    answeredByOther(error) ||
    tlsMismatchOf(error) !== undefined ||
    connectionFailureOf(error) !== undefined ||
    credentialFailureOf(error) !== undefined
  )
}

function endpointText(endpoint: unknown): string | undefined {
  if (typeof endpoint === "string") return endpoint
  if (endpoint instanceof URL) return endpoint.href
  if (typeof endpoint !== "object" || endpoint === null) return undefined
  const { url, protocol, hostname, port, path } = endpoint as { url?: unknown; protocol?: unknown; hostname?: unknown; port?: unknown; path?: unknown }
  if (url !== undefined) return endpointText(url)
  if (hostname === "" && typeof protocol === "string" && typeof path === "string") return `${protocol}${path}`
  if (typeof hostname !== "string") return undefined
  const portText = port === undefined || port === null ? "" : `:${String(port)}`
  const pathText = typeof path === "string" && path !== "/" ? path : ""
  return `${typeof protocol === "string" ? protocol : "https:"}//${hostname}${portText}${pathText}`
}

async function resolved(value: unknown): Promise<unknown> {
  try {
    return typeof value === "function" ? await (value as () => unknown)() : value
  } catch {
    // A provider that throws (no region configured) just leaves that part out of the message.
    return undefined
  }
}

/**
 * The endpoint the SDK takes from the environment for a client given none
 * (`AWS_ENDPOINT_URL_DYNAMODB`, then `AWS_ENDPOINT_URL`): it resolves that per
 * request, so it is not on the client's config. (`endpoint_url` in the shared
 * config file is not read here: the message then names no endpoint.)
 */
function endpointFromEnvironment(): string | undefined {
  if (process.env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === "true") return undefined
  return process.env.AWS_ENDPOINT_URL_DYNAMODB || process.env.AWS_ENDPOINT_URL || undefined
}

/** The endpoint (when custom) and region a client sends to, read from its resolved config or, for the endpoint, the SDK's variables. */
export async function locationOf(client: { config: object }): Promise<ClientLocation> {
  const config = client.config as { endpoint?: unknown; region?: unknown }
  const endpoint = endpointText(await resolved(config.endpoint)) ?? endpointFromEnvironment()
  const region = await resolved(config.region)
  return { ...(endpoint ? { endpoint } : {}), ...(typeof region === "string" && region !== "" ? { region } : {}) }
}

function whereText(location: ClientLocation | undefined): string {
  if (location?.endpoint) return `DynamoDB at ${location.endpoint}${location.region ? ` (region ${location.region})` : ""}`
  if (location?.region) return `DynamoDB in region ${location.region}`
  return "DynamoDB"
}

function attemptsText(error: AwsError): string {
  const attempts = error.$metadata?.attempts
  return typeof attempts === "number" ? `after ${attempts} attempt${attempts === 1 ? "" : "s"}` : "after the SDK's retries"
}

/** What went wrong on the wire, in Node's words, with its code when the words do not carry it. */
function detailOf(link: AwsError): string {
  const message = (link.message ?? "").replace(/^@smithy\/[\w-]+ - \[ERROR\] /, "").trim()
  const code = typeof link.code === "string" ? link.code : undefined
  if (!message) return code ?? link.name ?? "unknown network error"
  return code && !message.includes(code) ? `${message} (${code})` : message
}

const UNAVAILABLE_ADVICE =
  "Check the endpoint (the client's endpoint option, or AWS_ENDPOINT_URL_DYNAMODB; is DynamoDB Local running?), the region and the network; " +
  "the SDK already retried, so retry later or give the client more attempts or a longer timeout. A write that failed this way may or may not have been applied."

/**
 * `DYNAMODB_ENDPOINT` is read by `defaultDynamoClient()` and the CLI only; a
 * client the app builds itself (`new DynamoDBClient({})`) goes to AWS instead.
 * When the variable is set and the failing client is not at that endpoint,
 * the message says so: it is the usual cause of a quick start meeting AWS.
 */
function ignoredEndpointHint(location: ClientLocation | undefined): string {
  const configured = process.env.DYNAMODB_ENDPOINT
  if (!configured || location === undefined) return ""
  if (location.endpoint !== undefined && sameEndpoint(location.endpoint, configured)) return ""
  return (
    ` DYNAMODB_ENDPOINT is set (${configured}) but this client does not read it: only the client the adapters make when given none, and the CLI, do. ` +
    "Set AWS_ENDPOINT_URL_DYNAMODB instead (the AWS SDK's own, read by every client), or pass endpoint: process.env.DYNAMODB_ENDPOINT to the DynamoDBClient."
  )
}

function sameEndpoint(a: string, b: string): boolean {
  const normal = (text: string) => text.trim().replace(/\/+$/, "").toLowerCase()
  return normal(a) === normal(b)
}

/** Node's and OpenSSL's words for a TLS handshake that met plain HTTP (`https://` against DynamoDB Local's port). */
function tlsMismatchOf(error: AwsError): AwsError | undefined {
  return chainOf(error).find(
    (link) => link.code === "EPROTO" || link.code === "ERR_SSL_WRONG_VERSION_NUMBER" || /wrong version number|ssl3_get_record|packet length too long/i.test(link.message ?? ""),
  )
}

/**
 * Something answered over HTTP, but not DynamoDB: an answer the SDK could
 * not read as DynamoDB's JSON (a `SyntaxError` from parsing a page, or its
 * `UnknownError` for a body without an error type), with no
 * `x-amzn-RequestId`, which DynamoDB and DynamoDB Local put on every answer
 * (the SDK keeps it as `$metadata.requestId`). Gateways' 502/503/504 are left
 * to the 5xx rule: a proxy in front of DynamoDB answers those while it is
 * briefly away.
 */
function answeredByOther(error: AwsError): boolean {
  const status = error.$metadata?.httpStatusCode
  if (typeof status !== "number" || error.$metadata?.requestId || [502, 503, 504].includes(status)) return false
  return error.name === "SyntaxError" || error.name === "Unknown" || error.name === "UnknownError" || error.message === "UnknownError"
}

/** An endpoint written without `http://` or `https://`, as the location or as the string `new URL()` refused. */
function schemelessEndpointOf(error: AwsError, location: ClientLocation | undefined): string | undefined {
  const refused = chainOf(error).find((link) => link.code === "ERR_INVALID_URL" && typeof link.input === "string")
  if (refused) return refused.input as string
  if (location?.endpoint !== undefined && !/^https?:\/\//i.test(location.endpoint)) return location.endpoint
  return undefined
}

/**
 * Mistakes in how the client is set up, which the SDK reports in its own
 * terms (`Invalid URL`, `UnknownError`, `Region is missing`, an OpenSSL
 * dump, a JSON parse error): one sentence each that says what to change.
 * UNAVAILABLE, as the code documents for a wrong endpoint or region; the
 * messages say that retrying does not help.
 */
function setupMistake(error: AwsError, what: string, location: ClientLocation | undefined): DynamoAuthAdapterError | undefined {
  const make = (message: string) => new DynamoAuthAdapterError("UNAVAILABLE", `${what}: ${message}`, { cause: error, details: { ...location } })
  const schemeless = schemelessEndpointOf(error, location)
  if (schemeless !== undefined) {
    return make(`the DynamoDB endpoint "${schemeless}" has no scheme: write it as http://${schemeless} (DynamoDB Local) or https://${schemeless}. Retrying does not help.`)
  }
  if (error.message === "Region is missing") {
    return make(
      "the DynamoDB client has no region. Set AWS_REGION (any region, e.g. us-east-1, for DynamoDB Local), or give the DynamoDBClient a region option (the CLI: --region).",
    )
  }
  if (tlsMismatchOf(error) !== undefined) {
    const endpoint = location?.endpoint
    const plain = endpoint?.replace(/^https:/i, "http:")
    return make(
      `${endpoint ?? "the endpoint"} does not speak TLS (the TLS handshake got a plain HTTP answer): use ${plain ?? "http://"} (DynamoDB Local serves plain HTTP). Retrying does not help.`,
    )
  }
  if (answeredByOther(error)) {
    return make(
      `${location?.endpoint ?? "the endpoint"} answered HTTP ${error.$metadata?.httpStatusCode} without a DynamoDB request id: it is not DynamoDB. ` +
        "Check the endpoint's host and port (DynamoDB Local listens on 8000 unless told otherwise). Retrying does not help.",
    )
  }
  return undefined
}

function unavailable(error: AwsError, link: AwsError, what: string, location: ClientLocation | undefined): DynamoAuthAdapterError {
  return new DynamoAuthAdapterError("UNAVAILABLE", `${what}: could not reach ${whereText(location)}: ${detailOf(link)}, ${attemptsText(error)}. ${UNAVAILABLE_ADVICE}${ignoredEndpointHint(location)}`, {
    cause: error,
    details: { ...location },
  })
}

function credentials(error: AwsError, link: AwsError, what: string, location: ClientLocation | undefined): DynamoAuthAdapterError {
  const detail = `${link.name}: ${link.message ?? ""}`.trim()
  const message = CREDENTIAL_PROVIDER_NAMES.has(link.name ?? "")
    ? `${what}: the DynamoDB client found no usable AWS credentials (${detail}). ` +
      "Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (any values for DynamoDB Local), AWS_PROFILE, or give the process a role; " +
      "an expired SSO session needs `aws sso login`."
    : `${what}: ${whereText(location)} refused the client's AWS credentials (${detail}). ` +
      "Check the access key and secret, refresh an expired session token (AWS_SESSION_TOKEN, `aws sso login`), and that the region is the table's."
  return new DynamoAuthAdapterError("CREDENTIALS", `${message}${ignoredEndpointHint(location)}`, { cause: error, details: { ...location } })
}

/**
 * `translateAwsError` naming the client's endpoint and region when the error
 * is about reaching DynamoDB or about credentials. For the code that sends
 * requests (`TableClient`, table creation and inspection).
 */
export async function translateClientError(error: unknown, client: { config: object }, names: TableNames, what: string): Promise<unknown> {
  return translateAwsError(error, names, what, needsLocation(error) ? await locationOf(client) : undefined)
}

/**
 * Turns the AWS SDK errors a user can act on into this library's typed
 * errors; anything else is returned unchanged. `what` names the operation,
 * e.g. `getUser`; `location` (see `locationOf`) is named in UNAVAILABLE and
 * CREDENTIALS messages.
 *
 * Network failures (no `$metadata.httpStatusCode`: refused, DNS, reset,
 * timeout, found on the error or its `cause` chain) and DynamoDB 5xx answers
 * become `UNAVAILABLE`; missing or refused credentials become `CREDENTIALS`.
 */
export function translateAwsError(error: unknown, names: TableNames, what: string, location?: ClientLocation): unknown {
  if (!isAwsError(error) || error instanceof DynamoAuthAdapterError) return error
  const message = error.message ?? ""
  const mistake = setupMistake(error, what, location)
  if (mistake) return mistake
  const credentialFailure = credentialFailureOf(error)
  if (credentialFailure) return credentials(error, credentialFailure, what, location)
  const connectionFailure = connectionFailureOf(error)
  if (connectionFailure) return unavailable(error, connectionFailure, what, location)
  const status = error.$metadata?.httpStatusCode
  if (status !== undefined && status >= 500) {
    // InternalServerError / ServiceUnavailable (or a proxy's 502/504): the SDK retried them as transient already.
    return new DynamoAuthAdapterError(
      "UNAVAILABLE",
      `${what}: ${whereText(location)} answered ${error.name ?? "an error"} (HTTP ${status}) ${attemptsText(error)}: it is not serving requests right now. ` +
        "Retry later, or give the client more attempts (maxAttempts). A write that failed this way may or may not have been applied.",
      { cause: error, details: { ...location } },
    )
  }
  switch (error.name) {
    case "AccessDeniedException":
      return new DynamoAuthAdapterError(
        "ACCESS_DENIED",
        `${what}: the client's IAM identity may not do this on table "${names.tableName}" (${message}). ` +
          `Allow the action on the table and on its index "${names.indexName}" (the README's "IAM policy" section lists every action the adapters use); retrying does not help.`,
        { cause: error },
      )
    case "ResourceNotFoundException":
      return new DynamoAuthAdapterError(
        "MISSING_TABLE",
        `${what}: table "${names.tableName}" does not exist (or is not ACTIVE) for this client's region and endpoint. ` +
          "Create it with `npx dynamodb-auth-adapter create-table --table " +
          `${names.tableName}\`, or set the adapter's tableName option to your table.`,
        { cause: error },
      )
    case "ValidationException":
      if (/index/i.test(message) && message.includes(names.indexName)) {
        return new DynamoAuthAdapterError(
          "MISSING_INDEX",
          `${what}: table "${names.tableName}" has no global secondary index "${names.indexName}" ` +
            `(${names.indexPartitionKey}/${names.indexSortKey}, projection ALL). Add it, or set indexName/indexPartitionKey/indexSortKey ` +
            "to the index the table has. `npx dynamodb-auth-adapter doctor` lists what differs.",
          { cause: error },
        )
      }
      if (/size of hashkey|range keys|primary key values must be under/i.test(message)) {
        // A key value (an id, email or token) longer than DynamoDB allows; writes are refused before sending (key-size.ts), reads get here.
        return new DynamoAuthAdapterError("INVALID_INPUT", `${what}: a key value is longer than DynamoDB allows (${message}). Shorten the id, email or token.`, {
          cause: error,
        })
      }
      if (/item size|maximum allowed size/i.test(message)) {
        return new DynamoAuthAdapterError("ITEM_TOO_LARGE", `${what}: ${message}`, { cause: error })
      }
      return error
    case "ProvisionedThroughputExceededException":
    case "ThrottlingException":
    case "RequestLimitExceeded":
      return new DynamoAuthAdapterError(
        "THROTTLED",
        `${what}: DynamoDB kept throttling after every retry (${error.name}). ` +
          "Raise the table's capacity (or use on-demand billing), or give the client more retries (maxAttempts).",
        { cause: error },
      )
    default:
      return error
  }
}
