import { DynamoDBClient } from "@aws-sdk/client-dynamodb"
import { DynamoDBDocument, DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb"
import { describe, expect, it } from "vitest"
import { toDocumentClient } from "../../src/core/client/dynamo-client.js"

describe("toDocumentClient", () => {
  it("uses a document client as it is", () => {
    const document = DynamoDBDocument.from(new DynamoDBClient({ region: "us-east-1" }))
    expect(toDocumentClient(document)).toBe(document)
    const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({ region: "us-east-1" }))
    expect(toDocumentClient(documentClient)).toBe(documentClient)
  })

  it("wraps a plain client, even one the app has also wrapped in a document client of its own", () => {
    const plain = new DynamoDBClient({ region: "us-east-1" })
    // This writes translateConfig onto the plain client's shared config object.
    DynamoDBDocument.from(plain, { marshallOptions: { convertEmptyValues: true } })
    const wrapped = toDocumentClient(plain)
    expect(wrapped).not.toBe(plain)
    expect(wrapped).toBeInstanceOf(DynamoDBDocumentClient)
  })
})
