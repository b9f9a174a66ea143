import { defineConfig } from "vitest/config"

// The AWS SDK warns once per process that it will need Node 22 from 2027; the
// library supports Node 20 until then, and the warning only buries test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["./test/support/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Each file gets its own table on one shared DynamoDB Local, so files run in parallel.
    fileParallelism: true,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  },
})
