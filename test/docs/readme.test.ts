/**
 * Every code block in the README is checked, so the README cannot rot:
 * TypeScript blocks compile (strict) against the package's own entry points,
 * JSON blocks parse, every `npx dynamodb-auth-adapter …` command exists and
 * answers `--help`, every `npm` command is a script of package.json, and the
 * migration diff imports an entry point the package exports.
 */
import { spawnSync } from "node:child_process"
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { main } from "../../src/cli/main.js"

const root = resolve(import.meta.dirname, "../..")
const readme = readFileSync(join(root, "README.md"), "utf8")
const packageJson = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  scripts: Record<string, string>
  exports: Record<string, unknown>
}

interface Block {
  language: string
  code: string
  line: number
}

function codeBlocks(markdown: string): Block[] {
  const blocks: Block[] = []
  const pattern = /^```(\w*)\n([\s\S]*?)^```$/gm
  for (const match of markdown.matchAll(pattern)) {
    blocks.push({ language: match[1] ?? "", code: match[2] ?? "", line: markdown.slice(0, match.index).split("\n").length })
  }
  return blocks
}

const blocks = codeBlocks(readme)
// Inside the package's node_modules, so that the blocks resolve packages (subpath exports included) as an app would.
mkdirSync(join(root, "node_modules/.cache"), { recursive: true })
const scratch = mkdtempSync(join(root, "node_modules/.cache/readme-blocks-"))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

describe("README code blocks", () => {
  it("has the blocks this test knows how to check, and no other kind", () => {
    expect(blocks.length).toBeGreaterThan(8)
    expect(new Set(blocks.map((b) => b.language))).toEqual(new Set(["bash", "ts", "json", "diff"]))
  })

  it("TypeScript blocks compile under strict settings against the package's entry points", () => {
    const tsBlocks = blocks.filter((b) => b.language === "ts")
    expect(tsBlocks.length).toBeGreaterThanOrEqual(5)
    const files = tsBlocks.map((block, i) => {
      const file = join(scratch, `block-${i + 1}-line-${block.line}.ts`)
      // Each block is its own module, so top-level names never collide.
      writeFileSync(file, block.code.includes("export ") ? block.code : `${block.code}\nexport {}\n`)
      return file
    })
    const tsconfig = {
      compilerOptions: {
        target: "ES2022",
        module: "ESNext",
        moduleResolution: "Bundler",
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: ["node"],
        typeRoots: [join(root, "node_modules/@types")],
        baseUrl: root,
        paths: {
          "dynamodb-auth-adapter": ["src/index.ts"],
          "dynamodb-auth-adapter/*": ["src/*/index.ts"],
        },
      },
      files,
    }
    writeFileSync(join(scratch, "tsconfig.json"), JSON.stringify(tsconfig))
    const tsc = spawnSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", join(scratch, "tsconfig.json")], {
      encoding: "utf8",
    })
    expect(tsc.stdout + tsc.stderr).toBe("")
    expect(tsc.status).toBe(0)
  }, 120_000)

  it("JSON blocks parse", () => {
    for (const block of blocks.filter((b) => b.language === "json")) expect(() => JSON.parse(block.code), `line ${block.line}`).not.toThrow()
  })

  it("every CLI command shown exists and answers --help", async () => {
    const commands = blocks
      .filter((b) => b.language === "bash")
      .flatMap((b) => b.code.split("\n"))
      .map((line) => /npx dynamodb-auth-adapter ([\w-]+)/.exec(line)?.[1])
      .filter((name): name is string => name !== undefined)
    expect(new Set(commands)).toEqual(new Set(["create-table", "doctor", "print-iac", "backfill"]))
    for (const command of new Set(commands)) {
      const out: string[] = []
      expect(await main([command, "--help"], (line) => out.push(line), (line) => out.push(line)), command).toBe(0)
      expect(out.join("\n")).toContain(`Usage: dynamodb-auth-adapter ${command}`)
    }
  })

  it("every npm command shown is a script of package.json", () => {
    const npmCommands = blocks
      .filter((b) => b.language === "bash")
      .flatMap((b) => b.code.split("\n"))
      .map((line) => line.replace(/#.*$/, "").replace(/^\S+=\S+\s+/, "").trim())
      .filter((line) => line.startsWith("npm "))
    expect(npmCommands).toEqual(expect.arrayContaining(["npm install", "npm test", "npm start"]))
    for (const command of npmCommands) {
      const [, verb, name] = command.split(/\s+/)
      if (verb === "install") continue
      const script = verb === "run" ? name! : verb!
      expect(packageJson.scripts[script], command).toBeDefined()
    }
  })

  it("the migration diff imports an entry point the package exports", () => {
    const diff = blocks.find((b) => b.language === "diff")!
    const added = /^\+.*from "dynamodb-auth-adapter(\/[\w-]+)?"/m.exec(diff.code)
    expect(added).not.toBeNull()
    expect(Object.keys(packageJson.exports)).toContain(`.${added![1] ?? ""}`)
  })
})

describe("README errors table", () => {
  it("lists every error code the library can throw, and no other", () => {
    const union = readFileSync(join(root, "src/core/errors.ts"), "utf8")
    const codes = [...union.matchAll(/^\s*\| "([A-Z_]+)"/gm)].map((m) => m[1]!)
    expect(codes.length).toBeGreaterThan(10)
    const section = readme.slice(readme.indexOf("## Errors"), readme.indexOf("\n## ", readme.indexOf("## Errors") + 1))
    const documented = [...section.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]!)
    expect([...documented].sort()).toEqual([...codes].sort())
  })
})
