/**
 * The one error class of this library. Callers switch on `code`; the message
 * always says what to do next.
 */
export type DynamoAuthErrorCode =
  /** A user with this email already exists (the email lookup item is taken). */
  | "EMAIL_EXISTS"
  /** This provider account is already linked to a user. */
  | "ACCOUNT_EXISTS"
  /** A conditional write found the item in another state than required. */
  | "CONDITIONAL_CHECK_FAILED"
  /**
   * A TransactWriteItems request was cancelled; `reasons` names each action's
   * outcome. Cancellations by conflicts alone were retried first (the message
   * says how often).
   */
  | "TRANSACTION_FAILED"
  /**
   * A single write (PutItem, UpdateItem, DeleteItem) met an item held by a
   * transaction in flight on every retry (`TransactionConflictException`);
   * nothing was written. Retry later.
   */
  | "TRANSACTION_CONFLICT"
  /** More than 100 actions (or 4 MB) in one transaction. */
  | "TRANSACTION_TOO_LARGE"
  /** A where clause uses an operator this library does not know. */
  | "UNSUPPORTED_OPERATOR"
  /** A where clause is malformed or names a field the model does not have. */
  | "INVALID_WHERE"
  /** An item would exceed DynamoDB's 400 KB limit; nothing was sent. */
  | "ITEM_TOO_LARGE"
  /** The table does not exist in this account/region/endpoint. */
  | "MISSING_TABLE"
  /** The table exists but has no index of the configured name. */
  | "MISSING_INDEX"
  /** The table exists with another key schema than the one configured. */
  | "TABLE_SCHEMA_MISMATCH"
  /** The item to update or delete does not exist. */
  | "NOT_FOUND"
  /** DynamoDB kept throttling after every retry (the SDK's, or the library's for a transaction cancelled for throttling). */
  | "THROTTLED"
  /**
   * DynamoDB could not be reached, or did not answer, after the SDK's retries:
   * connection refused, DNS failure, socket reset or timeout, or a 5xx from
   * DynamoDB itself. Transient or a wrong endpoint/region; a write that failed
   * this way may or may not have been applied. `cause` is the SDK's error.
   */
  | "UNAVAILABLE"
  /**
   * No AWS credentials were found, or DynamoDB refused them (unknown key,
   * bad signature, expired token). A configuration problem: retrying does not help.
   */
  | "CREDENTIALS"
  /**
   * The credentials are valid but their IAM policy does not allow the
   * request (`AccessDeniedException`): the message names the action DynamoDB
   * refused. Add it to the policy (the README lists the least-privilege set).
   */
  | "ACCESS_DENIED"
  /** Input that cannot be stored (a key part that is not a string, an empty id, …). */
  | "INVALID_INPUT"
  /**
   * A value of a field the schema declares `unique` (a username, a slug, …)
   * is already held by another record; nothing was written. The message
   * names it as SQL does: `UNIQUE constraint failed: <model>.<field>`.
   */
  | "UNIQUE_VIOLATION"
  /**
   * A read would have been a Scan (no key or index answers it) and the
   * adapter's `scans` option is `"refuse"`; nothing was read. The message
   * names the model and the fields: declare a lookup for them in `models`.
   */
  | "SCAN_REFUSED"

export interface TransactionCancellationReason {
  /** Index of the action in the transaction. */
  index: number
  /** DynamoDB's code: `None`, `ConditionalCheckFailed`, `TransactionConflict`, … */
  code: string
  message?: string
  /** What the action was for, e.g. `Put USER#123` or `claim email a@b.c`. */
  action?: string
}

export interface DynamoAuthErrorOptions {
  cause?: unknown
  reasons?: TransactionCancellationReason[]
  details?: Record<string, unknown>
}

export class DynamoAuthAdapterError extends Error {
  readonly code: DynamoAuthErrorCode
  readonly reasons: TransactionCancellationReason[] | undefined
  readonly details: Record<string, unknown> | undefined

  constructor(code: DynamoAuthErrorCode, message: string, options: DynamoAuthErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = "DynamoAuthAdapterError"
    this.code = code
    this.reasons = options.reasons
    this.details = options.details
  }
}

export function isDynamoAuthAdapterError(
  error: unknown,
  code?: DynamoAuthErrorCode,
): error is DynamoAuthAdapterError {
  return error instanceof DynamoAuthAdapterError && (code === undefined || error.code === code)
}
