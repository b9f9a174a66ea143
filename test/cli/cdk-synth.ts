/**
 * Runs the CDK stack `print-iac --format cdk` prints through the real tools:
 * the TypeScript compiler type-checks it against aws-cdk-lib's declarations,
 * and aws-cdk-lib synthesizes it into a CloudFormation template.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import path from "node:path"
import ts from "typescript"

const require = createRequire(import.meta.url)
const PROJECT_ROOT = path.resolve(import.meta.dirname, "../..")

/** A CloudFormation resource as CDK synthesizes it. */
export interface SynthesizedResource {
  Type: string
  DeletionPolicy?: string
  UpdateReplacePolicy?: string
  Properties: Record<string, unknown>
}

// The few members of aws-cdk-lib used here, typed by hand: importing its types
// would make `npm run typecheck` parse the whole library (thousands of files).
interface CdkApp {
  synth(): { getStackByName(name: string): { template: { Resources?: Record<string, SynthesizedResource> } } }
}
interface CdkCore {
  App: new (props: { outdir: string; context: Record<string, unknown> }) => CdkApp
  Stack: new (scope: CdkApp, id: string) => unknown
}
interface CdkCloudFormationInclude {
  CfnInclude: new (scope: unknown, id: string, props: { templateFile: string }) => unknown
}

const STACK_ID = "AuthTableStack"

/**
 * Every synth runs CloudFormation Validate (AWS's offline template schema
 * checker, built into aws-cdk-lib). By default it only prints warnings; these
 * flags make any finding, warning or error, throw from `synth()` with the report.
 */
const STRICT_VALIDATION = {
  "@aws-cdk/core:validateAgainstDefaultRules": true,
  "@aws-cdk/core:strictCfnValidateErrors": true,
  "@aws-cdk/core:appMode": "inmemory",
}
type StackClass = new (scope: CdkApp, id: string) => unknown

/**
 * Type errors in each printed stack, as `tsc --strict` reports them (an empty
 * list for a stack that compiles). The sources are compiled together, as files
 * of this project, so `aws-cdk-lib` and `constructs` resolve to the installed
 * packages and their declarations are read once.
 */
export function cdkTypeErrors(sources: string[]): string[][] {
  const files = new Map(sources.map((source, i) => [path.join(PROJECT_ROOT, "test", `__printed-cdk-stack-${i}.ts`), source]))
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    verbatimModuleSyntax: true,
    types: [],
  }
  const host = ts.createCompilerHost(options)
  const { fileExists, readFile, getSourceFile } = host
  host.fileExists = (file) => files.has(file) || fileExists(file)
  host.readFile = (file) => files.get(file) ?? readFile(file)
  host.getSourceFile = (file, language, ...rest) => {
    const text = files.get(file)
    return text === undefined ? getSourceFile(file, language, ...rest) : ts.createSourceFile(file, text, language)
  }
  // The package root re-exports `aws-cdk-lib/core` plus every AWS service as a
  // namespace; the printed stack takes only core classes from it, and reading
  // the core declarations alone keeps this check at ~3 s instead of ~7 s.
  const coreDeclarations = require.resolve("aws-cdk-lib/core").replace(/\.js$/, ".d.ts")
  host.resolveModuleNameLiterals = (literals, containingFile, _redirected, compilerOptions) =>
    literals.map((literal) =>
      literal.text === "aws-cdk-lib"
        ? { resolvedModule: { resolvedFileName: coreDeclarations, extension: ts.Extension.Dts, isExternalLibraryImport: true } }
        : ts.resolveModuleName(literal.text, containingFile, compilerOptions, host),
    )
  const program = ts.createProgram([...files.keys()], options, host)
  return [...files.keys()].map((file) => {
    const sourceFile = program.getSourceFile(file)
    if (!sourceFile) return [`${file} was not compiled`]
    return [...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile)].map(
      (d) => `${d.start === undefined ? "" : `${sourceFile.getLineAndCharacterOfPosition(d.start).line + 1}: `}${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`,
    )
  })
}

/**
 * Runs the printed stack module (transpiled to CommonJS, its imports served by
 * the installed aws-cdk-lib) inside a CDK `App`, synthesizes it with
 * CloudFormation validation made strict, and returns the template's resources.
 */
export function synthesizeCdkStack(source: string, stackClassName: string): Record<string, SynthesizedResource> {
  const Stack = stackClassOf(source, stackClassName)
  return synthesize((app) => new Stack(app, STACK_ID))
}

/**
 * Reads a CloudFormation template (YAML) the way `cdk migrate` does, with
 * `CfnInclude` and its YAML parser, and synthesizes it with strict validation.
 */
export function synthesizeCloudFormationYaml(yaml: string): Record<string, SynthesizedResource> {
  const { Stack } = require("aws-cdk-lib") as CdkCore
  const { CfnInclude } = require("aws-cdk-lib/cloudformation-include") as CdkCloudFormationInclude
  const dir = mkdtempSync(path.join(tmpdir(), "cfn-include-"))
  try {
    const templateFile = path.join(dir, "template.yaml")
    writeFileSync(templateFile, yaml)
    return synthesize((app) => new CfnInclude(new Stack(app, STACK_ID), "Template", { templateFile }))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function stackClassOf(source: string, stackClassName: string): StackClass {
  const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } })
  const module = { exports: {} as Record<string, unknown> }
  new Function("require", "module", "exports", outputText)(require, module, module.exports)
  const Stack = module.exports[stackClassName] as StackClass | undefined
  if (typeof Stack !== "function") throw new Error(`the printed CDK code exports no class ${stackClassName}`)
  return Stack
}

function synthesize(build: (app: CdkApp) => void): Record<string, SynthesizedResource> {
  const { App } = require("aws-cdk-lib") as CdkCore
  const outdir = mkdtempSync(path.join(tmpdir(), "cdk-out-"))
  try {
    const app = new App({ outdir, context: STRICT_VALIDATION })
    build(app)
    return app.synth().getStackByName(STACK_ID).template.Resources ?? {}
  } finally {
    rmSync(outdir, { recursive: true, force: true })
  }
}
