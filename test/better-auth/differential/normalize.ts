/**
 * Makes one side's results comparable with the other's without hiding
 * structure: dates become offsets from the run's clock origin, random values
 * (tokens, secrets, OTPs, keys) become placeholders numbered by first
 * appearance in that side's run, so the same token seen twice is the same
 * placeholder and two different tokens are two. Ids come from a counter
 * (app-options.ts) and stay as they are. `null` stays `null`; an absent
 * field (or one holding `undefined`) stays absent: that difference is one
 * the comparison must see.
 */

const ISO_DATE = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z/g
/** Runs of URL-safe characters long enough to be random. */
const RANDOM_RUN = /[A-Za-z0-9_\-+/=.]{16,}/g
/** Two-factor backup codes: `8Ujzp-uOFwc`. */
const BACKUP_CODE = /^[A-Za-z0-9]{5}-[A-Za-z0-9]{5}$/

/**
 * Whether a run is random rather than a word: it mixes letters and digits
 * (error codes, names and paths have no digits), or it is a long run of
 * letters in both cases with no separator (Better Auth's 32-letter tokens
 * may happen to hold no digit).
 */
function looksRandom(run: string): boolean {
  if (/[A-Za-z]/.test(run) && /\d/.test(run)) return true
  return run.length >= 24 && /^[A-Za-z0-9]+$/.test(run) && /[a-z]/.test(run) && /[A-Z]/.test(run)
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
}

export class Normalizer {
  private readonly placeholders = new Map<string, string>()

  /** `origin`: the epoch milliseconds both sides' clocks start from. */
  constructor(private readonly origin: number) {}

  /** A value that must be replaced wherever it appears (an OTP from the outbox, short as it is). */
  registerSecret(value: string, kind = "secret"): void {
    this.placeholderOf(value, kind)
  }

  normalize(value: unknown): unknown {
    if (value === null) return null
    if (value === undefined) return undefined
    if (value instanceof Date) return this.time(value.getTime())
    if (typeof value === "string") return this.text(value)
    if (Array.isArray(value)) return value.map((v) => this.normalize(v))
    if (typeof value === "object") {
      const out: Record<string, unknown> = {}
      for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
        if (v === undefined) continue
        out[key] = this.normalize(v)
      }
      return out
    }
    return value
  }

  private time(ms: number): string {
    if (Number.isNaN(ms)) return "<invalid date>"
    const offset = (ms - this.origin) / 1000
    return `<t${offset >= 0 ? "+" : ""}${offset}s>`
  }

  private placeholderOf(value: string, kind: string): string {
    let placeholder = this.placeholders.get(value)
    if (!placeholder) {
      placeholder = `<${kind}-${this.placeholders.size + 1}>`
      this.placeholders.set(value, placeholder)
    }
    return placeholder
  }

  private text(value: string): string {
    // Whole JSON documents (verification values, jwks keys) are normalized as structures, so their keys stay visible.
    if ((value.startsWith("{") && value.endsWith("}")) || (value.startsWith("[") && value.endsWith("]"))) {
      try {
        return `json:${JSON.stringify(this.normalize(JSON.parse(value)))}`
      } catch {
        // not JSON after all: a string like any other
      }
    }
    let out = value
    // Short secrets (OTPs) are replaced only where they stand alone, not inside a longer run of digits or letters.
    for (const [secret, placeholder] of this.placeholders) {
      if (secret.length < 16 && out.includes(secret)) out = out.replace(new RegExp(`(?<![A-Za-z0-9])${escapeRegExp(secret)}(?![A-Za-z0-9])`, "g"), placeholder)
    }
    out = out.replace(ISO_DATE, (iso) => this.time(Date.parse(iso)))
    if (BACKUP_CODE.test(out)) return this.placeholderOf(out, "backup-code")
    out = out.replace(RANDOM_RUN, (run) => (looksRandom(run) ? this.placeholderOf(run, "random") : run))
    return out
  }
}
