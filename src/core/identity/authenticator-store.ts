/**
 * WebAuthn authenticators (Auth.js passkeys). Two items, written together:
 * - pk `USER#<userId>`, sk `AUTHENTICATOR#<credentialID>`, type AUTHENTICATOR:
 *   listed with the user's other items, deleted with the user;
 * - pk = sk = `AUTHENTICATOR#<credentialID>`, type AUTHENTICATOR_CREDENTIAL: a
 *   copy found by credential id with one GetItem, whose conditional put also
 *   keeps credential ids unique.
 */
import { DynamoAuthAdapterError, isDynamoAuthAdapterError } from "../errors.js"
import type { Item, WriteAction } from "../client/table-client.js"
import { ITEM_TYPES } from "../../table/entities.js"
import { itemAbsent, itemPresent, setAndRemove } from "./conditions.js"
import { definedChanges, toRecord, type StoredRecord } from "./stored-record.js"
import { claimLabel, transact } from "./transactions.js"
import type { IdentityScope } from "./identity-state.js"
import { transactLinked } from "./user-copies.js"

export interface StoredAuthenticator extends StoredRecord {
  credentialID: string
  userId: string
}

export class AuthenticatorStore {
  constructor(private readonly scope: IdentityScope) {}

  private get table() {
    return this.scope.table
  }

  private itemKey(userId: string, credentialID: string) {
    return this.table.keysOf("authenticator", { userId, credentialID })
  }

  private lookupKey(credentialID: string) {
    return this.table.keysOf("authenticatorLookup", { credentialID })
  }

  private toRecord(item: Item): StoredAuthenticator {
    return toRecord(item, this.table.names) as StoredAuthenticator
  }

  /** The authenticator with this credential id (one consistent GetItem), or null. */
  async get(credentialID: string): Promise<StoredAuthenticator | null> {
    const item = await this.table.get(this.lookupKey(credentialID), "get authenticator")
    return item ? this.toRecord(item) : null
  }

  /** Every authenticator of a user: one Query on the user's partition. */
  async listByUser(userId: string): Promise<StoredAuthenticator[]> {
    const { names } = this.table
    const items = await this.table.queryAll(
      {
        keyCondition: {
          expression: "#pk = :pk AND begins_with(#sk, :prefix)",
          names: { "#pk": names.partitionKey, "#sk": names.sortKey },
          values: { ":pk": this.itemKey(userId, "-")[names.partitionKey], ":prefix": "AUTHENTICATOR#" },
        },
      },
      "list authenticators of user",
    )
    return items.map((item) => this.toRecord(item))
  }

  planCreate(authenticator: StoredAuthenticator): WriteAction[] {
    const record = definedChanges(authenticator, [])
    const { userId, credentialID } = authenticator
    return [
      { kind: "put", item: { ...this.itemKey(userId, credentialID), type: ITEM_TYPES.authenticator, ...record }, label: "put authenticator" },
      {
        kind: "put",
        item: { ...this.lookupKey(credentialID), type: ITEM_TYPES.authenticatorLookup, ...record },
        condition: itemAbsent(this.table.names),
        label: claimLabel.authenticator(credentialID),
      },
    ]
  }

  /** Creates both items (and the link on the user) in one transaction; CONDITIONAL_CHECK_FAILED when the credential id exists, NOT_FOUND without the user. */
  async create(authenticator: StoredAuthenticator): Promise<StoredAuthenticator> {
    await transactLinked(this.scope, authenticator.userId, this.planCreate(authenticator), "create authenticator")
    return definedChanges(authenticator, []) as StoredAuthenticator
  }

  /** Sets the signature counter on both items. NOT_FOUND, nothing written, for an unknown credential id. */
  async updateCounter(credentialID: string, counter: number): Promise<StoredAuthenticator> {
    const current = await this.get(credentialID)
    if (!current) throw notFound(credentialID)
    const update = setAndRemove({ counter })!
    const { names } = this.table
    try {
      await transact(
        this.table,
        [
          { kind: "update", key: this.itemKey(current.userId, credentialID), update, condition: itemPresent(names), label: "update authenticator" },
          { kind: "update", key: this.lookupKey(credentialID), update, condition: itemPresent(names), label: "update authenticator lookup" },
        ],
        "update authenticator counter",
      )
    } catch (error) {
      // Deleted between the read and the write.
      if (isDynamoAuthAdapterError(error, "TRANSACTION_FAILED")) throw notFound(credentialID)
      throw error
    }
    return { ...current, counter }
  }
}

function notFound(credentialID: string): DynamoAuthAdapterError {
  return new DynamoAuthAdapterError("NOT_FOUND", `No authenticator with credential id "${credentialID}"; nothing was written. Register it first.`)
}
