/**
 * Creates a table on DynamoDB Local the way an IaC tool deploys a printed
 * definition: CreateTable from its properties, wait until it exists, then
 * switch TTL on (DynamoDB takes TTL in a separate request).
 */
import {
  CreateTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type TimeToLiveSpecification,
} from "@aws-sdk/client-dynamodb"

export async function createLikeIac(client: DynamoDBClient, input: CreateTableCommandInput, timeToLive: TimeToLiveSpecification | undefined): Promise<void> {
  await client.send(new CreateTableCommand(input))
  await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { TableName: input.TableName })
  if (timeToLive) await client.send(new UpdateTimeToLiveCommand({ TableName: input.TableName, TimeToLiveSpecification: timeToLive }))
}

/** `AWS::DynamoDB::Table` properties: the CreateTable fields plus TTL. */
export type TableProperties = CreateTableCommandInput & { TimeToLiveSpecification?: TimeToLiveSpecification }

/** The properties split into the CreateTable input and the TTL CloudFormation enables after it. */
export function fromCloudFormationProperties(properties: TableProperties) {
  const { TimeToLiveSpecification, ...input } = properties
  return { input, timeToLive: TimeToLiveSpecification }
}
