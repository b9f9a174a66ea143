/**
 * Every item kind of the table as an ElectroDB entity, with key templates that
 * write exactly what `@auth/dynamodb-adapter` writes.
 *
 * ElectroDB's defaults do not fit an existing next-auth table, so every
 * entity is made here and nowhere else:
 * - `casing: "none"` on every key, or ElectroDB lower-cases `USER#Abc`;
 * - `identifiers` maps ElectroDB's entity and version markers onto the
 *   existing `type` attribute (`USER`, `SESSION`, `VT`), so stored items carry
 *   no `__edb_e__`/`__edb_v__` attributes and items written by the official
 *   adapter are recognised as ours;
 * - accounts keep the Auth.js account type (`oauth`, `oidc`, …) in `type`,
 *   so they cannot be recognised by it: the account entity ignores ownership.
 */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb"
import { Entity, createConversions, type Attribute } from "electrodb"
import { DynamoAuthAdapterError } from "../core/errors.js"
import { DEFAULT_TABLE_NAMES, type TableNames } from "./names.js"

/** The `type` attribute of each item kind this library writes. */
export const ITEM_TYPES = {
  user: "USER",
  session: "SESSION",
  verificationToken: "VT",
  /** pk = sk = `EMAIL#<email>`: claims an email for one user (uniqueness). */
  emailLookup: "EMAIL",
  /** pk = sk = `ACCOUNT#<provider>#<providerAccountId>`: claims a provider account for one user. */
  accountLookup: "ACCOUNT_OWNER",
  /** pk = sk = `SESSION#<token>`: finds a session by its token with a strongly consistent GetItem. */
  sessionToken: "SESSION_TOKEN",
  /** pk = `USER#<userId>`, sk = `AUTHENTICATOR#<credentialID>`: a WebAuthn authenticator (Auth.js). */
  authenticator: "AUTHENTICATOR",
  /** pk = sk = `AUTHENTICATOR#<credentialID>`: a copy of the authenticator, found by credential id with one GetItem. */
  authenticatorLookup: "AUTHENTICATOR_CREDENTIAL",
  /**
   * pk = sk = `TABLE#META`: facts about the table itself, such as "every item has
   * its lookup items" (see `src/core/identity/table-mode.ts`). Never an auth record.
   */
  tableMeta: "TABLE_META",
  /** pk = sk = `KV#<key>`: one entry of Better Auth's secondary storage (`src/core/kv/key-value-store.ts`). */
  keyValue: "KV",
  /** pk = sk = `RATE_LIMIT_WINDOW#<length ms>#<start ms>#<key>`: the request count of one rate-limit window (`src/core/kv/rate-limit-window.ts`). */
  rateLimitWindow: "RATE_LIMIT_WINDOW",
  /** pk = sk = `UNIQUE#<KIND>#<fields>#<value>`: claims a value of a `unique` field for one record (see `core/identity/unique-claims.ts`). */
  uniqueClaim: "UNIQUE",
  /** pk = `INDEX#<KIND>#<fields>#<value>`, sk = `<id>`: one record under one value of an indexed field, written in the record's transaction. */
  indexEntry: "INDEX",
  /** pk = `USER_DIRECTORY#<shard>`, sk = `<userId>`: one entry per user, so users are listed without a Scan (`core/identity/user-directory.ts`). */
  userDirectory: "USER_DIRECTORY",
} as const

const none = "none" as const

function keyFields(names: TableNames) {
  return {
    pk: names.partitionKey,
    sk: names.sortKey,
    gsiPk: names.indexPartitionKey,
    gsiSk: names.indexSortKey,
  }
}

function config(names: TableNames, client: DynamoDBDocumentClient | undefined, ownedByType: boolean) {
  return {
    table: names.tableName,
    ...(client ? { client } : {}),
    ...(ownedByType ? { identifiers: { entity: "type", version: "type" } } : { ignoreOwnership: true }),
  }
}

/** A model version equal to its entity name makes ElectroDB write both markers into `type` as the same value. */
function model(entity: string) {
  return { entity, version: entity, service: "next-auth" }
}

/**
 * Shape of every "point" item: pk = sk = one template over at most one
 * composite attribute, so the item is found with one GetItem on a key built
 * from a single value (an email, a token, a credential id, …).
 */
interface PointEntityDefinition<Attrs, Pattern extends string, Composite extends string> {
  /** The `type` attribute of the kind (one of `ITEM_TYPES`). */
  kind: string
  attributes: Attrs
  /** ElectroDB access pattern name of the one table index. */
  accessPattern: Pattern
  /** The composite attribute of the key, or none for a fixed key. */
  composite: readonly Composite[]
  /** The key template, written to both pk and sk. */
  template: string
}

function createPointEntity<
  Attrs extends Record<string, Attribute>,
  Pattern extends string,
  Composite extends string,
>(names: TableNames, client: DynamoDBDocumentClient | undefined, definition: PointEntityDefinition<Attrs, Pattern, Composite>) {
  const k = keyFields(names)
  const { composite, template } = definition
  const index = {
    pk: { field: k.pk, composite: [...composite], template, casing: none },
    sk: { field: k.sk, composite: [...composite], template, casing: none },
  }
  const schema = {
    model: model(definition.kind),
    attributes: definition.attributes,
    // A computed key types as `{ [x: string]: … }`; keep the pattern name so the entity's type names it.
    indexes: { [definition.accessPattern]: index } as { [P in Pattern]: typeof index },
  }
  return new Entity(schema, config(names, client, true))
}

export function createUserEntity(names: TableNames, client?: DynamoDBDocumentClient) {
  const k = keyFields(names)
  return new Entity(
    {
      model: model(ITEM_TYPES.user),
      attributes: {
        id: { type: "string", required: true },
        name: { type: "any" },
        email: { type: "string" },
        emailVerified: { type: "any" },
        image: { type: "any" },
        createdAt: { type: "string" },
        updatedAt: { type: "string" },
      },
      indexes: {
        byId: {
          pk: { field: k.pk, composite: ["id"], template: "USER#${id}", casing: none },
          sk: { field: k.sk, composite: ["id"], template: "USER#${id}", casing: none },
        },
        byEmail: {
          index: names.indexName,
          pk: { field: k.gsiPk, composite: ["email"], template: "USER#${email}", casing: none },
          sk: { field: k.gsiSk, composite: ["email"], template: "USER#${email}", casing: none },
        },
      },
    },
    config(names, client, true),
  )
}

export function createAccountEntity(names: TableNames, client?: DynamoDBDocumentClient) {
  const k = keyFields(names)
  return new Entity(
    {
      model: model("ACCOUNT"),
      attributes: {
        id: { type: "string" },
        userId: { type: "string", required: true },
        type: { type: "string" },
        provider: { type: "string", required: true },
        providerAccountId: { type: "string", required: true },
        access_token: { type: "string" },
        refresh_token: { type: "string" },
        id_token: { type: "string" },
        expires_at: { type: "number" },
        token_type: { type: "string" },
        scope: { type: "string" },
        session_state: { type: "any" },
        refreshTokenExpiresAt: { type: "string" },
        password: { type: "string" },
        createdAt: { type: "string" },
        updatedAt: { type: "string" },
      },
      indexes: {
        byUser: {
          pk: { field: k.pk, composite: ["userId"], template: "USER#${userId}", casing: none },
          sk: {
            field: k.sk,
            composite: ["provider", "providerAccountId"],
            template: "ACCOUNT#${provider}#${providerAccountId}",
            casing: none,
          },
        },
        byProviderAccount: {
          index: names.indexName,
          pk: { field: k.gsiPk, composite: ["provider"], template: "ACCOUNT#${provider}", casing: none },
          sk: { field: k.gsiSk, composite: ["providerAccountId"], template: "ACCOUNT#${providerAccountId}", casing: none },
        },
      },
    },
    config(names, client, false),
  )
}

export function createSessionEntity(names: TableNames, client?: DynamoDBDocumentClient) {
  const k = keyFields(names)
  return new Entity(
    {
      model: model(ITEM_TYPES.session),
      attributes: {
        sessionToken: { type: "string", required: true },
        userId: { type: "string", required: true },
        expires: { type: "number" },
        id: { type: "string" },
        ipAddress: { type: "any" },
        userAgent: { type: "any" },
        createdAt: { type: "string" },
        updatedAt: { type: "string" },
      },
      indexes: {
        byUser: {
          pk: { field: k.pk, composite: ["userId"], template: "USER#${userId}", casing: none },
          sk: { field: k.sk, composite: ["sessionToken"], template: "SESSION#${sessionToken}", casing: none },
        },
        byToken: {
          index: names.indexName,
          pk: { field: k.gsiPk, composite: ["sessionToken"], template: "SESSION#${sessionToken}", casing: none },
          sk: { field: k.gsiSk, composite: ["sessionToken"], template: "SESSION#${sessionToken}", casing: none },
        },
      },
    },
    config(names, client, true),
  )
}

export function createVerificationTokenEntity(names: TableNames, client?: DynamoDBDocumentClient) {
  const k = keyFields(names)
  return new Entity(
    {
      model: model(ITEM_TYPES.verificationToken),
      attributes: {
        identifier: { type: "string", required: true },
        token: { type: "string", required: true },
        expires: { type: "number" },
      },
      indexes: {
        byIdentifier: {
          pk: { field: k.pk, composite: ["identifier"], template: "VT#${identifier}", casing: none },
          sk: { field: k.sk, composite: ["token"], template: "VT#${token}", casing: none },
        },
      },
    },
    config(names, client, true),
  )
}

/**
 * The form of an email in its claim key (`EMAIL#<normalized>`): emails
 * identify people case-insensitively, so `Alice@Example.COM` and
 * `alice@example.com` are one claim. It is ECMAScript's
 * `String.prototype.toLowerCase()` (Unicode's default, locale-independent
 * lowercasing) and nothing more, because that is exactly what Better Auth and
 * Auth.js apply on their own flows: anything coarser (NFC/NFKC, case folding
 * such as `ß` → `ss`, trimming) could merge two mailboxes a mail server tells
 * apart, and a magic link for one would then sign in the other; anything
 * finer brings back one user per framework. The stored `email` and the
 * official GSI1 keys (`USER#<email>`) keep the email as given.
 */
export function normalizeEmail(email: string): string {
  return email.toLowerCase()
}

/** The claim of an email; build its key from `normalizeEmail(email)`, never from the email as given. */
export function createEmailLookupEntity(names: TableNames, client?: DynamoDBDocumentClient) {
  return createPointEntity(names, client, {
    kind: ITEM_TYPES.emailLookup,
    attributes: {
      email: { type: "string", required: true },
      userId: { type: "string", required: true },
    },
    accessPattern: "byEmail",
    composite: ["email"],
    template: "EMAIL#${email}",
  })
}

/**
 * ElectroDB refuses a composite attribute in both pk and sk unless the sort key
 * has one attribute, so the lookup is keyed by one composite:
 * `providerAccount` = `<provider>#<providerAccountId>` (see `providerAccountOf`).
 */
export function createAccountLookupEntity(names: TableNames, client?: DynamoDBDocumentClient) {
  return createPointEntity(names, client, {
    kind: ITEM_TYPES.accountLookup,
    attributes: {
      providerAccount: { type: "string", required: true },
      provider: { type: "string" },
      providerAccountId: { type: "string" },
      userId: { type: "string", required: true },
    },
    accessPattern: "byProviderAccount",
    composite: ["providerAccount"],
    template: "ACCOUNT#${providerAccount}",
  })
}

/** The one composite of an account lookup key; the same string the account's sort key ends with. */
export function providerAccountOf(provider: string, providerAccountId: string): string {
  // "#" separates the parts: ("gh#x", "y") and ("gh", "x#y") would share one key.
  // Provider ids are chosen by the app, so refusing "#" there loses nothing;
  // provider account ids (chosen by the provider) may hold it.
  if (provider.includes("#")) {
    throw new DynamoAuthAdapterError(
      "INVALID_INPUT",
      `Provider id "${provider}" contains "#", which separates the parts of account keys; nothing was read or written. Use a provider id without "#".`,
    )
  }
  return `${provider}#${providerAccountId}`
}

export function createSessionTokenEntity(names: TableNames, client?: DynamoDBDocumentClient) {
  return createPointEntity(names, client, {
    kind: ITEM_TYPES.sessionToken,
    attributes: {
      sessionToken: { type: "string", required: true },
      userId: { type: "string", required: true },
      expires: { type: "number" },
    },
    accessPattern: "byToken",
    composite: ["sessionToken"],
    template: "SESSION#${sessionToken}",
  })
}

/** An authenticator and its lookup copy hold the same attributes. */
const authenticatorAttributes = {
  credentialID: { type: "string", required: true },
  userId: { type: "string", required: true },
  providerAccountId: { type: "string" },
  credentialPublicKey: { type: "string" },
  counter: { type: "number" },
  credentialDeviceType: { type: "string" },
  credentialBackedUp: { type: "boolean" },
  transports: { type: "any" },
} satisfies Record<string, Attribute>

export function createAuthenticatorEntity(names: TableNames, client?: DynamoDBDocumentClient) {
  const k = keyFields(names)
  return new Entity(
    {
      model: model(ITEM_TYPES.authenticator),
      attributes: authenticatorAttributes,
      indexes: {
        byUser: {
          pk: { field: k.pk, composite: ["userId"], template: "USER#${userId}", casing: none },
          sk: { field: k.sk, composite: ["credentialID"], template: "AUTHENTICATOR#${credentialID}", casing: none },
        },
      },
    },
    config(names, client, true),
  )
}

export function createAuthenticatorLookupEntity(names: TableNames, client?: DynamoDBDocumentClient) {
  return createPointEntity(names, client, {
    kind: ITEM_TYPES.authenticatorLookup,
    attributes: authenticatorAttributes,
    accessPattern: "byCredential",
    composite: ["credentialID"],
    template: "AUTHENTICATOR#${credentialID}",
  })
}

/**
 * The one table metadata item, pk = sk = `TABLE#META` (a fixed key: no
 * composite). `lookups: "complete"` says every item of the table has its
 * lookup items, so a lookup miss needs no fallback to GSI1 or a Scan; `since`
 * (ISO) and `by` say when and what established it. Not part of the ElectroDB
 * service (`src/electrodb`): it is no auth record.
 */
export function createTableMetaEntity(names: TableNames, client?: DynamoDBDocumentClient) {
  return createPointEntity(names, client, {
    kind: ITEM_TYPES.tableMeta,
    attributes: {
      lookups: { type: ["complete"] as const },
      since: { type: "string" },
      by: { type: ["create-table", "backfill"] as const },
      /** Every user has its user directory entry (see `core/identity/user-directory.ts`). */
      userDirectory: { type: ["complete"] as const },
    },
    accessPattern: "byTable",
    composite: [],
    template: "TABLE#META",
  })
}

/** An entry of a key-value store (Better Auth's secondary storage); `value` is a string, or a number for a counter. */
export function createKeyValueEntity(names: TableNames, client?: DynamoDBDocumentClient) {
  return createPointEntity(names, client, {
    kind: ITEM_TYPES.keyValue,
    attributes: {
      key: { type: "string", required: true },
      value: { type: "any" },
      expires: { type: "number" },
    },
    accessPattern: "byKey",
    composite: ["key"],
    template: "KV#${key}",
  })
}

/** The request count of one fixed rate-limit window; `window` is keyed by `rateLimitWindowOf`. */
export function createRateLimitWindowEntity(names: TableNames, client?: DynamoDBDocumentClient) {
  return createPointEntity(names, client, {
    kind: ITEM_TYPES.rateLimitWindow,
    attributes: {
      window: { type: "string", required: true },
      key: { type: "string" },
      count: { type: "number" },
      expires: { type: "number" },
    },
    accessPattern: "byWindow",
    composite: ["window"],
    template: "RATE_LIMIT_WINDOW#${window}",
  })
}

/**
 * The one composite of a rate-limit window's key: `<length ms>#<start ms>#<key>`.
 * The numbers come first, so a `#` in the app's key cannot make two windows share one.
 */
export function rateLimitWindowOf(key: string, lengthMs: number, startMs: number): string {
  return `${lengthMs}#${startMs}#${key}`
}

/**
 * A claim on a unique value. The one composite is `<KIND>#<fields>#<value>`
 * (see `uniqueClaimOf` in `core/identity/unique-claims.ts`). Not part of
 * `createEntities`: its key builder is made where claims are planned.
 */
export function createUniqueClaimEntity(names: TableNames, client?: DynamoDBDocumentClient) {
  return createPointEntity(names, client, {
    kind: ITEM_TYPES.uniqueClaim,
    attributes: { claim: { type: "string", required: true }, ownerId: { type: "string", required: true } },
    accessPattern: "byClaim",
    composite: ["claim"],
    template: "UNIQUE#${claim}",
  })
}

/** An index entry: all records with one value of an indexed field share a partition, one entry (sk = id) each. */
export function createIndexEntryEntity(names: TableNames, client?: DynamoDBDocumentClient) {
  const k = keyFields(names)
  return new Entity(
    {
      model: model(ITEM_TYPES.indexEntry),
      attributes: { entryPartition: { type: "string", required: true }, id: { type: "string", required: true } },
      indexes: {
        byValue: {
          pk: { field: k.pk, composite: ["entryPartition"], template: "INDEX#${entryPartition}", casing: none },
          sk: { field: k.sk, composite: ["id"], template: "${id}", casing: none },
        },
      },
    },
    config(names, client, true),
  )
}

/**
 * A user's entry in the user directory: pk = `USER_DIRECTORY#<shard>`,
 * sk = `<userId>` (the shard is a hash of the id: see
 * `core/identity/user-directory.ts`).
 */
export function createUserDirectoryEntity(names: TableNames, client?: DynamoDBDocumentClient) {
  const k = keyFields(names)
  return new Entity(
    {
      model: model(ITEM_TYPES.userDirectory),
      attributes: { shard: { type: "string", required: true }, userId: { type: "string", required: true } },
      indexes: {
        byShard: {
          pk: { field: k.pk, composite: ["shard"], template: "USER_DIRECTORY#${shard}", casing: none },
          sk: { field: k.sk, composite: ["userId"], template: "${userId}", casing: none },
        },
      },
    },
    config(names, client, true),
  )
}

/** All core entities of one table. */
export function createEntities(names: TableNames = { ...DEFAULT_TABLE_NAMES }, client?: DynamoDBDocumentClient) {
  return {
    user: createUserEntity(names, client),
    account: createAccountEntity(names, client),
    session: createSessionEntity(names, client),
    verificationToken: createVerificationTokenEntity(names, client),
    emailLookup: createEmailLookupEntity(names, client),
    accountLookup: createAccountLookupEntity(names, client),
    sessionToken: createSessionTokenEntity(names, client),
    authenticator: createAuthenticatorEntity(names, client),
    authenticatorLookup: createAuthenticatorLookupEntity(names, client),
    tableMeta: createTableMetaEntity(names, client),
    keyValue: createKeyValueEntity(names, client),
    rateLimitWindow: createRateLimitWindowEntity(names, client),
    userDirectory: createUserDirectoryEntity(names, client),
  }
}

export type CoreEntities = ReturnType<typeof createEntities>
export type CoreEntityName = keyof CoreEntities

/** The key attributes (base table, and GSI1 where the kind has it) for one item. */
export type ItemKeys = Record<string, string>

interface IndexDefinition {
  index?: string
  pk: { field: string; composite: readonly string[] }
  sk?: { field: string; composite: readonly string[] }
}

interface KeyConverter {
  fromComposite: { toKeys(composite: Record<string, unknown>, options?: { strict?: "all" | "pk" | "none" }): ItemKeys }
}

interface FixedKeyEntity {
  get(composite: Record<string, never>): { params(): { Key: ItemKeys } }
}

/** The key of an entity whose table key has no composite (the same for every item of the kind). */
function fixedTableKey(entity: FixedKeyEntity): ItemKeys {
  return entity.get({}).params().Key
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null && value !== ""
}

/**
 * Builds the exact key attributes of an item from its composite attributes,
 * through the entities' own templates, so that no key string is formatted
 * anywhere else. The base-table key must be complete (else `INVALID_INPUT`);
 * an index key is added only when all of its parts are present, which keeps
 * GSI1 sparse (the official adapter writes `USER#undefined` for a user with
 * no email; this library leaves such a user out of the index instead).
 */
export function createKeyBuilder(entities: CoreEntities) {
  const kinds = Object.fromEntries(
    Object.entries(entities).map(([name, entity]) => {
      const patterns = Object.entries(createConversions(entity as never).byAccessPattern as Record<string, KeyConverter>)
      const byPattern = patterns.map(([pattern, converter]) => {
        const definition = (entity as unknown as { schema: { indexes: Record<string, IndexDefinition> } }).schema.indexes[pattern]!
        const composite = [...definition.pk.composite, ...(definition.sk?.composite ?? [])]
        const isTable = definition.index === undefined
        // ElectroDB's conversions build nothing for a key without composite (a fixed template): ask the entity for it.
        const fixed = isTable && composite.length === 0 ? fixedTableKey(entity as unknown as FixedKeyEntity) : undefined
        return { isTable, composite, fields: [definition.pk.field, ...(definition.sk ? [definition.sk.field] : [])], converter, fixed }
      })
      return [name, byPattern]
    }),
  ) as Record<CoreEntityName, { isTable: boolean; composite: string[]; fields: string[]; converter: KeyConverter; fixed: ItemKeys | undefined }[]>

  return function keysOf(kind: CoreEntityName, composite: Record<string, unknown>): ItemKeys {
    const keys: ItemKeys = {}
    const parts: Record<string, string> = {}
    for (const [attribute, value] of Object.entries(composite)) if (present(value)) parts[attribute] = String(value)
    for (const pattern of kinds[kind]) {
      const missing = pattern.composite.filter((attribute) => !present(composite[attribute]))
      if (missing.length > 0) {
        if (pattern.isTable) {
          throw new DynamoAuthAdapterError(
            "INVALID_INPUT",
            `Cannot build the key of a ${kind} item: ${[...new Set(missing)].join(", ")} missing or empty.`,
          )
        }
        continue
      }
      // ElectroDB returns the table key beside an index key; keep only this pattern's own fields.
      const built = pattern.fixed ?? pattern.converter.fromComposite.toKeys(parts, { strict: "all" })
      for (const field of pattern.fields) keys[field] = built[field]!
    }
    return keys
  }
}

export type KeyBuilder = ReturnType<typeof createKeyBuilder>
