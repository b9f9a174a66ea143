import type { DBAdapterSchemaCreation } from "@better-auth/core/db/adapter"
import { cloudFormationYaml } from "../table/iac/cloudformation.js"
import type { TableNames } from "../table/names.js"

/**
 * What `npx auth generate` writes: a CloudFormation template for the one
 * table. Every Better Auth model, plugin models included, lives in it, so the
 * file does not depend on the schema; nothing is sent to AWS.
 */
export async function createSchemaFile(names: TableNames, file?: string): Promise<DBAdapterSchemaCreation> {
  const header =
    `# DynamoDB table for Better Auth (dynamodb-auth-adapter): every model lives in this one table.\n` +
    `# Deploy with: aws cloudformation deploy --template-file ${file ?? "dynamodb-auth-table.yaml"} --stack-name auth-table\n` +
    `# or create it directly with: npx dynamodb-auth-adapter create-table --table ${names.tableName}\n`
  return { code: header + cloudFormationYaml(names), path: file ?? "dynamodb-auth-table.yaml", overwrite: true }
}
