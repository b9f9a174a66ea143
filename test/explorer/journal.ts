/**
 * What the operations of one schedule did, as a client sees it: which
 * updates returned (and when, on a logical clock), which users were deleted,
 * which session tokens were handed out, and what every read returned. The
 * invariants are judged against it.
 *
 * The clock ticks at every start and every return, so "a read that started
 * after the update returned" is `read.startedAt > update.returnedAt`.
 */

/** User fields as a front-end returned them (`name`, `email`, …); `id` always present. */
export type UserView = Record<string, unknown> & { id: string }

export interface UpdateEntry {
  userId: string
  /** The fields the update set, by their front-end name. */
  changes: Record<string, unknown>
  startedAt: number
  /** Set when the update returned successfully. */
  returnedAt?: number
}

export interface DeleteEntry {
  userId: string
  startedAt: number
  returnedAt?: number
}

export interface SessionEntry {
  token: string
  userId: string
  /** The token was handed to a client: createSession returned (or the set-up made it). */
  handedOut: boolean
  /** Read back through every front-end after the schedule (default true; false for bulk copies checked on the table only). */
  readBack: boolean
}

export interface ReadEntry {
  /** `A getSessionAndUser(tok-3)`: who read, how. */
  via: string
  startedAt: number
  /** The user the read returned; null when it found none. */
  user: UserView | null
}

export class Journal {
  /**
   * @param cutOff true when the operation running now was killed: what it gets back never reaches
   *   its client (a Lambda killed midway returns nothing), so nothing is recorded as returned or read.
   */
  constructor(private readonly cutOff: () => boolean = () => false) {}

  private clock = 0
  readonly updates: UpdateEntry[] = []
  readonly deletes: DeleteEntry[] = []
  readonly sessions: SessionEntry[] = []
  readonly reads: ReadEntry[] = []
  /** Emails and provider accounts the schedule touched: every one is read back by the checker. */
  readonly emails = new Set<string>()
  readonly providerAccounts = new Map<string, { provider: string; providerAccountId: string }>()

  now(): number {
    return ++this.clock
  }

  email(email: string): string {
    this.emails.add(email)
    return email
  }

  providerAccount(provider: string, providerAccountId: string): { provider: string; providerAccountId: string } {
    const account = { provider, providerAccountId }
    this.providerAccounts.set(`${provider}#${providerAccountId}`, account)
    return account
  }

  /** A session made before the schedule (its token is handed out). */
  sessionCreated(token: string, userId: string, readBack = true): void {
    this.sessions.push({ token, userId, handedOut: true, readBack })
  }

  /** Runs an update of user `userId` that sets `changes`, recording when it returned. */
  async update<T>(userId: string, changes: Record<string, unknown>, run: () => Promise<T>): Promise<T> {
    if (typeof changes.email === "string") this.emails.add(changes.email)
    const entry: UpdateEntry = { userId, changes, startedAt: this.now() }
    this.updates.push(entry)
    const result = await run()
    if (!this.cutOff()) entry.returnedAt = this.now()
    return result
  }

  async delete<T>(userId: string, run: () => Promise<T>): Promise<T> {
    const entry: DeleteEntry = { userId, startedAt: this.now() }
    this.deletes.push(entry)
    const result = await run()
    if (!this.cutOff()) entry.returnedAt = this.now()
    return result
  }

  /** A session whose token is known only once its createSession returned (Better Auth makes the token). */
  async createSessionWithToken<T extends { token: string }>(userId: string, run: () => Promise<T>): Promise<T> {
    const result = await run()
    this.sessions.push({ token: result.token, userId, handedOut: !this.cutOff(), readBack: true })
    return result
  }

  /** Runs a createSession of `token`; the token counts as handed out once it returned. */
  async createSession<T>(token: string, userId: string, run: () => Promise<T>): Promise<T> {
    const entry: SessionEntry = { token, userId, handedOut: false, readBack: true }
    this.sessions.push(entry)
    const result = await run()
    entry.handedOut = !this.cutOff()
    return result
  }

  /** Runs a read and records the user it returned (`toView` picks it out of the result). */
  async read<T>(via: string, run: () => Promise<T>, toView: (result: T) => UserView | null): Promise<T> {
    const startedAt = this.now()
    const result = await run()
    if (!this.cutOff()) this.reads.push({ via, startedAt, user: toView(result) })
    return result
  }

  /** The users the schedule deleted successfully, with when. */
  returnedDeletes(): DeleteEntry[] {
    return this.deletes.filter((entry) => entry.returnedAt !== undefined)
  }
}
