/**
 * The `debugLogs` and `logger` options both front-ends accept, resolved once
 * into what the core uses: the logger the `TableClient` writes to, whether it
 * logs each request, and the logger (if any) the query planner warns through.
 */
import { consoleLogger, silentLogger, type Logger } from "./logger.js"

/**
 * `true` logs everything; an object picks what:
 * - `requests`: every DynamoDB request (command, table, index, key condition
 *   with attribute names but never values, consumed capacity);
 * - `planner`: the query planner's warnings (a `where` that needs a Scan).
 */
export type DebugLogsOption = boolean | { requests?: boolean; planner?: boolean }

export interface DebugLogOptions {
  /** Off by default: nothing is logged at debug level. */
  debugLogs?: DebugLogsOption
  /**
   * Where logs go (default `console` with a `[dynamodb-auth-adapter]` prefix).
   * Warnings (a write the library could not make on its own, e.g. a missing
   * lookup item) always go here; debug output only when `debugLogs` asks.
   */
  logger?: Logger
}

/** What `resolveDebugLogs` returns: hand `logger` and `logRequests` to `TableClient`, `plannerLogger` to `planQuery`. */
export interface ResolvedDebugLogs {
  /** Warnings always; debug messages only for the enabled channels. */
  logger: Logger
  /** True when each request is logged (the client then asks DynamoDB for consumed capacity). */
  logRequests: boolean
  /** The planner's logger, or undefined when planner logs are off. */
  plannerLogger: Logger | undefined
}

/** Which debug channels `debugLogs` turns on. */
export function debugChannels(debugLogs: DebugLogsOption | undefined): { requests: boolean; planner: boolean } {
  if (debugLogs === true) return { requests: true, planner: true }
  if (!debugLogs) return { requests: false, planner: false }
  return { requests: debugLogs.requests === true, planner: debugLogs.planner === true }
}

/**
 * Turns `{ debugLogs, logger }` into the core's logging: silent at debug
 * level unless `debugLogs` is set, console unless a `logger` is given.
 */
export function resolveDebugLogs(options: DebugLogOptions = {}): ResolvedDebugLogs {
  const channels = debugChannels(options.debugLogs)
  const target = options.logger ?? consoleLogger
  const anyDebug = channels.requests || channels.planner
  const logger: Logger = anyDebug
    ? target
    : {
        debug: silentLogger.debug,
        warn: (message, details) => target.warn(message, details),
      }
  return {
    logger,
    logRequests: channels.requests,
    plannerLogger: channels.planner ? target : undefined,
  }
}
