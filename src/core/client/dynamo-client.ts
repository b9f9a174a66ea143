import { DynamoDBClient } from "@aws-sdk/client-dynamodb"
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb"

/**
 * What the adapters accept as `client`: a plain `DynamoDBClient`, or a
 * `DynamoDBDocument`/`DynamoDBDocumentClient` as `@auth/dynamodb-adapter` takes.
 */
export type DynamoClientInput = DynamoDBClient | DynamoDBDocumentClient

function isDocumentClient(client: DynamoClientInput): client is DynamoDBDocumentClient {
  if (client instanceof DynamoDBDocumentClient) return true
  // An app may load the SDK twice (ESM and CJS copies), where instanceof fails:
  // fall back to the class name. Not `config.translateConfig`: wrapping a
  // client in a document client writes that onto the plain client's config too.
  return /^DynamoDBDocument(Client)?$/.test(client.constructor.name)
}

/**
 * A document client over the given client. A plain client is wrapped with the
 * marshalling options this library relies on; a document client is used as it
 * is (values are cleaned of `undefined` before they reach it, so its options
 * do not matter).
 */
export function toDocumentClient(client: DynamoClientInput): DynamoDBDocumentClient {
  if (isDocumentClient(client)) return client
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true },
  })
}

/**
 * The client the adapters make when given none: region and credentials from
 * the environment, the endpoint from `DYNAMODB_ENDPOINT` when set (else the
 * SDK's own `AWS_ENDPOINT_URL_DYNAMODB`, which every client reads).
 * `DYNAMODB_ENDPOINT` is this library's convenience, read here and by the CLI
 * only: a `new DynamoDBClient({})` of the app's own does not see it, and the
 * UNAVAILABLE and CREDENTIALS messages say so when it is set (aws-errors.ts).
 */
export function defaultDynamoClient(): DynamoDBClient {
  const endpoint = process.env.DYNAMODB_ENDPOINT
  return new DynamoDBClient(endpoint ? { endpoint } : {})
}
