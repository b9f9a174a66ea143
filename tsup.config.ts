import { defineConfig } from "tsup"

export default defineConfig({
  entry: {
    index: "src/index.ts",
    "authjs/index": "src/authjs/index.ts",
    "better-auth/index": "src/better-auth/index.ts",
    "electrodb/index": "src/electrodb/index.ts",
    "cli/main": "src/cli/main.ts",
  },
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
  // Shared chunks, so that every entry uses the same DynamoAuthAdapterError
  // class (instanceof works whichever subpath threw it).
  splitting: true,
  // Peer and optional peer dependencies stay imports: the app provides them.
  external: ["better-auth", "@better-auth/core", "@auth/core", "@aws-sdk/client-dynamodb", "@aws-sdk/lib-dynamodb", "electrodb"],
})
