import { afterEach, describe, expect, it } from "vitest"
import { JavaMissingError, startDynamoDBLocal } from "../support/dynamodb-local.js"
import { endpoint } from "../support/test-table.js"

const saved = { PATH: process.env.PATH, DYNAMODB_ENDPOINT: process.env.DYNAMODB_ENDPOINT }
afterEach(() => {
  process.env.PATH = saved.PATH
  if (saved.DYNAMODB_ENDPOINT === undefined) delete process.env.DYNAMODB_ENDPOINT
  else process.env.DYNAMODB_ENDPOINT = saved.DYNAMODB_ENDPOINT
})

describe("starting DynamoDB Local", () => {
  it("uses DYNAMODB_ENDPOINT when it is set and starts nothing", async () => {
    process.env.DYNAMODB_ENDPOINT = endpoint()
    const database = await startDynamoDBLocal()
    expect(database).toMatchObject({ endpoint: endpoint(), owned: false })
    await database.stop()
  })

  it("fails with one clear line when java is missing", async () => {
    process.env.PATH = "/nonexistent"
    delete process.env.DYNAMODB_ENDPOINT
    const error = await startDynamoDBLocal().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(JavaMissingError)
    expect((error as Error).message).toMatch(/openjdk-17-jre-headless/)
    expect((error as Error).message).toMatch(/DYNAMODB_ENDPOINT/)
  })

  it("starts its own process on a free port and stops it", async () => {
    delete process.env.DYNAMODB_ENDPOINT
    const database = await startDynamoDBLocal()
    expect(database.owned).toBe(true)
    expect(database.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    await database.stop()
    const response = await fetch(database.endpoint).catch((e: unknown) => e)
    expect(response).toBeInstanceOf(Error)
  }, 60_000)
})
