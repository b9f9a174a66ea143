/** Where debug output goes. `console` fits; so does any structured logger with these methods. */
export interface Logger {
  debug(message: string, details?: Record<string, unknown>): void
  warn(message: string, details?: Record<string, unknown>): void
}

export const silentLogger: Logger = {
  debug() {},
  warn() {},
}

/** Prints with a `[dynamodb-auth-adapter]` prefix. */
export const consoleLogger: Logger = {
  debug(message, details) {
    console.debug(`[dynamodb-auth-adapter] ${message}`, ...(details ? [details] : []))
  },
  warn(message, details) {
    console.warn(`[dynamodb-auth-adapter] ${message}`, ...(details ? [details] : []))
  },
}
