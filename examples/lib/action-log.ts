/**
 * What the demo shows after each action: the DynamoDB requests that one HTTP
 * request to Auth.js or Better Auth took. A client middleware records each
 * request into the action whose handling sent it (an AsyncLocalStorage
 * context, so actions that overlap in time are still told apart); requests
 * sent outside any action are not recorded. Display only: nothing here
 * decides what the frameworks or the adapters do.
 */
import { AsyncLocalStorage } from "node:async_hooks"
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb"

/** One DynamoDB request, as the page lists it. */
export interface ActionRequest {
  /** `GetItem`, `Query`, `TransactWriteItems`, … */
  command: string
  indexName: string | undefined
}

export interface RecordedAction {
  label: string
  at: Date
  requests: ActionRequest[]
}

let logId = 0

export class ActionLog {
  private readonly context = new AsyncLocalStorage<RecordedAction>()
  private readonly finished: RecordedAction[] = []
  private readonly middlewareName = `examples/action-log/${++logId}`

  constructor(
    private readonly client: DynamoDBClient,
    /** How many finished actions are kept, newest last. */
    private readonly keep = 12,
  ) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = (args.input ?? {}) as { IndexName?: unknown }
        this.context.getStore()?.requests.push({
          command: String(context.commandName ?? "Unknown").replace(/Command$/, ""),
          indexName: typeof input.IndexName === "string" ? input.IndexName : undefined,
        })
        return next(args)
      },
      { step: "initialize", name: this.middlewareName, override: true },
    )
  }

  /**
   * Runs `work` as the action `label`, which joins the list once it is done
   * (failed or not); with `quietIsNoise`, only if it sent a request (a GET of
   * a CSRF token is not worth a line).
   */
  async record<T>(label: string, work: () => Promise<T>, options: { quietIsNoise?: boolean } = {}): Promise<T> {
    const action: RecordedAction = { label, at: new Date(), requests: [] }
    try {
      return await this.context.run(action, work)
    } finally {
      if (!options.quietIsNoise || action.requests.length > 0) this.finished.push(action)
      if (this.finished.length > this.keep) this.finished.splice(0, this.finished.length - this.keep)
    }
  }

  /** Runs `work` and returns the requests it sent, without adding it to the list (the page's own reads). */
  async measure<T>(work: () => Promise<T>): Promise<{ result: T; requests: ActionRequest[] }> {
    const action: RecordedAction = { label: "", at: new Date(), requests: [] }
    const result = await this.context.run(action, work)
    return { result, requests: action.requests }
  }

  /** The finished actions, newest first. */
  recent(): RecordedAction[] {
    return [...this.finished].reverse()
  }

  detach(): void {
    this.client.middlewareStack.remove(this.middlewareName)
  }
}

/** What a person did, in words, for the auth endpoints the examples' page uses; anything else as method and path. */
export function actionLabel(request: Request): string {
  const { pathname } = new URL(request.url)
  const known: Record<string, string> = {
    "POST /auth/signin/idp": "Auth.js: start sign-in with the identity provider",
    "GET /auth/callback/idp": "Auth.js: sign-in callback",
    "POST /auth/signin/email": "Auth.js: send a magic link",
    "GET /auth/callback/email": "Auth.js: open the magic link",
    "POST /auth/signout": "Auth.js: sign out",
    "POST /api/auth/sign-in/social": "Better Auth: start sign-in with the identity provider",
    "GET /api/auth/oauth2/callback/idp": "Better Auth: sign-in callback",
    "GET /api/auth/callback/idp": "Better Auth: sign-in callback",
    "POST /api/auth/sign-up/email": "Better Auth: sign up with email and password",
    "POST /api/auth/sign-in/email": "Better Auth: sign in with email and password",
    "POST /api/auth/sign-out": "Better Auth: sign out",
  }
  const key = `${request.method} ${pathname}`
  return known[key] ?? key
}
