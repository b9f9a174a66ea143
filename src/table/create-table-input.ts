import type { CreateTableCommandInput } from "@aws-sdk/client-dynamodb"
import type { TableNames } from "./names.js"

export interface CreateTableInputOptions {
  /**
   * DynamoDB's own deletion protection (DeleteTable is refused until it is
   * switched off). Default true: the table holds your users. Pass false for
   * throw-away tables (tests, previews).
   */
  deletionProtection?: boolean
}

/**
 * The table as DynamoDB needs it: `pk`/`sk` strings, one GSI over
 * `GSI1PK`/`GSI1SK` projecting ALL, on-demand billing, deletion protection
 * on. This one definition feeds `createTable`, the CLI and the
 * infrastructure-as-code printers, so they can never disagree.
 */
export function createTableInput(names: TableNames, options: CreateTableInputOptions = {}): CreateTableCommandInput {
  return {
    TableName: names.tableName,
    BillingMode: "PAY_PER_REQUEST",
    DeletionProtectionEnabled: options.deletionProtection !== false,
    AttributeDefinitions: [
      { AttributeName: names.partitionKey, AttributeType: "S" },
      { AttributeName: names.sortKey, AttributeType: "S" },
      { AttributeName: names.indexPartitionKey, AttributeType: "S" },
      { AttributeName: names.indexSortKey, AttributeType: "S" },
    ],
    KeySchema: [
      { AttributeName: names.partitionKey, KeyType: "HASH" },
      { AttributeName: names.sortKey, KeyType: "RANGE" },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: names.indexName,
        KeySchema: [
          { AttributeName: names.indexPartitionKey, KeyType: "HASH" },
          { AttributeName: names.indexSortKey, KeyType: "RANGE" },
        ],
        Projection: { ProjectionType: "ALL" },
      },
    ],
  }
}
