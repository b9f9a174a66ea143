/**
 * The OpenID Connect provider both frameworks sign in with. The same provider
 * id on both sides makes Auth.js's account item and Better Auth's the same
 * item (`provider` + `providerAccountId` = `providerId` + `accountId` = the
 * token's `sub`), so one person is one user whichever framework they use.
 */
export const IDP_PROVIDER_ID = "idp"

/** `OIDC_ISSUER`: e.g. the loopback provider `scripts/idp.ts` starts. */
export const oidc = {
  issuer: process.env.OIDC_ISSUER ?? "http://127.0.0.1:4010",
  clientId: process.env.OIDC_CLIENT_ID ?? "loopback-client",
  clientSecret: process.env.OIDC_CLIENT_SECRET ?? "loopback-client-secret",
}
