/**
 * Key attributes of a generic model's items, built (like every other key in
 * this library) from ElectroDB entity templates: the entity is defined at
 * runtime from the model's layout.
 */
import { Entity } from "electrodb"
import { createIndexEntryEntity, createKeyBuilder, type CoreEntities } from "../../table/entities.js"
import type { TableNames } from "../../table/names.js"
import type { GenericModelLayout } from "./generic-layout.js"

/** Composite attribute holding GSI1SK's value (`<sort value>#<id>`), computed by `gsiSortOf`. */
const GSI_SORT = "gsiSort"

export type GenericKeyBuilder = (composite: Record<string, unknown>) => Record<string, string>

export function createGenericKeyBuilder(names: TableNames, layout: GenericModelLayout): GenericKeyBuilder {
  const none = "none" as const
  const kind = layout.kind
  const attributes: Record<string, { type: "string" }> = { id: { type: "string" }, [GSI_SORT]: { type: "string" } }
  const indexes: Record<string, unknown> = {
    // A model listed whole keeps its records in one partition of its own: pk = `<KIND>`, sk = `<KIND>#<id>`.
    byId: layout.listedWhole
      ? {
          pk: { field: names.partitionKey, composite: [], template: kind, casing: none },
          sk: { field: names.sortKey, composite: ["id"], template: `${kind}#\${id}`, casing: none },
        }
      : {
          pk: { field: names.partitionKey, composite: ["id"], template: `${kind}#\${id}`, casing: none },
          sk: { field: names.sortKey, composite: ["id"], template: `${kind}#\${id}`, casing: none },
        },
  }
  if (layout.index) {
    const field = layout.index.field
    attributes[field] = { type: "string" }
    indexes.byIndex = {
      index: names.indexName,
      pk: { field: names.indexPartitionKey, composite: [field], template: `${kind}#${field}#\${${field}}`, casing: none },
      sk: { field: names.indexSortKey, composite: [GSI_SORT], template: `\${${GSI_SORT}}`, casing: none },
    }
  }
  const entity = new Entity(
    { model: { entity: kind, version: kind, service: "next-auth" }, attributes, indexes } as never,
    { table: names.tableName, identifiers: { entity: "type", version: "type" } } as never,
  )
  // createKeyBuilder is typed for the core entities; it reads any entity's templates the same way.
  const keysOf = createKeyBuilder({ generic: entity } as unknown as CoreEntities) as unknown as (
    kind: string,
    composite: Record<string, unknown>,
  ) => Record<string, string>
  return (composite) => keysOf("generic", composite)
}

/** GSI1SK's value: the sort field's value (or nothing) then the id, so equal sort values stay distinct and ordered. */
export function gsiSortOf(layout: GenericModelLayout, record: Record<string, unknown>): string {
  const sortValue = layout.index?.sortField ? record[layout.index.sortField] : undefined
  return `${sortValue === undefined || sortValue === null ? "" : String(sortValue)}#${String(record.id)}`
}

export { GSI_SORT }

/** Composite attribute of an expiry marker's sort key: `<expires ISO>#<id>`. */
const EXPIRY_ORDER = "expiryOrder"

/**
 * Keys of a model's expiry markers: pk = `<KIND>_EXPIRY`, sk =
 * `<expires ISO>#<id>`, so that "expired before T" is one Query on one
 * partition, ordered by expiry.
 */
export function createExpiryKeyBuilder(names: TableNames, layout: GenericModelLayout): (expires: string, id: string) => Record<string, string> {
  const kind = `${layout.kind}_EXPIRY`
  const none = "none" as const
  const entity = new Entity(
    {
      model: { entity: kind, version: kind, service: "next-auth" },
      attributes: { [EXPIRY_ORDER]: { type: "string" } },
      indexes: {
        byExpiry: {
          pk: { field: names.partitionKey, composite: [], template: kind, casing: none },
          sk: { field: names.sortKey, composite: [EXPIRY_ORDER], template: `\${${EXPIRY_ORDER}}`, casing: none },
        },
      },
    } as never,
    { table: names.tableName, identifiers: { entity: "type", version: "type" } } as never,
  )
  const keysOf = createKeyBuilder({ expiry: entity } as unknown as CoreEntities) as unknown as (kind: string, composite: Record<string, unknown>) => Record<string, string>
  return (expires, id) => keysOf("expiry", { [EXPIRY_ORDER]: `${expires}#${id}` })
}

/** The partition composite of an index entry: `<KIND>#<fields>#<value>` (a JSON array for several fields). */
export function entryPartitionOf(kind: string, fields: readonly string[], values: readonly unknown[]): string {
  const encoded = values.length === 1 ? String(values[0]) : JSON.stringify(values.map(String))
  return `${kind}#${fields.join(",")}#${encoded}`
}

/** Keys of index entries: pk = `INDEX#<KIND>#<fields>#<value>`, sk = `<id>`. */
export function createIndexEntryKeyBuilder(names: TableNames): (entryPartition: string, id: string) => Record<string, string> {
  const keysOf = createKeyBuilder({ entry: createIndexEntryEntity(names) } as unknown as CoreEntities) as unknown as (kind: string, composite: Record<string, unknown>) => Record<string, string>
  return (entryPartition, id) => keysOf("entry", { entryPartition, id })
}
