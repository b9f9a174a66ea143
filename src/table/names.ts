/**
 * The names of the table and its key attributes. The option names are those of
 * `@auth/dynamodb-adapter`, so an existing configuration carries over as it is.
 */
export interface TableNameOptions {
  /** Table name. Default `"next-auth"`. */
  tableName?: string
  /** Partition key attribute. Default `"pk"`. */
  partitionKey?: string
  /** Sort key attribute. Default `"sk"`. */
  sortKey?: string
  /** Name of the one global secondary index. Default `"GSI1"`. */
  indexName?: string
  /** Partition key attribute of the index. Default `"GSI1PK"`. */
  indexPartitionKey?: string
  /** Sort key attribute of the index. Default `"GSI1SK"`. */
  indexSortKey?: string
}

/** Every name resolved: what the rest of the library works with. */
export interface TableNames {
  tableName: string
  partitionKey: string
  sortKey: string
  indexName: string
  indexPartitionKey: string
  indexSortKey: string
  /** TTL attribute: sessions and verification tokens expire through it. Fixed by the next-auth schema. */
  ttlAttribute: "expires"
}

export const DEFAULT_TABLE_NAMES: Readonly<TableNames> = Object.freeze({
  tableName: "next-auth",
  partitionKey: "pk",
  sortKey: "sk",
  indexName: "GSI1",
  indexPartitionKey: "GSI1PK",
  indexSortKey: "GSI1SK",
  ttlAttribute: "expires",
})

export function resolveTableNames(options: TableNameOptions = {}): TableNames {
  const names: TableNames = {
    tableName: options.tableName ?? DEFAULT_TABLE_NAMES.tableName,
    partitionKey: options.partitionKey ?? DEFAULT_TABLE_NAMES.partitionKey,
    sortKey: options.sortKey ?? DEFAULT_TABLE_NAMES.sortKey,
    indexName: options.indexName ?? DEFAULT_TABLE_NAMES.indexName,
    indexPartitionKey: options.indexPartitionKey ?? DEFAULT_TABLE_NAMES.indexPartitionKey,
    indexSortKey: options.indexSortKey ?? DEFAULT_TABLE_NAMES.indexSortKey,
    ttlAttribute: "expires",
  }
  const keyAttributes = [names.partitionKey, names.sortKey, names.indexPartitionKey, names.indexSortKey]
  if (new Set(keyAttributes).size !== keyAttributes.length) {
    throw new TypeError(`Key attribute names must be distinct, got ${keyAttributes.join(", ")}`)
  }
  return names
}

/** The attribute names that hold keys: never returned to a framework. */
export function keyAttributeNames(names: TableNames): string[] {
  return [names.partitionKey, names.sortKey, names.indexPartitionKey, names.indexSortKey]
}
