/** Full-jitter exponential backoff, as AWS recommends for retried batch leftovers. */
export function backoffDelay(attempt: number, baseMs = 25, capMs = 2_000): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** attempt)
  return Math.random() * ceiling
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
