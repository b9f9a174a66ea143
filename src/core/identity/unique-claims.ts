/**
 * Claims on the values of `unique` fields, for any model (a user's username
 * or phone number, an organization's slug, a rate limit's key, …): the same
 * protocol as the email and provider-account claims, for every other unique
 * value.
 *
 * A claim is pk = sk = `UNIQUE#<KIND>#<fields>#<value>` holding `ownerId` and
 * `ownerKey` (the key of the record that holds the value). Invariants:
 * 1. A claim is only written in the same TransactWriteItems as its record,
 *    with `attribute_not_exists(pk)`: of N concurrent writers of one value
 *    exactly one commits; the others fail on the claim (`UNIQUE_VIOLATION`).
 *    Never by reading first.
 * 2. A value changing hands (an update, a delete) releases the old claim in
 *    the same transaction, only while it is still the record's
 *    (`attribute_not_exists(pk) OR ownerId = <id>`).
 * 3. A claim whose owner record is gone or no longer holds the value (left
 *    behind by a program that does not know the claim, or by TTL deleting
 *    the record first) is stale: it never blocks anyone. A write refused by a
 *    stale claim is sent once more, replacing it on condition that the stale
 *    owner still holds it.
 * 4. A claim is found with one strongly consistent GetItem; the owner is then
 *    read by key and checked to still hold the value.
 */
import { Entity } from "electrodb"
import { isDynamoAuthAdapterError } from "../errors.js"
import type { Expression, Item, ItemTable, Key, WriteAction } from "../client/table-client.js"
import { createKeyBuilder, createUniqueClaimEntity, ITEM_TYPES, type CoreEntities } from "../../table/entities.js"
import type { TableNames } from "../../table/names.js"
import { claimLabel, claimOfLabel } from "./transactions.js"

/** One value (or tuple of values) of a unique field set of one record. */
export interface UniqueValue {
  /** The schema model, for errors (`user`, `organization`). */
  model: string
  /** The model's item kind (`USER`, `ORGANIZATION`). */
  kind: string
  /** Field names as stored. */
  fields: readonly string[]
  values: readonly unknown[]
}

/** Whom a claim belongs to: the record's id and its key. */
export interface ClaimOwner {
  id: string
  key: Key
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null && value !== ""
}

/** The composite of a claim key: `<KIND>#<fields>#<value>` (a JSON array for several fields, so no separator can be forged). */
export function claimComposite(value: UniqueValue): string {
  const encoded = value.values.length === 1 ? String(value.values[0]) : JSON.stringify(value.values.map(String))
  return `${value.kind}#${value.fields.join(",")}#${encoded}`
}

/** The unique value `fields` take in `record`, or undefined when one of them has none (SQL: NULLs never collide). */
export function uniqueValueOf(model: string, kind: string, fields: readonly string[], record: Readonly<Record<string, unknown>>): UniqueValue | undefined {
  const values = fields.map((field) => record[field])
  if (!values.every(present)) return undefined
  return { model, kind, fields, values }
}

function sameValue(a: UniqueValue | undefined, b: UniqueValue | undefined): boolean {
  return a !== undefined && b !== undefined && claimComposite(a) === claimComposite(b)
}

/** Builds claim keys and writes for one table. */
export class UniqueClaims {
  private readonly keysOf: (composite: Record<string, unknown>) => Record<string, string>

  constructor(private readonly names: TableNames) {
    const entity = createUniqueClaimEntity(names) as unknown as Entity<string, string, string, never>
    // createKeyBuilder is typed for the core entities; it reads any entity's templates the same way.
    const build = createKeyBuilder({ claim: entity } as unknown as CoreEntities) as unknown as (kind: string, composite: Record<string, unknown>) => Record<string, string>
    this.keysOf = (composite) => build("claim", composite)
  }

  keyOf(value: UniqueValue): Key {
    const keys = this.keysOf({ claim: claimComposite(value) })
    return { [this.names.partitionKey]: keys[this.names.partitionKey]!, [this.names.sortKey]: keys[this.names.sortKey]! }
  }

  /** The put that claims `value` for `owner` (invariant 1), replacing `staleOwner`'s claim when given (invariant 3). */
  planClaim(value: UniqueValue, owner: ClaimOwner, staleOwner?: string): WriteAction {
    const composite = claimComposite(value)
    return {
      kind: "put",
      item: { ...this.keyOf(value), type: ITEM_TYPES.uniqueClaim, claim: composite, model: value.model, fields: [...value.fields], ownerId: owner.id, ownerKey: owner.key },
      condition: staleOwner === undefined ? { expression: "attribute_not_exists(#pk)", names: { "#pk": this.names.partitionKey } } : claimHeldBy(staleOwner),
      label: claimLabel.unique(value.model, value.fields, composite),
    }
  }

  /** The delete that releases `value`, only while it is still `ownerId`'s (invariant 2). */
  planRelease(value: UniqueValue, ownerId: string): WriteAction {
    return {
      kind: "delete",
      key: this.keyOf(value),
      condition: { expression: "attribute_not_exists(#pk) OR #owner = :owner", names: { "#pk": this.names.partitionKey, "#owner": "ownerId" }, values: { ":owner": ownerId } },
      label: `release ${value.model}.${value.fields.join(",")} ${claimComposite(value)}`,
    }
  }

  /**
   * The claim writes for a record going from `before` to `after` (either
   * undefined for a create or a delete): the values that change are
   * released and claimed; the others are left alone.
   */
  planMoves(
    model: string,
    kind: string,
    fieldSets: readonly (readonly string[])[],
    owner: ClaimOwner,
    before: Readonly<Record<string, unknown>> | undefined,
    after: Readonly<Record<string, unknown>> | undefined,
    stale: ReadonlyMap<string, string> = new Map(),
  ): WriteAction[] {
    const actions: WriteAction[] = []
    for (const fields of fieldSets) {
      const old = before ? uniqueValueOf(model, kind, fields, before) : undefined
      const next = after ? uniqueValueOf(model, kind, fields, after) : undefined
      if (sameValue(old, next)) continue
      if (old) actions.push(this.planRelease(old, owner.id))
      if (next) actions.push(this.planClaim(next, owner, stale.get(claimComposite(next))))
    }
    return actions
  }

  /** The id of the record holding `value` (GetItem on the claim, invariant 4), or undefined. */
  async ownerOf(table: ItemTable, value: UniqueValue, what: string): Promise<ClaimOwner | undefined> {
    const claim = await table.get(this.keyOf(value), what)
    return claim ? ownerOfClaim(claim) : undefined
  }

  /**
   * The owner of a stale claim on `composite` (its record gone, or holding
   * another value), or undefined when the claim is live or gone. Read only
   * after a claim failed, so the common path pays nothing for it.
   */
  async staleOwner(table: ItemTable, composite: string): Promise<string | undefined> {
    const claim = await table.get(this.keysOfComposite(composite), "get unique claim")
    const owner = claim ? ownerOfClaim(claim) : undefined
    if (!claim || !owner) return undefined
    const record = await table.get(owner.key, "get the owner of a unique claim")
    const fields = Array.isArray(claim.fields) ? (claim.fields as unknown[]).map(String) : []
    if (record && record.id === owner.id && claimComposite({ model: "", kind: composite.slice(0, composite.indexOf("#")), fields, values: fields.map((f) => record[f]) }) === composite) {
      return undefined
    }
    table.logger.warn("Replacing a stale unique claim", { claim: composite, staleOwner: owner.id })
    return owner.id
  }

  private keysOfComposite(composite: string): Key {
    const keys = this.keysOf({ claim: composite })
    return { [this.names.partitionKey]: keys[this.names.partitionKey]!, [this.names.sortKey]: keys[this.names.sortKey]! }
  }

  /**
   * Runs a write that claims values; when a claim it makes is refused by a
   * stale owner, runs it once more per such claim with `stale` naming the
   * owner to replace (invariant 3). Inside a transaction the claim fails at
   * the commit instead, which reports the conflict as it is.
   */
  async withStaleRepair<T>(table: ItemTable, run: (stale: ReadonlyMap<string, string>) => Promise<T>, attempts = 3): Promise<T> {
    const stale = new Map<string, string>()
    for (let attempt = 1; ; attempt++) {
      try {
        return await run(stale)
      } catch (error) {
        if (attempt >= attempts || !isDynamoAuthAdapterError(error, "UNIQUE_VIOLATION")) throw error
        const composite = typeof error.details?.claim === "string" ? error.details.claim : undefined
        if (composite === undefined || stale.has(composite)) throw error
        const owner = await this.staleOwner(table, composite)
        if (owner === undefined) throw error
        stale.set(composite, owner)
      }
    }
  }
}

/** The claim is still `ownerId`'s: the condition that replaces a stale claim (invariant 3). */
export function claimHeldBy(ownerId: string): Expression {
  return { expression: "#owner = :owner", names: { "#owner": "ownerId" }, values: { ":owner": ownerId } }
}

function ownerOfClaim(claim: Item): ClaimOwner | undefined {
  const key = claim.ownerKey
  if (typeof claim.ownerId !== "string" || !key || typeof key !== "object") return undefined
  return { id: claim.ownerId, key: key as Key }
}

/** The claim composite a failed action's label names, if it is a unique claim. */
export function claimCompositeOfLabel(label: string): string | undefined {
  const claim = claimOfLabel(label)
  return claim?.kind === "unique" ? claim.claim : undefined
}
