/**
 * Reads and writes the records of one generic model (anything but user,
 * account and session) on an `ItemTable`, and offers the planner its access
 * paths: GetItem / BatchGetItem by id, Query on GSI1 for the layout's
 * field, Scan on `type` as the last resort.
 *
 * Records are stored under their schema field names with their values as
 * given; attributes that would clash with the table's own (`pk`, `type`,
 * `expires`, …) are stored with a `_` suffix.
 *
 * A model with a TTL field (Better Auth's `verification`) also gets an expiry
 * marker per record: pk = `<KIND>_EXPIRY`, sk = `<expires ISO>#<id>`, written
 * in the same transaction as the record, so "every record that expired
 * before T" (Better Auth's cleanup, every minute) is one Query instead of a
 * Scan of the whole table. Markers carry the TTL attribute too; a marker
 * whose record is gone is skipped and removed.
 */
import { DynamoAuthAdapterError, isDynamoAuthAdapterError } from "../errors.js"
import { ExpressionBuilder } from "../expression-builder.js"
import type { AccessPath, PlannedRecord } from "../planner/types.js"
import type { Expression, Item, ItemTable, Key, WriteAction } from "../client/table-client.js"
import type { TableNames } from "../../table/names.js"
import { fromStoredDate, toEpochSeconds } from "../codec.js"
import { createExpiryKeyBuilder, createGenericKeyBuilder, GSI_SORT, gsiSortOf, type GenericKeyBuilder } from "./generic-keys.js"
import type { GenericModelLayout } from "./generic-layout.js"

export class GenericModel {
  private readonly keys: GenericKeyBuilder
  private readonly expiryKeys: ((expires: string, id: string) => Record<string, string>) | undefined
  private readonly reserved: ReadonlySet<string>

  constructor(
    readonly names: TableNames,
    readonly layout: GenericModelLayout,
  ) {
    this.keys = createGenericKeyBuilder(names, layout)
    this.expiryKeys = layout.ttlField ? createExpiryKeyBuilder(names, layout) : undefined
    this.reserved = new Set([names.partitionKey, names.sortKey, names.indexPartitionKey, names.indexSortKey, "type", names.ttlAttribute])
  }

  private storedName(field: string): string {
    return this.reserved.has(field) || (field.endsWith("_") && this.reserved.has(field.slice(0, -1))) ? `${field}_` : field
  }

  private fieldName(attribute: string): string | undefined {
    if (this.reserved.has(attribute)) return undefined
    if (attribute.endsWith("_") && (this.reserved.has(attribute.slice(0, -1)) || this.reserved.has(attribute.replace(/_+$/, "")))) {
      return attribute.slice(0, -1)
    }
    return attribute
  }

  keyOf(id: unknown): Key {
    if (typeof id !== "string" || id === "") {
      throw new DynamoAuthAdapterError("INVALID_INPUT", `A ${this.layout.model} record needs a non-empty string id, got ${JSON.stringify(id)}.`)
    }
    const keys = this.keys({ id })
    return { [this.names.partitionKey]: keys[this.names.partitionKey]!, [this.names.sortKey]: keys[this.names.sortKey]! }
  }

  /** The item for a record: keys (GSI1 only when the indexed field has a value), `type`, fields, TTL. */
  itemOf(record: PlannedRecord): Item {
    const composite: Record<string, unknown> = { id: record.id }
    if (this.layout.index) {
      composite[this.layout.index.field] = record[this.layout.index.field]
      composite[GSI_SORT] = gsiSortOf(this.layout, record)
    }
    const item: Item = { ...this.keys(composite), type: this.layout.kind }
    for (const [field, value] of Object.entries(record)) if (value !== undefined) item[this.storedName(field)] = value
    if (this.layout.ttlField) {
      const expires = fromStoredDate(record[this.layout.ttlField])
      if (expires) item[this.names.ttlAttribute] = Math.floor(toEpochSeconds(expires))
    }
    return item
  }

  recordOf(item: Item): PlannedRecord {
    const record: PlannedRecord = {}
    for (const [attribute, value] of Object.entries(item)) {
      const field = this.fieldName(attribute)
      if (field !== undefined) record[field] = value
    }
    return record
  }

  /** The expiry marker of a record, when the model has a TTL field and the record a valid expiry. */
  markerOf(record: PlannedRecord): Item | undefined {
    if (!this.expiryKeys || !this.layout.ttlField) return undefined
    const expires = fromStoredDate(record[this.layout.ttlField])
    if (!expires || typeof record.id !== "string") return undefined
    return {
      ...this.expiryKeys(expires.toISOString(), record.id),
      type: `${this.layout.kind}_EXPIRY`,
      id: record.id,
      [this.names.ttlAttribute]: Math.floor(toEpochSeconds(expires)),
    }
  }

  private markerKey(marker: Item): Key {
    return { [this.names.partitionKey]: String(marker[this.names.partitionKey]), [this.names.sortKey]: String(marker[this.names.sortKey]) }
  }

  private async dropMarker(table: ItemTable, record: PlannedRecord): Promise<void> {
    const marker = this.markerOf(record)
    if (!marker) return
    try {
      await table.write({ kind: "delete", key: this.markerKey(marker), label: `Delete expiry marker of ${String(record.id)}` }, `delete ${this.layout.model} expiry marker`)
    } catch (error) {
      // The record is gone either way; a leftover marker is skipped by readers and expires by TTL.
      table.logger.warn(`Could not delete the expiry marker of ${this.layout.model} ${String(record.id)}`, { error })
    }
  }

  /** Records whose TTL field is before (`lt`) or at most (`lte`) the bound: one Query on the markers, one BatchGetItem. */
  private async expiredBefore(table: ItemTable, operator: "lt" | "lte", bound: string): Promise<PlannedRecord[]> {
    const e = new ExpressionBuilder()
    const partition = this.expiryKeys!("-", "-")[this.names.partitionKey]!
    // sk = `<expires>#<id>`: "< bound" excludes expiry == bound; "< bound + '$'" ('$' sorts right after '#') includes it.
    const limit = operator === "lt" ? bound : `${bound}$`
    const markers = await table.queryAll(
      {
        keyCondition: {
          expression: `${e.name(this.names.partitionKey)} = ${e.value(partition)} AND ${e.name(this.names.sortKey)} < ${e.value(limit)}`,
          names: e.names,
          values: e.values,
        },
      },
      `query ${this.layout.model} expiry markers`,
    )
    const ids = markers.map((m) => m.id).filter((id): id is string => typeof id === "string" && id !== "")
    if (ids.length === 0) return []
    const items = await table.batchGet(ids.map((id) => this.keyOf(id)), `get expired ${this.layout.model} records`)
    return items.map((item) => this.recordOf(item))
  }

  private scanFilter(): Expression {
    return { expression: "#type = :type", names: { "#type": "type" }, values: { ":type": this.layout.kind } }
  }

  /** Access paths for the planner, bound to a table (the plain one, or a transaction's). */
  accessPaths(table: ItemTable): AccessPath[] {
    const model = this.layout.model
    const paths: AccessPath[] = [
      {
        kind: "get",
        description: `GetItem ${this.layout.kind}#<id>`,
        keyFields: ["id"],
        fetch: async (keys) => {
          const item = await table.get(this.keyOf(keys.id), `findOne ${model}`)
          return item ? [this.recordOf(item)] : []
        },
      },
      {
        kind: "batchGet",
        description: `BatchGetItem ${this.layout.kind}#<id>…`,
        keyFields: ["id"],
        fetch: async (keys) => {
          const ids = (keys.id as unknown[]).filter((id): id is string => typeof id === "string" && id !== "")
          const items = await table.batchGet(ids.map((id) => this.keyOf(id)), `findMany ${model}`)
          return items.map((item) => this.recordOf(item))
        },
      },
      {
        kind: "scan",
        description: `Scan type = ${this.layout.kind}`,
        keyFields: [],
        fetch: async () => (await table.scanAll(this.scanFilter(), `scan ${model}`)).map((item) => this.recordOf(item)),
      },
    ]
    const ttlField = this.layout.ttlField
    if (ttlField && this.expiryKeys) {
      paths.push({
        kind: "query",
        description: `Query ${this.layout.kind}_EXPIRY < <${ttlField}>`,
        keyFields: [],
        rangeField: ttlField,
        fetch: async (keys) => {
          const { operator, value } = keys[ttlField] as { operator: "lt" | "lte"; value: string }
          const bound = fromStoredDate(value)
          return bound ? this.expiredBefore(table, operator, bound.toISOString()) : []
        },
      })
    }
    const index = this.layout.index
    if (index) {
      paths.push({
        kind: "query",
        description: `Query ${this.names.indexName} ${this.layout.kind}#${index.field}#<value>`,
        keyFields: [index.field],
        eventuallyConsistent: true,
        ...(index.sortField ? { orderedBy: index.sortField } : {}),
        fetch: async (keys, hint) => {
          const gsiPk = this.keys({ id: "-", [index.field]: keys[index.field], [GSI_SORT]: "-" })[this.names.indexPartitionKey]!
          const e = new ExpressionBuilder()
          const items = await table.queryAll(
            {
              index: "gsi",
              keyCondition: { expression: `${e.name(this.names.indexPartitionKey)} = ${e.value(gsiPk)}`, names: e.names, values: e.values },
              ...(hint.direction === "desc" ? { scanForward: false } : {}),
              ...(hint.limit !== undefined ? { limit: hint.limit } : {}),
            },
            `query ${model} by ${index.field}`,
            hint.limit,
          )
          return items.map((item) => this.recordOf(item))
        },
      })
    }
    return paths
  }

  /** Puts a new record; fails if one with this id exists. */
  async create(table: ItemTable, record: PlannedRecord): Promise<PlannedRecord> {
    const item = this.itemOf(record)
    const put: WriteAction = {
      kind: "put",
      item,
      condition: { expression: "attribute_not_exists(#pk)", names: { "#pk": this.names.partitionKey } },
      label: `Put ${String(item[this.names.partitionKey])}`,
    }
    const marker = this.markerOf(record)
    if (marker) {
      await table.transactWrite([put, { kind: "put", item: marker, label: `Put expiry marker of ${String(record.id)}` }], `create ${this.layout.model}`)
    } else {
      await table.write(put, `create ${this.layout.model}`)
    }
    return record
  }

  /**
   * Applies `changes` to a record that exists: one UpdateItem that SETs the
   * changed fields (null is stored as null) and keeps GSI1 keys and the TTL
   * attribute in step, so concurrent updates of other fields are not lost.
   * When the expiry moves, its marker moves in the same transaction.
   * Returns the updated record, or undefined when the record is gone.
   */
  /**
   * SET clauses for the changed fields (never `id`, never undefined), plus
   * GSI1 and the TTL attribute recomputed from `next`, the record after the
   * change: set when they have a value, removed when they no longer do.
   */
  private setClauses(e: ExpressionBuilder, changes: PlannedRecord, next: PlannedRecord): { sets: string[]; removes: string[] } {
    const sets: string[] = []
    const removes: string[] = []
    for (const [field, value] of Object.entries(changes)) {
      if (value === undefined || field === "id") continue
      sets.push(`${e.name(this.storedName(field))} = ${e.value(value)}`)
    }
    const derived = this.itemOf(next)
    for (const attribute of [this.names.indexPartitionKey, this.names.indexSortKey, this.names.ttlAttribute]) {
      if (derived[attribute] !== undefined) sets.push(`${e.name(attribute)} = ${e.value(derived[attribute])}`)
      else removes.push(e.name(attribute))
    }
    return { sets, removes }
  }

  async update(table: ItemTable, current: PlannedRecord, changes: PlannedRecord): Promise<PlannedRecord | undefined> {
    const next: PlannedRecord = { ...current }
    for (const [field, value] of Object.entries(changes)) if (value !== undefined && field !== "id") next[field] = value
    const e = new ExpressionBuilder("u")
    const { sets, removes } = this.setClauses(e, changes, next)
    const update: Expression = {
      expression: [sets.length ? `SET ${sets.join(", ")}` : "", removes.length ? `REMOVE ${removes.join(", ")}` : ""].filter(Boolean).join(" "),
      names: e.names,
      values: e.values,
    }
    const action: WriteAction = {
      kind: "update",
      key: this.keyOf(current.id),
      update,
      condition: { expression: "attribute_exists(#pk)", names: { "#pk": this.names.partitionKey } },
      label: `Update ${this.layout.kind}#${String(current.id)}`,
    }
    const oldMarker = this.markerOf(current)
    const newMarker = this.markerOf(next)
    try {
      if (String(oldMarker?.[this.names.sortKey]) !== String(newMarker?.[this.names.sortKey]) && (oldMarker || newMarker)) {
        await table.transactWrite(
          [
            action,
            ...(oldMarker ? [{ kind: "delete" as const, key: this.markerKey(oldMarker), label: `Delete old expiry marker of ${String(current.id)}` }] : []),
            ...(newMarker ? [{ kind: "put" as const, item: newMarker, label: `Put expiry marker of ${String(current.id)}` }] : []),
          ],
          `update ${this.layout.model}`,
        )
        return next
      }
      const updated = await table.write(action, `update ${this.layout.model}`)
      return updated ? this.recordOf(updated) : next
    } catch (error) {
      if ((error as { name?: string }).name === "ConditionalCheckFailedException") return undefined
      if (isDynamoAuthAdapterError(error, "TRANSACTION_FAILED") && error.reasons?.[0]?.code === "ConditionalCheckFailed") return undefined
      throw error
    }
  }

  /**
   * Deletes a record, on condition that its guarded fields still hold the
   * values it was read with. Returns the deleted record, or undefined when
   * another writer changed or removed it first.
   */
  async delete(table: ItemTable, record: PlannedRecord, guardFields: readonly string[] = []): Promise<PlannedRecord | undefined> {
    const key = this.keyOf(record.id)
    try {
      const old = await table.write(
        { kind: "delete", key, condition: this.guard(record, guardFields), label: `Delete ${key[this.names.partitionKey]}` },
        `delete ${this.layout.model}`,
      )
      const deleted = old ? this.recordOf(old) : undefined
      if (deleted) await this.dropMarker(table, deleted)
      return deleted
    } catch (error) {
      if ((error as { name?: string }).name === "ConditionalCheckFailedException") return undefined
      throw error
    }
  }

  /**
   * One UpdateItem: `ADD` for each increment, `SET` for each assignment, on
   * condition that the record still has the values it was read with in
   * `guardFields`. Returns the new record, or undefined when the guard failed.
   * `ADD` is atomic, so an incremented field is guarded only when GSI1 or the
   * TTL attribute mirror it (they are computed from the value read);
   * otherwise concurrent increments would fail each other instead of adding up.
   */
  async increment(
    table: ItemTable,
    record: PlannedRecord,
    increment: Readonly<Record<string, number>>,
    set: Readonly<Record<string, unknown>>,
    guardFields: readonly string[],
  ): Promise<PlannedRecord | undefined> {
    const mirrored = new Set([this.layout.index?.field, this.layout.index?.sortField, this.layout.ttlField].filter((f) => f !== undefined))
    const guarded = [...guardFields, ...Object.keys(increment).filter((field) => mirrored.has(field))]
    const e = new ExpressionBuilder("u")
    const adds = Object.entries(increment).map(([field, delta]) => `${e.name(this.storedName(field))} ${e.value(delta)}`)
    const next = { ...record, ...set }
    for (const [field, delta] of Object.entries(increment)) next[field] = (typeof record[field] === "number" ? (record[field] as number) : 0) + delta
    const { sets, removes } = this.setClauses(e, set, next)
    const update: Expression = {
      expression: [adds.length ? `ADD ${adds.join(", ")}` : "", sets.length ? `SET ${sets.join(", ")}` : "", removes.length ? `REMOVE ${removes.join(", ")}` : ""]
        .filter(Boolean)
        .join(" "),
      names: e.names,
      values: e.values,
    }
    try {
      const updated = await table.write(
        { kind: "update", key: this.keyOf(record.id), update, condition: this.guard(record, guarded), label: `Update ${this.layout.kind}#${String(record.id)}` },
        `incrementOne ${this.layout.model}`,
      )
      const result = updated ? this.recordOf(updated) : undefined
      const oldMarker = this.markerOf(record)
      const newMarker = result && this.markerOf(result)
      if (result && String(oldMarker?.[this.names.sortKey]) !== String(newMarker?.[this.names.sortKey])) {
        // The expiry moved: move its marker (after the update, so no reader misses the record).
        if (newMarker) await table.write({ kind: "put", item: newMarker, label: `Put expiry marker of ${String(record.id)}` }, `incrementOne ${this.layout.model}`)
        await this.dropMarker(table, record)
      }
      return result
    } catch (error) {
      if ((error as { name?: string }).name === "ConditionalCheckFailedException") return undefined
      throw error
    }
  }

  /** `attribute_exists(pk)` and, for each guarded field, the value it was read with (or its absence). */
  guard(record: PlannedRecord, fields: readonly string[]): Expression {
    const e = new ExpressionBuilder("g")
    const parts = [`attribute_exists(${e.name(this.names.partitionKey)})`]
    for (const field of new Set(fields)) {
      const value = record[field]
      const name = e.name(this.storedName(field))
      if (value === undefined || value === null) parts.push(`(attribute_not_exists(${name}) OR ${name} = ${e.value(null)})`)
      else parts.push(`${name} = ${e.value(value)}`)
    }
    return { expression: parts.join(" AND "), names: e.names, values: e.values }
  }
}
