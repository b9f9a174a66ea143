/**
 * Auth.js verification tokens (magic links): pk `VT#<identifier>`, sk
 * `VT#<token>`, type VT, `expires` in epoch seconds (the TTL attribute).
 */
import type { ItemTable } from "../client/table-client.js"
import { ITEM_TYPES } from "../../table/entities.js"
import { itemPresent } from "./conditions.js"
import { toRecord, type StoredRecord } from "./stored-record.js"
import { isConditionFailure } from "./transactions.js"

export interface StoredVerificationToken extends StoredRecord {
  identifier: string
  token: string
  /** Epoch seconds. */
  expires?: number
}

export class VerificationTokenStore {
  constructor(private readonly table: ItemTable) {}

  private key(identifier: string, token: string) {
    return this.table.keysOf("verificationToken", { identifier, token })
  }

  /** Writes the token (one PutItem; a token issued twice is overwritten, as the official adapter does). */
  async create(token: StoredVerificationToken): Promise<StoredVerificationToken> {
    await this.table.write(
      { kind: "put", item: { ...this.key(token.identifier, token.token), type: ITEM_TYPES.verificationToken, ...token }, label: "put verification token" },
      "create verification token",
    )
    return token
  }

  /**
   * Deletes the token and returns it, or null when it does not exist: one
   * conditional DeleteItem, so of N concurrent callers exactly one gets it.
   * Expired tokens are returned too (Auth.js checks `expires` itself).
   */
  async use(identifier: string, token: string): Promise<StoredVerificationToken | null> {
    try {
      const old = await this.table.write(
        { kind: "delete", key: this.key(identifier, token), condition: itemPresent(this.table.names), label: "use verification token" },
        "use verification token",
      )
      return old ? (toRecord(old, this.table.names) as StoredVerificationToken) : null
    } catch (error) {
      if (isConditionFailure(error)) return null
      throw error
    }
  }
}
