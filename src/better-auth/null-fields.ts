/**
 * A schema field without a value is returned as `null`, never left out:
 * Better Auth on SQL (a column with no value is NULL) and its official
 * adapters answer so, and Better Auth and apps test `=== null`
 * (`session.activeOrganizationId`, `user.banReason`, an account's
 * `accessTokenExpiresAt`, …).
 *
 * Applied where a record becomes the row Better Auth reads (joined records
 * too), and only to the fields that row carries: a field a `select` left out
 * stays out (Better Auth's adapter suite requires it; its factory does not
 * pass `select` to its own output transform on findMany, which is why this is
 * not done there). Stored items keep leaving such fields out, as the official
 * Auth.js adapter does, and Auth.js reads them as before.
 */

/** The value of `field` in a record read for Better Auth: `null` where the record has none. */
export function valueOrNull(record: Readonly<Record<string, unknown>>, field: string): unknown {
  const value = record[field]
  return value === undefined ? null : value
}
