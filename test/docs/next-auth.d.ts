// Just enough of next-auth v5's entry point for the README's Auth.js quick
// start to be type-checked without installing Next.js: NextAuth takes an
// @auth/core config (whose `adapter` is the part this library provides).
declare module "next-auth" {
  import type { AuthConfig } from "@auth/core"
  export default function NextAuth(config: AuthConfig): {
    handlers: { GET: (request: Request) => Promise<Response>; POST: (request: Request) => Promise<Response> }
    auth: () => Promise<unknown>
    signIn: (...args: unknown[]) => Promise<unknown>
    signOut: (...args: unknown[]) => Promise<unknown>
  }
}
