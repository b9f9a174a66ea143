import { randomUUID } from "node:crypto"
import { GetItemCommand, ResourceInUseException } from "@aws-sdk/client-dynamodb"
import { afterAll, describe, expect, it } from "vitest"
import { singleTableAdapter } from "../../src/better-auth/index.js"
import { createTable } from "../../src/table/create-table.js"
import { resolveTableNames } from "../../src/table/names.js"
import { countRequests } from "../../src/core/client/request-counter.js"
import { endpoint, localClient } from "../support/test-table.js"

const clients: { destroy(): void }[] = []
afterAll(() => {
  for (const c of clients) c.destroy()
})

describe("singleTableAdapter construction", () => {
  it("builds an adapter without sending a request", async () => {
    const client = localClient()
    clients.push(client)
    const counter = countRequests(client)
    const factory = singleTableAdapter({ client, tableName: "never-used" })
    const adapter = factory({})
    expect(adapter.id).toBe("dynamodb-single-table")
    expect(counter.total()).toBe(0)
  })

  it("works with no arguments: a client from the environment (DYNAMODB_ENDPOINT) and the table next-auth", async () => {
    process.env.DYNAMODB_ENDPOINT = endpoint()
    process.env.AWS_REGION ??= "us-east-1"
    process.env.AWS_ACCESS_KEY_ID ??= "local"
    process.env.AWS_SECRET_ACCESS_KEY ??= "local"
    const setup = localClient()
    clients.push(setup)
    try {
      await createTable(setup, resolveTableNames())
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error
    }
    const adapter = singleTableAdapter()({})
    const email = `zero-args-${randomUUID()}@example.com`
    const user = await adapter.create<{ id: string }>({ model: "user", data: { name: "Zero", email, emailVerified: false, createdAt: new Date(), updatedAt: new Date() } })
    expect(await adapter.findOne({ model: "user", where: [{ field: "email", value: email }] })).toMatchObject({ id: user.id })
    const stored = await setup.send(new GetItemCommand({ TableName: "next-auth", Key: { pk: { S: `USER#${user.id}` }, sk: { S: `USER#${user.id}` } } }))
    expect(stored.Item?.email?.S).toBe(email)
    await adapter.delete({ model: "user", where: [{ field: "id", value: user.id }] })
  })

  it("createSchema returns a CloudFormation template for the table, without touching the network", async () => {
    const client = localClient()
    clients.push(client)
    const counter = countRequests(client)
    const adapter = singleTableAdapter({ client, tableName: "auth-prod" })({})
    const schema = await adapter.createSchema!({}, undefined)
    expect(schema.path).toBe("dynamodb-auth-table.yaml")
    expect(schema.code).toContain("AWS::DynamoDB::Table")
    expect(schema.code).toContain("auth-prod")
    expect(schema.code).toContain("GSI1")
    expect(counter.total()).toBe(0)
    expect((await adapter.createSchema!({}, "infra/auth.yaml")).path).toBe("infra/auth.yaml")
  })

  it("usePlural changes Better Auth's model names, not the items: users are USER#<id> either way", async () => {
    const { createTestTable } = await import("../support/test-table.js")
    const table = await createTestTable()
    const client = localClient()
    clients.push(client)
    try {
      const adapter = singleTableAdapter({ client, tableName: table.tableName, usePlural: true, models: { verification: { kind: "OTP" } } })({})
      const user = await adapter.create<{ id: string }>({ model: "user", data: { name: "P", email: "plural@example.com", emailVerified: false, createdAt: new Date(), updatedAt: new Date() } })
      await adapter.create({ model: "verification", data: { identifier: "i", value: "v", expiresAt: new Date(Date.now() + 60_000), createdAt: new Date(), updatedAt: new Date() } })
      expect(await adapter.findOne({ model: "users", where: [{ field: "id", value: user.id }] })).toMatchObject({ email: "plural@example.com" })
      const types = (await table.scanAll()).map((i) => i.type).sort()
      expect(types).toEqual(["EMAIL", "OTP", "OTP_EXPIRY", "USER", "USER_DIRECTORY"])
    } finally {
      await table.drop()
    }
  })
})
