import { DescribeTimeToLiveCommand, type DynamoDBClient, type TableDescription, type TimeToLiveDescription } from "@aws-sdk/client-dynamodb"
import { translateClientError } from "../core/client/aws-errors.js"
import { firstItemOf, MARKER_RECHECK_MS, readTableMeta } from "../core/identity/table-mode.js"
import { TableClient } from "../core/client/table-client.js"
import { describeTable } from "./create-table.js"
import type { TableNames } from "./names.js"
import { describeSchemaDifferences } from "./schema-differences.js"

/** What a check found: `problem` keeps the library from working (or soon will); `note` is worth knowing but fine. */
export type FindingStatus = "ok" | "problem" | "note"

/** The checks `inspectTable` runs, in the order it reports them. */
export type TableCheck = "table" | "key-schema" | "index" | "index-keys" | "index-projection" | "ttl" | "billing" | "deletion-protection" | "lookups"

export interface TableFinding {
  check: TableCheck
  status: FindingStatus
  /** One sentence: what was found. */
  message: string
  /** What to do about it (commands included); present on every problem, and on notes that have a remedy. */
  fix?: string
}

export interface TableInspection {
  names: TableNames
  /** False when any finding is a problem. */
  healthy: boolean
  findings: TableFinding[]
}

export interface InspectTableOptions {
  /**
   * The command that creates this table, quoted in fixes. Default
   * `npx dynamodb-auth-adapter create-table --table <name>`; the CLI passes
   * the same key and index flags it was given.
   */
  createTableCommand?: string
  /** Appended to every `aws` command in fixes, e.g. `--region eu-west-1 --endpoint-url http://localhost:8000`. */
  awsCliOptions?: string
}

interface Context {
  names: TableNames
  createTable: string
  /** Appended to every `aws` command: empty or " --region …". */
  awsSuffix: string
}

/** `describeSchemaDifferences` speaks in sentences; these say which check each sentence belongs to. */
function checkOfDifference(difference: string, names: TableNames): TableCheck {
  if (difference.startsWith("global secondary index")) return "index"
  if (difference.startsWith(`index ${names.indexName} projects`)) return "index-projection"
  if (difference.startsWith(`index ${names.indexName}`)) return "index-keys"
  if (difference.startsWith(`attribute "${names.indexPartitionKey}"`) || difference.startsWith(`attribute "${names.indexSortKey}"`)) {
    return "index-keys"
  }
  return "key-schema"
}

function capitalize(sentence: string): string {
  return sentence.charAt(0).toUpperCase() + sentence.slice(1)
}

function gsiCreateJson(names: TableNames, provisioned: boolean): string {
  return JSON.stringify([
    {
      Create: {
        IndexName: names.indexName,
        KeySchema: [
          { AttributeName: names.indexPartitionKey, KeyType: "HASH" },
          { AttributeName: names.indexSortKey, KeyType: "RANGE" },
        ],
        Projection: { ProjectionType: "ALL" },
        // A provisioned table needs capacity for a new index; 5/5 is a placeholder to size.
        ...(provisioned ? { ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 } } : {}),
      },
    },
  ])
}

function tableFinding(description: TableDescription, ctx: Context): TableFinding {
  const status = description.TableStatus
  if (status === "CREATING") {
    return {
      check: "table",
      status: "problem",
      message: `Table "${ctx.names.tableName}" exists but is still CREATING.`,
      fix: "Wait until it is ACTIVE (usually under a minute) and run doctor again.",
    }
  }
  if (status !== undefined && status !== "ACTIVE") {
    return { check: "table", status: "note", message: `Table "${ctx.names.tableName}" exists; its status is ${status}.` }
  }
  return { check: "table", status: "ok", message: `Table "${ctx.names.tableName}" exists and is ACTIVE.` }
}

function keySchemaFinding(differences: string[], ctx: Context): TableFinding {
  const { names } = ctx
  if (differences.length === 0) {
    return { check: "key-schema", status: "ok", message: `Key schema is ${names.partitionKey} (string) / ${names.sortKey} (string).` }
  }
  return {
    check: "key-schema",
    status: "problem",
    message: `Key schema differs: ${differences.join("; ")}.`,
    fix:
      "A table's keys cannot be changed. If this table uses other key attribute names on purpose, pass them " +
      "(--partition-key, --sort-key); otherwise create a new table with " +
      `\`${ctx.createTable.replace(`--table ${names.tableName}`, "--table NEW_NAME")}\` and point the app at it.`,
  }
}

function indexFindings(description: TableDescription, differences: string[], ctx: Context): TableFinding[] {
  const { names } = ctx
  const provisioned = billingModeOf(description) === "PROVISIONED"
  if (differences.some((d) => checkOfDifference(d, names) === "index")) {
    const others = description.GlobalSecondaryIndexes?.map((gsi) => gsi.IndexName).filter(Boolean) ?? []
    return [
      {
        check: "index",
        status: "problem",
        message:
          `Global secondary index "${names.indexName}" is missing` +
          (others.length > 0 ? ` (the table has: ${others.join(", ")}).` : " (the table has no index)."),
        fix:
          (others.length > 0 ? "If one of those is the index to use, pass its names (--index-name, --index-partition-key, --index-sort-key). Otherwise add" : "Add") +
          ` it (the table stays online while DynamoDB backfills it): aws dynamodb update-table --table-name ${names.tableName}` +
          ` --attribute-definitions AttributeName=${names.indexPartitionKey},AttributeType=S AttributeName=${names.indexSortKey},AttributeType=S` +
          ` --global-secondary-index-updates '${gsiCreateJson(names, provisioned)}'${ctx.awsSuffix}`,
      },
    ]
  }

  const findings: TableFinding[] = []
  const index = description.GlobalSecondaryIndexes?.find((gsi) => gsi.IndexName === names.indexName)
  if (index?.IndexStatus === "CREATING" || index?.IndexStatus === "UPDATING") {
    findings.push({
      check: "index",
      status: "problem",
      message: `Index ${names.indexName} is ${index.IndexStatus}${index.Backfilling ? " (backfilling)" : ""}: queries on it fail or miss items until it is ACTIVE.`,
      fix: "Wait until the index is ACTIVE and run doctor again.",
    })
  } else {
    findings.push({ check: "index", status: "ok", message: `Index ${names.indexName} exists${index?.IndexStatus ? ` and is ${index.IndexStatus}` : ""}.` })
  }

  const recreate =
    `An index's keys and projection cannot be changed: delete it (aws dynamodb update-table --table-name ${names.tableName}` +
    ` --global-secondary-index-updates '[{"Delete":{"IndexName":"${names.indexName}"}}]'${ctx.awsSuffix}), wait until it is gone, then add it again` +
    ` (aws dynamodb update-table --table-name ${names.tableName}` +
    ` --attribute-definitions AttributeName=${names.indexPartitionKey},AttributeType=S AttributeName=${names.indexSortKey},AttributeType=S` +
    ` --global-secondary-index-updates '${gsiCreateJson(names, provisioned)}'${ctx.awsSuffix}). Lookups through the index fail until it is ACTIVE again.`

  const keyDifferences = differences.filter((d) => checkOfDifference(d, names) === "index-keys")
  if (keyDifferences.length === 0) {
    findings.push({
      check: "index-keys",
      status: "ok",
      message: `Index ${names.indexName} keys are ${names.indexPartitionKey} (string) / ${names.indexSortKey} (string).`,
    })
  } else {
    findings.push({
      check: "index-keys",
      status: "problem",
      message: `Index ${names.indexName} keys differ: ${keyDifferences.join("; ")}.`,
      fix: `If the index uses other key attribute names on purpose, pass them (--index-partition-key, --index-sort-key). ${recreate}`,
    })
  }

  const projectionDifferences = differences.filter((d) => checkOfDifference(d, names) === "index-projection")
  if (projectionDifferences.length === 0) {
    findings.push({ check: "index-projection", status: "ok", message: `Index ${names.indexName} projects ALL attributes.` })
  } else {
    findings.push({
      check: "index-projection",
      status: "problem",
      message: `${capitalize(projectionDifferences.join("; "))}: items read through the index would lack attributes.`,
      fix: recreate,
    })
  }
  return findings
}

function ttlFinding(ttl: TimeToLiveDescription | undefined, ctx: Context): TableFinding {
  const { names } = ctx
  const status = ttl?.TimeToLiveStatus ?? "DISABLED"
  const attribute = ttl?.AttributeName
  const enable =
    `aws dynamodb update-time-to-live --table-name ${names.tableName}` +
    ` --time-to-live-specification Enabled=true,AttributeName=${names.ttlAttribute}${ctx.awsSuffix}`
  if ((status === "ENABLED" || status === "ENABLING") && attribute === names.ttlAttribute) {
    return {
      check: "ttl",
      status: "ok",
      message: `TTL is ${status === "ENABLED" ? "enabled" : "being enabled"} on "${names.ttlAttribute}".`,
    }
  }
  if ((status === "ENABLED" || status === "ENABLING") && attribute !== undefined) {
    return {
      check: "ttl",
      status: "problem",
      message: `TTL is on "${attribute}", not on "${names.ttlAttribute}": expired sessions and verification tokens are never deleted.`,
      fix:
        `A table has one TTL attribute. Switch it off for "${attribute}" (aws dynamodb update-time-to-live --table-name ${names.tableName}` +
        ` --time-to-live-specification Enabled=false,AttributeName=${attribute}${ctx.awsSuffix}), then on for "${names.ttlAttribute}": ${enable}` +
        " (AWS allows one TTL change per hour).",
    }
  }
  if (status === "DISABLING") {
    return {
      check: "ttl",
      status: "problem",
      message: `TTL is being disabled${attribute ? ` on "${attribute}"` : ""}: expired sessions and verification tokens will not be deleted.`,
      fix: `When it is DISABLED, switch it on for "${names.ttlAttribute}": ${enable}`,
    }
  }
  return {
    check: "ttl",
    status: "problem",
    message: `TTL is not enabled on "${names.ttlAttribute}": expired sessions and verification tokens are never deleted and the table grows forever.`,
    fix: `Run \`${ctx.createTable}\` (it switches TTL on for an existing table), or: ${enable}`,
  }
}

function billingModeOf(description: TableDescription): "PAY_PER_REQUEST" | "PROVISIONED" {
  // AWS omits BillingModeSummary on tables that were created provisioned and never switched.
  return description.BillingModeSummary?.BillingMode === "PAY_PER_REQUEST" ? "PAY_PER_REQUEST" : "PROVISIONED"
}

function billingFinding(description: TableDescription, ctx: Context): TableFinding {
  if (billingModeOf(description) === "PAY_PER_REQUEST") {
    return { check: "billing", status: "ok", message: "Billing mode is on-demand (PAY_PER_REQUEST)." }
  }
  const capacity = (t: { ReadCapacityUnits?: number; WriteCapacityUnits?: number } | undefined) =>
    `${t?.ReadCapacityUnits ?? "?"} RCU / ${t?.WriteCapacityUnits ?? "?"} WCU`
  const index = description.GlobalSecondaryIndexes?.find((gsi) => gsi.IndexName === ctx.names.indexName)
  return {
    check: "billing",
    status: "note",
    message:
      `Billing mode is PROVISIONED (table ${capacity(description.ProvisionedThroughput)}` +
      (index ? `, index ${ctx.names.indexName} ${capacity(index.ProvisionedThroughput)}` : "") +
      "). Fine when sized for your sign-in peaks; under-provisioning shows up as THROTTLED errors.",
    fix: `To pay per request instead: aws dynamodb update-table --table-name ${ctx.names.tableName} --billing-mode PAY_PER_REQUEST${ctx.awsSuffix}`,
  }
}

function deletionProtectionFinding(description: TableDescription, ctx: Context): TableFinding {
  if (description.DeletionProtectionEnabled === true) {
    return { check: "deletion-protection", status: "ok", message: "Deletion protection is on: DynamoDB refuses to delete the table." }
  }
  return {
    check: "deletion-protection",
    status: "note",
    message: "Deletion protection is off: one DeleteTable (a script, a console click, a stack update) deletes every user.",
    fix: `aws dynamodb update-table --table-name ${ctx.names.tableName} --deletion-protection-enabled${ctx.awsSuffix}`,
  }
}

/** The table's mode (fast path or legacy) and why: its metadata item, and, without one, whether the table is empty (Scan, Limit 1). */
async function lookupsFinding(client: DynamoDBClient, ctx: Context): Promise<TableFinding> {
  const table = new TableClient({ names: ctx.names, client })
  const meta = await readTableMeta(table)
  const backfill = `npx dynamodb-auth-adapter backfill --table ${ctx.names.tableName} --mark-complete`
  const fast = "lookup misses are one GetItem (no GSI1 fallback) and get session is one GetItem"
  if (meta?.lookups === "complete") {
    const why =
      meta.by === "create-table"
        ? "marked by create-table when it made the table"
        : meta.by === "empty-table"
          ? "marked by an adapter instance that found the table empty"
          : "marked by backfill --mark-complete after a clean run"
    const copies =
      meta.by === "backfill"
        ? `; copies of users are trusted from ${new Date(Date.parse(meta.since) + MARKER_RECHECK_MS + 60_000).toISOString()} (once every instance has seen the marker)`
        : ""
    return { check: "lookups", status: "ok", message: `Fast path: lookups complete since ${meta.since} (${why}): ${fast}${copies}.` }
  }
  if (meta?.lookups === "legacy") {
    return {
      check: "lookups",
      status: "note",
      message:
        `Legacy mode, declared at creation (create-table --official-adapter, ${meta.since}): @auth/dynamodb-adapter writes to this table, ` +
        "so lookup misses fall back to GSI1 (or a Scan), get session is 2 requests and copies of users are not used.",
      fix: `Once @auth/dynamodb-adapter no longer writes to the table, run \`${backfill}\`.`,
    }
  }
  if ((await firstItemOf(table)).empty) {
    return {
      check: "lookups",
      status: "ok",
      message:
        "Not marked yet, and the table is empty: the first adapter call marks it lookups complete (Scan Limit 1, then a conditional put), " +
        `so ${fast} from the first request.`,
      fix:
        'If @auth/dynamodb-adapter will also write to this table, run every instance of this library with legacyItems: "present" until it stops, ' +
        `then run \`${backfill}\`.`,
    }
  }
  return {
    check: "lookups",
    status: "note",
    message:
      "Legacy mode: the table holds items and has no metadata item (written by @auth/dynamodb-adapter, or made before the marker existed), " +
      "so lookup misses fall back to GSI1 (or a Scan), get session is 2 requests and copies of users are not used.",
    fix: `Once @auth/dynamodb-adapter no longer writes to the table, run \`${backfill}\` (it writes the missing lookups, then marks the table).`,
  }
}

/**
 * Checks a live table against what this library needs, and says how to fix
 * each problem: the table exists, its key schema, the index (present, keys,
 * projection ALL), TTL on `expires`, billing mode (provisioned is a note,
 * not a problem), deletion protection (off is a note), and the table's mode
 * (fast path or legacy, and why). Sends DescribeTable, DescribeTimeToLive,
 * one GetItem and, on a table without a metadata item, one Scan with
 * `Limit: 1`; changes nothing.
 */
export async function inspectTable(client: DynamoDBClient, names: TableNames, options: InspectTableOptions = {}): Promise<TableInspection> {
  const awsCliOptions = options.awsCliOptions?.trim()
  const ctx: Context = {
    names,
    createTable: options.createTableCommand ?? `npx dynamodb-auth-adapter create-table --table ${names.tableName}`,
    awsSuffix: awsCliOptions ? ` ${awsCliOptions}` : "",
  }
  const description = await describeTable(client, names.tableName)
  if (!description) {
    const findings: TableFinding[] = [
      {
        check: "table",
        status: "problem",
        message: `Table "${names.tableName}" does not exist in this account, region and endpoint.`,
        fix: `Create it: \`${ctx.createTable}\`. If it exists elsewhere, pass --region / --endpoint (or set AWS_REGION / DYNAMODB_ENDPOINT).`,
      },
    ]
    return { names, healthy: false, findings }
  }
  const { TimeToLiveDescription } = await client
    .send(new DescribeTimeToLiveCommand({ TableName: names.tableName }))
    .catch(async (error: unknown) => Promise.reject(await translateClientError(error, client, names, `describe TTL of ${names.tableName}`)))

  const differences = describeSchemaDifferences(description, names)
  const findings: TableFinding[] = [
    tableFinding(description, ctx),
    keySchemaFinding(
      differences.filter((d) => checkOfDifference(d, names) === "key-schema"),
      ctx,
    ),
    ...indexFindings(description, differences, ctx),
    ttlFinding(TimeToLiveDescription, ctx),
    billingFinding(description, ctx),
    deletionProtectionFinding(description, ctx),
    // The item can only be read with the right key schema on an ACTIVE table.
    ...(!differences.some((d) => checkOfDifference(d, names) === "key-schema") && description.TableStatus === "ACTIVE"
      ? [await lookupsFinding(client, ctx)]
      : []),
  ]
  return { names, healthy: findings.every((f) => f.status !== "problem"), findings }
}
