/**
 * `singleTableAdapter()`: Better Auth on the next-auth single-table schema,
 * sharing users, accounts and sessions with Auth.js.
 *
 * ```ts
 * betterAuth({ database: singleTableAdapter() })            // table "next-auth", client from the environment
 * betterAuth({ database: singleTableAdapter({ client, tableName: "auth" }) })
 * ```
 */
import type { BetterAuthOptions } from "@better-auth/core"
import { createAdapterFactory, type AdapterFactoryConfig, type DBAdapter } from "@better-auth/core/db/adapter"
import { APIError, BASE_ERROR_CODES } from "@better-auth/core/error"
import { defaultDynamoClient } from "../core/client/dynamo-client.js"
import { isDynamoAuthAdapterError } from "../core/errors.js"
import { resolveDebugLogs } from "../core/debug-logs.js"
import { consoleLogger } from "../core/logger.js"
import type { GenericModel } from "../core/models/generic-model.js"
import { bufferedScope, directScope, IdentityState, type IdentityScope } from "../core/identity/identity-state.js"
import { checkLegacyItems } from "../core/identity/table-mode.js"
import { commitTransaction } from "../core/identity/commit-transaction.js"
import { TableClient } from "../core/client/table-client.js"
import { BufferedTable } from "../core/transaction/buffered-table.js"
import { resolveTableNames } from "../table/names.js"
import { createCustomAdapter } from "./custom-adapter.js"
import { withCaseInsensitiveEmailLookups } from "./email-lookups.js"
import type { SingleTableAdapterOptions } from "./options.js"

export const ADAPTER_ID = "dynamodb-single-table"

/**
 * A Better Auth database adapter over one DynamoDB table. Nothing touches the
 * network until Better Auth makes its first call.
 */
export function singleTableAdapter(options: SingleTableAdapterOptions = {}): (betterAuthOptions: BetterAuthOptions) => DBAdapter<BetterAuthOptions> {
  const names = resolveTableNames(options)
  // Better Auth's own debugLogs (per adapter method) also turn on this library's request and planner logs.
  const logs = resolveDebugLogs({ debugLogs: Boolean(options.debugLogs), ...(options.logger ? { logger: options.logger } : {}) })
  // Checked now, so a bad value fails at configuration time rather than on the first lookup miss.
  const legacyItems = checkLegacyItems(options.legacyItems)
  // This adapter's client and its state (what the table says about itself, the users it saw last), made on first use.
  let direct: IdentityScope | undefined
  const scope = (): IdentityScope => {
    if (!direct) {
      const table = new TableClient({ names, client: options.client ?? defaultDynamoClient(), logger: logs.logger, logRequests: logs.logRequests })
      direct = directScope(table, new IdentityState(table, legacyItems))
    }
    return direct
  }
  const genericModels = new Map<string, GenericModel>()
  const scans = options.scans ?? "warn"
  // A Scan is a bill that grows with the table: warned about whatever debugLogs says (see options.scans).
  const scanLogger = logs.plannerLogger ?? options.logger ?? consoleLogger
  const layouts = options.models ?? {}
  let lazyOptions: BetterAuthOptions | null = null

  const config: AdapterFactoryConfig = {
    adapterId: ADAPTER_ID,
    adapterName: "DynamoDB single-table adapter",
    usePlural: options.usePlural ?? false,
    debugLogs: options.debugLogs ?? false,
    // Dates are ISO strings (epoch seconds for the TTL attributes), JSON and arrays JSON strings: exactly what round-trips.
    supportsDates: false,
    supportsBooleans: true,
    supportsJSON: false,
    supportsArrays: false,
    supportsNumericIds: false,
    supportsUUIDs: false,
    transaction: async (work) => {
      const { table, state } = scope()
      // The adapter's own state, so the table's marker is read once per adapter, not per transaction.
      const transactionScope = bufferedScope(new BufferedTable(table, "Better Auth transaction"), state)
      const transactionAdapter = createAdapterFactory({
        config: { ...config, transaction: false },
        adapter: createCustomAdapter({ names, scope: () => transactionScope, scanLogger, scans, layouts, genericModels }),
      })(lazyOptions ?? {})
      const result = await work(transactionAdapter)
      try {
        await commitTransaction(transactionScope)
      } catch (error) {
        const conflict = isDynamoAuthAdapterError(error) ? error : undefined
        if (conflict?.code === "EMAIL_EXISTS") {
          // Another sign-up with this email committed first: the answer Better Auth gives when it sees the user.
          throw APIError.from("UNPROCESSABLE_ENTITY", BASE_ERROR_CODES.USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL, { cause: conflict })
        }
        if (conflict?.code === "UNIQUE_VIOLATION" && conflict.details?.model === "user" && transactionScope.buffer?.actions().some((a) => a.kind === "put" && a.label.startsWith("put user "))) {
          // A user created with a taken username or phone number: what Better Auth answers when SQL's UNIQUE constraint refuses the insert.
          throw APIError.from("UNPROCESSABLE_ENTITY", BASE_ERROR_CODES.FAILED_TO_CREATE_USER, { cause: conflict })
        }
        throw error
      }
      return result
    },
  }

  const factory = createAdapterFactory({
    config,
    adapter: createCustomAdapter({ names, scope, scanLogger, scans, layouts, genericModels }),
  })
  return (betterAuthOptions: BetterAuthOptions) => {
    lazyOptions = betterAuthOptions
    return withCaseInsensitiveEmailLookups(factory(betterAuthOptions))
  }
}
