/**
 * The one DynamoDB table both frameworks share, configured from the
 * environment. Each module graph Next.js builds (route handlers, pages) gets
 * its own client and adapters; nothing here is shared state that decides
 * correctness (the table is the only source of truth).
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb"

/** `DYNAMODB_TABLE`, default `next-auth` (the name `@auth/dynamodb-adapter` uses). */
export const tableName = process.env.DYNAMODB_TABLE ?? "next-auth"

/**
 * Region and credentials come from the SDK's usual sources (`AWS_REGION`,
 * `AWS_PROFILE`, …); `DYNAMODB_ENDPOINT` points it at DynamoDB Local.
 */
export const client = new DynamoDBClient(process.env.DYNAMODB_ENDPOINT ? { endpoint: process.env.DYNAMODB_ENDPOINT } : {})
