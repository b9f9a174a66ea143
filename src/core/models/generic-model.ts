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
 * Scan of the whole table.
 * Markers carry the TTL attribute too; a marker
 * whose record is gone is skipped and removed. The same markers serve any
 * range field (`rateLimit.lastRequest`, read by Better Auth's prune): a
 * marker never runs ahead of its record's value (it is written with the
 * record, moved by updates, and left behind by increments, which only move
 * the value forward), so "before T" through the markers is a superset that
 * the planner filters; markers found behind are moved forward on that read.
 *
 * Unique field sets are claimed (`identity/unique-claims.ts`) and lookups
 * get index entries (pk = `INDEX#<KIND>#<fields>#<value>`, sk = `<id>`),
 * both in the record's own transaction: a read by a unique value is a
 * GetItem of the claim and one of the record, a read by a lookup a Query of
 * the entries and a BatchGetItem, all strongly consistent. A record whose
 * claimed or indexed values change is written conditioned on the values it
 * was read with, so entries and claims always follow the record.
 */
import { DynamoAuthAdapterError, isDynamoAuthAdapterError } from "../errors.js"
import { ExpressionBuilder } from "../expression-builder.js"
import type { AccessPath, PlannedRecord } from "../planner/types.js"
import type { Expression, Item, ItemTable, Key, WriteAction } from "../client/table-client.js"
import type { TableNames } from "../../table/names.js"
import { fromStoredDate, toEpochSeconds } from "../codec.js"
import { createExpiryKeyBuilder, createGenericKeyBuilder, createIndexEntryKeyBuilder, entryPartitionOf, GSI_SORT, gsiSortOf, type GenericKeyBuilder } from "./generic-keys.js"
import type { GenericModelLayout } from "./generic-layout.js"
import { UniqueClaims, uniqueValueOf } from "../identity/unique-claims.js"
import { transact } from "../identity/transactions.js"
import { ITEM_TYPES } from "../../table/entities.js"

/** Tries of a write whose claimed or indexed values changed between its read and its write. */
const MOVE_ATTEMPTS = 4

/** A range value as a marker's sort key prefix: ISO dates, zero-padded non-negative numbers (so strings sort as values do). */
function rangeOrder(value: unknown): string | undefined {
  if (typeof value === "number" && Number.isFinite(value) && value >= 0) return Math.floor(value).toString().padStart(20, "0")
  const date = fromStoredDate(value)
  return date ? date.toISOString() : undefined
}

function sameValues(a: PlannedRecord, b: PlannedRecord, fields: readonly string[]): boolean {
  return fields.every((field) => JSON.stringify(a[field] ?? null) === JSON.stringify(b[field] ?? null))
}

export class GenericModel {
  private readonly keys: GenericKeyBuilder
  private readonly expiryKeys: ((expires: string, id: string) => Record<string, string>) | undefined
  private readonly reserved: ReadonlySet<string>
  private readonly claims: UniqueClaims
  private readonly entryKeys: (entryPartition: string, id: string) => Record<string, string>

  constructor(
    readonly names: TableNames,
    readonly layout: GenericModelLayout,
  ) {
    this.keys = createGenericKeyBuilder(names, layout)
    this.expiryKeys = layout.range ? createExpiryKeyBuilder(names, layout) : undefined
    this.claims = new UniqueClaims(names)
    this.entryKeys = createIndexEntryKeyBuilder(names)
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
    if (!this.expiryKeys || !this.layout.range) return undefined
    const order = rangeOrder(record[this.layout.range.field])
    if (order === undefined || typeof record.id !== "string") return undefined
    const expires = this.layout.ttlField ? fromStoredDate(record[this.layout.ttlField]) : undefined
    return {
      ...this.expiryKeys(order, record.id),
      type: `${this.layout.kind}_EXPIRY`,
      id: record.id,
      ...(expires ? { [this.names.ttlAttribute]: Math.floor(toEpochSeconds(expires)) } : {}),
    }
  }

  /** The index entries of a record: one per lookup whose fields all have a value. */
  entriesOf(record: PlannedRecord): Item[] {
    const entries: Item[] = []
    for (const fields of this.layout.lookups) {
      const values = fields.map((field) => record[field])
      if (!values.every((v) => v !== undefined && v !== null && v !== "") || typeof record.id !== "string") continue
      entries.push({ ...this.entryKeys(entryPartitionOf(this.layout.kind, fields, values), record.id), type: ITEM_TYPES.indexEntry, id: record.id })
    }
    return entries
  }

  private keyOfItem(item: Item): Key {
    return { [this.names.partitionKey]: String(item[this.names.partitionKey]), [this.names.sortKey]: String(item[this.names.sortKey]) }
  }

  /** Fields whose change moves a claim or an index entry: a write changing them is conditioned on their old values. */
  private keyedFields(): string[] {
    return [...new Set([...this.layout.unique.flat(), ...this.layout.lookups.flat()])]
  }

  /**
   * The writes besides the record's own that take it from `before` to
   * `after` (undefined for a create or a delete): claims released and
   * made, index entries deleted and put. Markers are handled by the callers.
   */
  private companions(before: PlannedRecord | undefined, after: PlannedRecord | undefined, stale: ReadonlyMap<string, string>): WriteAction[] {
    const id = String((before ?? after)!.id)
    const owner = { id, key: this.keyOf(id) }
    const actions = this.claims.planMoves(this.layout.model, this.layout.kind, this.layout.unique, owner, before, after, stale)
    const old = new Map((before ? this.entriesOf(before) : []).map((e) => [JSON.stringify(this.keyOfItem(e)), e]))
    const next = new Map((after ? this.entriesOf(after) : []).map((e) => [JSON.stringify(this.keyOfItem(e)), e]))
    for (const [key, entry] of old) if (!next.has(key)) actions.push({ kind: "delete", key: this.keyOfItem(entry), label: `delete index entry ${String(entry[this.names.partitionKey])}` })
    for (const [key, entry] of next) if (!old.has(key)) actions.push({ kind: "put", item: entry, label: `put index entry ${String(entry[this.names.partitionKey])}` })
    return actions
  }

  private markerKey(marker: Item): Key {
    return this.keyOfItem(marker)
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
    const field = this.layout.range!.field
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
    const records = items.map((item) => this.recordOf(item))
    await this.moveTrailingMarkers(table, markers, records, field)
    return records
  }

  /** Markers left behind (their record gone, or its value moved on): moved to the value, or removed, so the next read skips them. */
  private async moveTrailingMarkers(table: ItemTable, markers: readonly Item[], records: readonly PlannedRecord[], field: string): Promise<void> {
    const byId = new Map(records.map((r) => [String(r.id), r]))
    const writes: { kind: "put"; item: Item }[] = []
    const deletes: { kind: "delete"; key: Key }[] = []
    for (const marker of markers) {
      const record = byId.get(String(marker.id))
      const current = record ? this.markerOf(record) : undefined
      if (current && String(current[this.names.sortKey]) === String(marker[this.names.sortKey])) continue
      deletes.push({ kind: "delete", key: this.markerKey(marker) })
      if (current && rangeOrder(record![field]) !== undefined) writes.push({ kind: "put", item: current })
    }
    if (writes.length + deletes.length === 0) return
    try {
      // Puts first: a record must never be without a marker at or behind its value.
      if (writes.length) await table.batchWrite(writes, `move ${this.layout.model} markers`)
      if (deletes.length) await table.batchWrite(deletes, `drop ${this.layout.model} markers`)
    } catch (error) {
      table.logger.warn(`Could not move the markers of ${this.layout.model}; the next read moves them`, { error })
    }
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
    const rangeField = this.layout.range?.field
    if (rangeField && this.expiryKeys) {
      paths.push({
        kind: "query",
        description: `Query ${this.layout.kind}_EXPIRY < <${rangeField}>`,
        keyFields: [],
        rangeField,
        fetch: async (keys) => {
          const { operator, value } = keys[rangeField] as { operator: "lt" | "lte"; value: string | number }
          const bound = rangeOrder(value)
          return bound ? this.expiredBefore(table, operator, bound) : []
        },
      })
    }
    for (const fields of this.layout.unique) {
      paths.push({
        kind: "get",
        description: `GetItem UNIQUE#${this.layout.kind}#${fields.join(",")}#<value> claim, then the record`,
        keyFields: fields,
        fetch: async (keys) => {
          const value = uniqueValueOf(model, this.layout.kind, fields, keys)
          const owner = value && (await this.claims.ownerOf(table, value, `findOne ${model} by ${fields.join(", ")}`))
          const item = owner ? await table.get(this.keyOf(owner.id), `findOne ${model}`) : undefined
          return item ? [this.recordOf(item)] : []
        },
      })
    }
    for (const fields of this.layout.lookups) {
      paths.push({
        kind: "query",
        description: `Query INDEX#${this.layout.kind}#${fields.join(",")}#<value>, BatchGetItem`,
        keyFields: fields,
        fetch: async (keys) => {
          const e = new ExpressionBuilder()
          const partition = this.entryKeys(entryPartitionOf(this.layout.kind, fields, fields.map((f) => keys[f])), "-")[this.names.partitionKey]!
          const entries = await table.queryAll(
            { keyCondition: { expression: `${e.name(this.names.partitionKey)} = ${e.value(partition)}`, names: e.names, values: e.values } },
            `query ${model} by ${fields.join(", ")}`,
          )
          const ids = entries.map((entry) => entry.id).filter((id): id is string => typeof id === "string" && id !== "")
          if (ids.length === 0) return []
          return (await table.batchGet(ids.map((id) => this.keyOf(id)), `findMany ${model}`)).map((item) => this.recordOf(item))
        },
      })
    }
    if (this.layout.listedWhole) {
      paths.push({
        kind: "list",
        description: `Query ${this.layout.kind} (the model's own partition)`,
        keyFields: [],
        fetch: async () => {
          const e = new ExpressionBuilder()
          const partition = this.keyOf("-")[this.names.partitionKey]!
          const items = await table.queryAll(
            { keyCondition: { expression: `${e.name(this.names.partitionKey)} = ${e.value(partition)}`, names: e.names, values: e.values } },
            `list ${model}`,
          )
          return items.filter((item) => item.type === this.layout.kind).map((item) => this.recordOf(item))
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

  /** Puts a new record, with its claims, index entries and marker in one transaction; fails if one with this id exists (UNIQUE_VIOLATION for a taken value). */
  async create(table: ItemTable, record: PlannedRecord): Promise<PlannedRecord> {
    const item = this.itemOf(record)
    const put: WriteAction = {
      kind: "put",
      item,
      condition: { expression: "attribute_not_exists(#pk)", names: { "#pk": this.names.partitionKey } },
      label: `Put ${String(item[this.names.partitionKey])}`,
    }
    const marker = this.markerOf(record)
    const markerPut: WriteAction[] = marker ? [{ kind: "put", item: marker, label: `Put expiry marker of ${String(record.id)}` }] : []
    await this.claims.withStaleRepair(table, async (stale) => {
      const actions = [put, ...this.companions(undefined, record, stale), ...markerPut]
      if (actions.length === 1) await table.write(put, `create ${this.layout.model}`)
      else await transact(table, actions, `create ${this.layout.model}`)
    })
    return record
  }

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

  /**
   * Applies `changes` to a record that exists: one UpdateItem that SETs the
   * changed fields (null is stored as null) and keeps GSI1 keys and the TTL
   * attribute in step, so concurrent updates of other fields are not lost.
   * When the expiry moves, its marker moves in the same transaction; when a
   * claimed or indexed value moves, its claims and entries too, the record
   * conditioned on the values read (read again and retried when they moved).
   * Returns the updated record, or undefined when the record is gone.
   */
  async update(table: ItemTable, current: PlannedRecord, changes: PlannedRecord): Promise<PlannedRecord | undefined> {
    let read = current
    for (let attempt = 1; ; attempt++) {
      const next: PlannedRecord = { ...read }
      for (const [field, value] of Object.entries(changes)) if (value !== undefined && field !== "id") next[field] = value
      const moves = this.keyedFields().some((field) => field in changes) && !sameValues(read, next, this.keyedFields())
      try {
        return await this.writeUpdate(table, read, changes, next, moves)
      } catch (error) {
        if (!moves || !isMoveConflict(error) || attempt >= MOVE_ATTEMPTS) throw error
        // The claimed or indexed values changed since the read: read the record again.
        const again = await table.get(this.keyOf(current.id), `update ${this.layout.model}`)
        if (!again) return undefined
        read = this.recordOf(again)
      }
    }
  }

  /**
   * One update of `current` to `next`: an UpdateItem, or (when claims, index
   * entries or the marker move) one transaction with them, the record
   * conditioned on the claimed and indexed values it was read with.
   */
  private async writeUpdate(table: ItemTable, current: PlannedRecord, changes: PlannedRecord, next: PlannedRecord, moves: boolean): Promise<PlannedRecord | undefined> {
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
      condition: moves ? this.guard(current, this.keyedFields()) : { expression: "attribute_exists(#pk)", names: { "#pk": this.names.partitionKey } },
      label: `Update ${this.layout.kind}#${String(current.id)}`,
    }
    const oldMarker = this.markerOf(current)
    const newMarker = this.markerOf(next)
    const markerMoves = String(oldMarker?.[this.names.sortKey]) !== String(newMarker?.[this.names.sortKey]) && (oldMarker !== undefined || newMarker !== undefined)
    try {
      if (moves || markerMoves) {
        await this.claims.withStaleRepair(table, (stale) =>
          transact(
            table,
            [
              action,
              ...(moves ? this.companions(current, next, stale) : []),
              ...(markerMoves && oldMarker ? [{ kind: "delete" as const, key: this.markerKey(oldMarker), label: `Delete old expiry marker of ${String(current.id)}` }] : []),
              ...(markerMoves && newMarker ? [{ kind: "put" as const, item: newMarker, label: `Put expiry marker of ${String(current.id)}` }] : []),
            ],
            `update ${this.layout.model}`,
          ),
        )
        return next
      }
      const updated = await table.write(action, `update ${this.layout.model}`)
      return updated ? this.recordOf(updated) : next
    } catch (error) {
      if (moves && isMoveConflict(error)) throw error
      if ((error as { name?: string }).name === "ConditionalCheckFailedException") return undefined
      if (isDynamoAuthAdapterError(error, "TRANSACTION_FAILED") && error.reasons?.[0]?.code === "ConditionalCheckFailed") return undefined
      throw error
    }
  }

  /**
   * Deletes a record (with its claims, index entries and marker), on
   * condition that its guarded fields still hold the values it was read
   * with. Returns the deleted record, or undefined when another writer
   * changed or removed it first.
   */
  async delete(table: ItemTable, record: PlannedRecord, guardFields: readonly string[] = []): Promise<PlannedRecord | undefined> {
    if (this.layout.unique.length === 0 && this.layout.lookups.length === 0) return this.deleteAlone(table, record, guardFields)
    let read = record
    for (let attempt = 1; ; attempt++) {
      const key = this.keyOf(read.id)
      try {
        await transact(
          table,
          [
            { kind: "delete", key, condition: this.guard(read, [...guardFields, ...this.keyedFields()]), label: `Delete ${key[this.names.partitionKey]}` },
            ...this.companions(read, undefined, new Map()),
          ],
          `delete ${this.layout.model}`,
        )
        await this.dropMarker(table, read)
        return read
      } catch (error) {
        if (!isMoveConflict(error) || attempt >= MOVE_ATTEMPTS) {
          if (isMoveConflict(error)) return undefined
          throw error
        }
        // Gone, or changed in a guarded field: not ours to delete. Changed in an indexed field only: delete what it is now.
        const again = await table.get(key, `delete ${this.layout.model}`)
        if (!again) return undefined
        const now = this.recordOf(again)
        if (!sameValues(record, now, guardFields)) return undefined
        read = now
      }
    }
  }

  private async deleteAlone(table: ItemTable, record: PlannedRecord, guardFields: readonly string[]): Promise<PlannedRecord | undefined> {
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
    if (this.keyedFields().some((field) => field in increment || field in set)) {
      // A claimed or indexed field moves its claims and entries: the update's transaction, with the sum computed from the read.
      const next: PlannedRecord = { ...set }
      for (const [field, delta] of Object.entries(increment)) next[field] = (typeof record[field] === "number" ? (record[field] as number) : 0) + delta
      return this.update(table, record, next)
    }
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
      // A lazy range marker trails the value (increments only move it forward); the next range read moves it.
      if (result && !this.layout.range?.lazy && String(oldMarker?.[this.names.sortKey]) !== String(newMarker?.[this.names.sortKey])) {
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

/** A transaction cancelled by the condition of its first action, the record's own (claims fail as UNIQUE_VIOLATION). */
function isMoveConflict(error: unknown): boolean {
  return isDynamoAuthAdapterError(error, "TRANSACTION_FAILED") && error.reasons?.[0]?.code === "ConditionalCheckFailed"
}
