/**
 * Starts one DynamoDB Local for the whole test run (or uses DYNAMODB_ENDPOINT)
 * and hands its endpoint to every test file through `inject("dynamodbEndpoint")`.
 */
import type { TestProject } from "vitest/node"
import { startDynamoDBLocal, type LocalDynamoDB } from "./dynamodb-local.js"

declare module "vitest" {
  export interface ProvidedContext {
    dynamodbEndpoint: string
  }
}

let database: LocalDynamoDB | undefined

export async function setup(project: TestProject) {
  database = await startDynamoDBLocal()
  project.provide("dynamodbEndpoint", database.endpoint)
  if (database.owned) console.log(`DynamoDB Local started at ${database.endpoint}`)
  else console.log(`Using DynamoDB at ${database.endpoint} (DYNAMODB_ENDPOINT)`)
}

export async function teardown() {
  await database?.stop()
}
