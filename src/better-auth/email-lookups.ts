/**
 * Better Auth's lookups of a user by email, made case-insensitive.
 *
 * Emails identify people case-insensitively across both frameworks (DESIGN
 * §1): an Auth.js user stored as `Alice@Example.COM` is the person Better
 * Auth's flows look up as `alice@example.com` (they lowercase the value and
 * re-check the result themselves, `internalAdapter.findUserByEmail`).
 * Better Auth's adapter factory fills in `mode: "sensitive"` before the
 * custom adapter sees a where clause, so a default is told apart from an
 * explicit `mode: "sensitive"` here, on the adapter the factory returns:
 * a where on `user.email` that names no mode is read insensitively (the
 * email claim: one GetItem); one that names a mode keeps it, so callers
 * that want an exact comparison still get it (Better Auth's own adapter
 * suite asks for exactly that).
 *
 * Only reads are rewritten: writes by email are Better Auth's own internal
 * updates by id in practice, and a write must never touch a row its caller
 * did not name exactly.
 */
import type { BetterAuthOptions } from "@better-auth/core"
import type { DBAdapter, Where } from "@better-auth/core/db/adapter"

type Adapter = DBAdapter<BetterAuthOptions>

function insensitiveEmail(model: string, userModel: string, where: Where[] | undefined): Where[] | undefined {
  if (!where || model !== userModel) return where
  return where.map((clause) => (clause.field === "email" && clause.mode === undefined && typeof clause.value === "string" ? { ...clause, mode: "insensitive" } : clause))
}

type Reads = Pick<Adapter, "findOne" | "findMany" | "count">

function withInsensitiveReads<A extends Reads>(adapter: A, userModel: string): A {
  return {
    ...adapter,
    findOne: (data) => adapter.findOne({ ...data, where: insensitiveEmail(data.model, userModel, data.where) ?? data.where }),
    findMany: (data) => adapter.findMany({ ...data, where: insensitiveEmail(data.model, userModel, data.where) }),
    count: (data) => adapter.count({ ...data, where: insensitiveEmail(data.model, userModel, data.where) }),
  }
}

/**
 * The adapter with its user-by-email reads case-insensitive unless they name
 * a mode; transactions hand their callback an adapter treated the same way.
 * `userModel` is the model name Better Auth's calls use for users.
 */
export function withCaseInsensitiveEmailLookups(adapter: Adapter, userModel = "user"): Adapter {
  return {
    ...withInsensitiveReads(adapter, userModel),
    transaction: (work) => adapter.transaction((inner) => work(withInsensitiveReads(inner, userModel))),
  }
}
