import type { AccessPath } from "../planner/types.js"
import type { IdentityScope } from "../identity/identity-state.js"

/** A record in stored form: attribute names as stored, keys and markers left out. */
export type StoredRecord = Record<string, unknown>

/**
 * How one model's records are read and written, in stored form. The
 * identity models (user, account, session) go through the identity stores;
 * every other model through `GenericModel`. Every method takes the scope to
 * work in: the adapter's client with its state, or a transaction's buffer.
 */
export interface ModelBackend {
  readonly model: string
  /** Access paths for the planner; key fields and records use stored names. */
  paths(scope: IdentityScope): AccessPath[]
  create(scope: IdentityScope, record: StoredRecord): Promise<StoredRecord>
  /** Applies `changes` to `current`; the updated record, or undefined when it no longer exists. */
  update(scope: IdentityScope, current: StoredRecord, changes: StoredRecord): Promise<StoredRecord | undefined>
  /**
   * Deletes `current`; with `guardFields`, only while those fields still
   * hold the values it was read with. The deleted record, or undefined.
   */
  remove(scope: IdentityScope, current: StoredRecord, guardFields?: readonly string[]): Promise<StoredRecord | undefined>
  /**
   * The record of `model` whose `on.to` equals `current[on.from]`, when the
   * read of `current` already brought a copy that is guaranteed current
   * (a session's copy of its user); undefined: read it. Optional.
   */
  joined?(current: StoredRecord, model: string, on: { from: string; to: string }): StoredRecord | undefined
  /** One conditional update adding `increment` and setting `set` (guarded like `remove`); undefined when the guard failed. */
  increment?(
    scope: IdentityScope,
    current: StoredRecord,
    increment: Readonly<Record<string, number>>,
    set: Readonly<Record<string, unknown>>,
    guardFields: readonly string[],
  ): Promise<StoredRecord | undefined>
}
