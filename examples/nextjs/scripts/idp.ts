/**
 * The loopback OpenID Connect provider for trying the app by hand (no
 * internet, no real accounts): `npx tsx examples/nextjs/scripts/idp.ts`.
 * People: Alice (the default), Bob, Carol. Ctrl-C stops it.
 */
import { startOidcIdp } from "../../../test/support/oidc-idp.js"

const port = Number(process.env.OIDC_PORT ?? 4010)
const idp = await startOidcIdp({ port })
console.log(`Identity provider at ${idp.issuer} (client id ${idp.clientId}, secret ${idp.clientSecret})`)
console.log(`People: ${Object.values(idp.people).map((person) => person.email).join(", ")}`)

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void idp.stop().then(() => process.exit(0))
  })
}
