import type { TableNames } from "../names.js"
import { tableDefinition } from "./table-definition.js"
import { toYaml, type YamlValue } from "./yaml.js"

/** Logical id of the table in the printed template. */
export const CLOUDFORMATION_LOGICAL_ID = "AuthTable"

/**
 * A CloudFormation template holding the table. `AWS::DynamoDB::Table`
 * properties carry the CreateTable field names, so the properties are the
 * `createTableInput()` fields as they are, plus `TimeToLiveSpecification`.
 * The table is retained when the stack is deleted: it holds users.
 */
export function cloudFormationTemplate(names: TableNames): { [key: string]: YamlValue } {
  const { input, timeToLive } = tableDefinition(names)
  // The SDK input type allows undefined members; JSON round-trip gives plain data.
  const properties = JSON.parse(JSON.stringify({ ...input, TimeToLiveSpecification: timeToLive })) as { [key: string]: YamlValue }
  return {
    AWSTemplateFormatVersion: "2010-09-09",
    Description: `DynamoDB table ${names.tableName} for dynamodb-auth-adapter (Better Auth and Auth.js on one table)`,
    Resources: {
      [CLOUDFORMATION_LOGICAL_ID]: {
        Type: "AWS::DynamoDB::Table",
        DeletionPolicy: "Retain",
        UpdateReplacePolicy: "Retain",
        Properties: properties,
      },
    },
    Outputs: {
      TableName: { Value: { Ref: CLOUDFORMATION_LOGICAL_ID } },
      TableArn: { Value: { "Fn::GetAtt": [CLOUDFORMATION_LOGICAL_ID, "Arn"] } },
    },
  }
}

export function cloudFormationYaml(names: TableNames): string {
  return toYaml(cloudFormationTemplate(names))
}
