/**
 * Which client reads which endpoint variable, as the README states it:
 * `AWS_ENDPOINT_URL_DYNAMODB` is the AWS SDK's own and reaches every client,
 * including the `new DynamoDBClient({})` of the quick starts; `DYNAMODB_ENDPOINT`
 * is read by the client the adapters make when given none, and by the CLI.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb"
import { randomUUID } from "node:crypto"
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest"
import { DynamoDBAdapter } from "../../src/authjs/index.js"
import { defaultDynamoClient } from "../../src/core/client/dynamo-client.js"
import { locationOf } from "../../src/core/client/aws-errors.js"
import { createTestTable, endpoint, type TestTable } from "../support/test-table.js"
import { runCli } from "../cli/run-cli.js"

let table: TestTable
const clients: DynamoDBClient[] = []
beforeAll(async () => {
  table = await createTestTable()
})
afterAll(async () => {
  for (const client of clients) client.destroy()
  await table.drop()
})
afterEach(() => vi.unstubAllEnvs())

function localEnvironment(variables: { AWS_ENDPOINT_URL_DYNAMODB?: string; DYNAMODB_ENDPOINT?: string }): void {
  vi.stubEnv("AWS_REGION", "us-east-1")
  vi.stubEnv("AWS_ACCESS_KEY_ID", "local")
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", "local")
  vi.stubEnv("AWS_PROFILE", undefined)
  vi.stubEnv("AWS_ENDPOINT_URL_DYNAMODB", variables.AWS_ENDPOINT_URL_DYNAMODB)
  vi.stubEnv("DYNAMODB_ENDPOINT", variables.DYNAMODB_ENDPOINT)
}

describe("AWS_ENDPOINT_URL_DYNAMODB", () => {
  it("reaches the quick start's own `new DynamoDBClient({})`: the Auth.js adapter writes the user to DynamoDB Local", async () => {
    localEnvironment({ AWS_ENDPOINT_URL_DYNAMODB: endpoint() })
    const client = new DynamoDBClient({})
    clients.push(client)
    const email = `env-${randomUUID()}@example.com`
    const user = await DynamoDBAdapter(client, { tableName: table.tableName }).createUser!({ id: randomUUID(), email, emailVerified: null })
    expect((await table.document.get({ TableName: table.tableName, Key: { pk: `USER#${user.id}`, sk: `USER#${user.id}` } })).Item?.email).toBe(email)
  })

  it("reaches the default client and the CLI when DYNAMODB_ENDPOINT is unset", async () => {
    localEnvironment({ AWS_ENDPOINT_URL_DYNAMODB: endpoint() })
    const client = defaultDynamoClient()
    clients.push(client)
    expect(await locationOf(client)).toEqual({ endpoint: endpoint(), region: "us-east-1" })
    const run = await runCli("create-table", "--table", table.tableName)
    expect(run).toMatchObject({ code: 0, stderr: "" })
    expect(run.stdout).toContain(`Table "${table.tableName}" already exists with the right schema`)
  })
})

describe("DYNAMODB_ENDPOINT", () => {
  it("is read by the default client", async () => {
    localEnvironment({ DYNAMODB_ENDPOINT: endpoint() })
    const client = defaultDynamoClient()
    clients.push(client)
    expect(await locationOf(client)).toEqual({ endpoint: endpoint(), region: "us-east-1" })
  })

  it("is not read by a client the app makes itself (the message of a failure then says so; see unavailable.test.ts)", async () => {
    localEnvironment({ DYNAMODB_ENDPOINT: endpoint() })
    const client = new DynamoDBClient({})
    clients.push(client)
    expect(await locationOf(client)).toEqual({ region: "us-east-1" })
  })
})
