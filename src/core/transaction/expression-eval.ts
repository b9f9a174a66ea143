/**
 * Evaluates the DynamoDB expressions this library writes (key conditions,
 * filters, conditions and update expressions) against an item in memory, so
 * that reads inside a buffered transaction see the transaction's own writes.
 *
 * Only top-level attributes are supported (the library never writes nested
 * paths); anything else is an `INVALID_INPUT` error rather than a guess.
 */
import { DynamoAuthAdapterError } from "../errors.js"
import type { Expression, Item } from "../client/table-client.js"

type Token = { kind: "name" | "value" | "word" | "punct"; text: string }

function tokenize(source: string): Token[] {
  const tokens: Token[] = []
  const pattern = /\s*(?:(#[A-Za-z0-9_]+)|(:[A-Za-z0-9_]+)|([A-Za-z_][A-Za-z0-9_]*)|(<>|<=|>=|[=<>(),+\-]))/y
  let index = 0
  while (index < source.length) {
    if (/^\s*$/.test(source.slice(index))) break
    pattern.lastIndex = index
    const match = pattern.exec(source)
    if (!match) throw unsupported(source)
    index = pattern.lastIndex
    if (match[1]) tokens.push({ kind: "name", text: match[1] })
    else if (match[2]) tokens.push({ kind: "value", text: match[2] })
    else if (match[3]) tokens.push({ kind: "word", text: match[3] })
    else tokens.push({ kind: "punct", text: match[4]! })
  }
  return tokens
}

function unsupported(source: string): DynamoAuthAdapterError {
  return new DynamoAuthAdapterError(
    "INVALID_INPUT",
    `Cannot evaluate the expression "${source}" inside a buffered transaction. Use top-level attributes and the usual comparison functions.`,
  )
}

class Parser {
  private position = 0
  constructor(
    private readonly tokens: Token[],
    private readonly expression: Expression,
  ) {}

  peek(): Token | undefined {
    return this.tokens[this.position]
  }
  next(): Token {
    const token = this.tokens[this.position++]
    if (!token) throw unsupported(this.expression.expression)
    return token
  }
  isWord(word: string): boolean {
    const token = this.peek()
    return token?.kind === "word" && token.text.toUpperCase() === word
  }
  expect(text: string): void {
    const token = this.next()
    if (token.text.toUpperCase() !== text) throw unsupported(this.expression.expression)
  }
  done(): boolean {
    return this.position >= this.tokens.length
  }

  attribute(token: Token): string {
    if (token.kind === "name") {
      const name = this.expression.names?.[token.text]
      if (name === undefined) throw unsupported(this.expression.expression)
      return name
    }
    if (token.kind === "word") return token.text
    throw unsupported(this.expression.expression)
  }

  /** An operand: a path, a value placeholder, or size(path). Returns a getter. */
  operand(): (item: Item) => unknown {
    const token = this.next()
    if (token.kind === "value") {
      if (!this.expression.values || !(token.text in this.expression.values)) throw unsupported(this.expression.expression)
      const value = this.expression.values[token.text]
      return () => value
    }
    if (token.kind === "word" && token.text.toLowerCase() === "size" && this.peek()?.text === "(") {
      this.expect("(")
      const path = this.attribute(this.next())
      this.expect(")")
      return (item) => {
        const v = item[path]
        if (typeof v === "string" || Array.isArray(v)) return v.length
        if (v instanceof Set) return v.size
        return undefined
      }
    }
    const path = this.attribute(token)
    return (item) => item[path]
  }

  condition(): (item: Item) => boolean {
    let left = this.conjunction()
    while (this.isWord("OR")) {
      this.next()
      const l = left
      const r = this.conjunction()
      left = (item) => l(item) || r(item)
    }
    return left
  }

  conjunction(): (item: Item) => boolean {
    let left = this.negation()
    while (this.isWord("AND")) {
      this.next()
      const l = left
      const r = this.negation()
      left = (item) => l(item) && r(item)
    }
    return left
  }

  negation(): (item: Item) => boolean {
    if (this.isWord("NOT")) {
      this.next()
      const inner = this.negation()
      return (item) => !inner(item)
    }
    return this.primary()
  }

  primary(): (item: Item) => boolean {
    const token = this.peek()
    if (token?.text === "(") {
      this.next()
      const inner = this.condition()
      this.expect(")")
      return inner
    }
    if (token?.kind === "word" && this.tokens[this.position + 1]?.text === "(" && token.text.toLowerCase() !== "size") {
      const fn = this.next().text.toLowerCase()
      this.expect("(")
      const path = this.attribute(this.next())
      let argument: ((item: Item) => unknown) | undefined
      if (this.peek()?.text === ",") {
        this.next()
        argument = this.operand()
      }
      this.expect(")")
      switch (fn) {
        case "attribute_exists":
          return (item) => item[path] !== undefined
        case "attribute_not_exists":
          return (item) => item[path] === undefined
        case "begins_with":
          return (item) => {
            const v = item[path]
            const prefix = argument?.(item)
            return typeof v === "string" && typeof prefix === "string" && v.startsWith(prefix)
          }
        case "contains":
          return (item) => {
            const v = item[path]
            const part = argument?.(item)
            if (typeof v === "string") return typeof part === "string" && v.includes(part)
            if (Array.isArray(v)) return v.includes(part)
            if (v instanceof Set) return v.has(part)
            return false
          }
        default:
          throw unsupported(this.expression.expression)
      }
    }
    const left = this.operand()
    if (this.isWord("BETWEEN")) {
      this.next()
      const low = this.operand()
      this.expect("AND")
      const high = this.operand()
      return (item) => compare(left(item), low(item)) >= 0 && compare(left(item), high(item)) <= 0
    }
    if (this.isWord("IN")) {
      this.next()
      this.expect("(")
      const options = [this.operand()]
      while (this.peek()?.text === ",") {
        this.next()
        options.push(this.operand())
      }
      this.expect(")")
      return (item) => options.some((o) => equal(left(item), o(item)))
    }
    const operator = this.next().text
    const right = this.operand()
    switch (operator) {
      case "=":
        return (item) => equal(left(item), right(item))
      case "<>":
        return (item) => !equal(left(item), right(item))
      case "<":
        return (item) => compare(left(item), right(item)) < 0
      case "<=":
        return (item) => compare(left(item), right(item)) <= 0
      case ">":
        return (item) => compare(left(item), right(item)) > 0
      case ">=":
        return (item) => compare(left(item), right(item)) >= 0
      default:
        throw unsupported(this.expression.expression)
    }
  }
}

function equal(a: unknown, b: unknown): boolean {
  if (a === undefined || b === undefined) return false
  return a === b || JSON.stringify(a) === JSON.stringify(b)
}

/** NaN (never true in any comparison) when the two cannot be ordered, as DynamoDB treats mismatched types. */
function compare(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return a - b
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0
  return Number.NaN
}

/** Compiles a condition (or key condition, or filter) expression into a predicate. */
export function compileCondition(expression: Expression): (item: Item) => boolean {
  const parser = new Parser(tokenize(expression.expression), expression)
  const predicate = parser.condition()
  if (!parser.done()) throw unsupported(expression.expression)
  return predicate
}

/** Applies an update expression (SET, REMOVE, ADD, DELETE on top-level attributes) to a copy of the item. */
export function applyUpdate(item: Item | undefined, update: Expression): Item {
  const out: Item = { ...(item ?? {}) }
  const parser = new Parser(tokenize(update.expression), update)
  const clauses = ["SET", "REMOVE", "ADD", "DELETE"]
  const assignments: (() => void)[] = []
  while (!parser.done()) {
    const clause = parser.next().text.toUpperCase()
    if (!clauses.includes(clause)) throw unsupported(update.expression)
    do {
      if (parser.peek()?.text === ",") parser.next()
      const path = parser.attribute(parser.next())
      if (clause === "REMOVE") {
        assignments.push(() => void delete out[path])
      } else if (clause === "SET") {
        parser.expect("=")
        const value = setValue(parser, update)
        // Every right-hand side reads the item as it was before this update.
        const before = { ...out }
        assignments.push(() => {
          out[path] = value(before)
        })
      } else {
        const operand = parser.operand()
        const before = { ...out }
        if (clause === "ADD") {
          assignments.push(() => {
            const delta = operand(before)
            const current = before[path]
            if (typeof delta === "number") out[path] = (typeof current === "number" ? current : 0) + delta
            else if (delta instanceof Set) out[path] = new Set([...(current instanceof Set ? current : []), ...delta])
            else throw unsupported(update.expression)
          })
        } else {
          assignments.push(() => {
            const remove = operand(before)
            const current = before[path]
            if (current instanceof Set && remove instanceof Set) out[path] = new Set([...current].filter((v) => !remove.has(v)))
          })
        }
      }
    } while (parser.peek()?.text === ",")
  }
  for (const assign of assignments) assign()
  return out
}

function setValue(parser: Parser, update: Expression): (item: Item) => unknown {
  const term = (): ((item: Item) => unknown) => {
    const token = parser.peek()
    if (token?.kind === "word" && token.text.toLowerCase() === "if_not_exists") {
      parser.next()
      parser.expect("(")
      const path = parser.attribute(parser.next())
      parser.expect(",")
      const fallback = parser.operand()
      parser.expect(")")
      return (item) => (item[path] !== undefined ? item[path] : fallback(item))
    }
    if (token?.kind === "word" && token.text.toLowerCase() === "list_append") {
      parser.next()
      parser.expect("(")
      const a = parser.operand()
      parser.expect(",")
      const b = parser.operand()
      parser.expect(")")
      return (item) => [...((a(item) as unknown[]) ?? []), ...((b(item) as unknown[]) ?? [])]
    }
    return parser.operand()
  }
  const left = term()
  const operator = parser.peek()?.text
  if (operator === "+" || operator === "-") {
    parser.next()
    const right = term()
    return (item) => {
      const a = left(item)
      const b = right(item)
      if (typeof a !== "number" || typeof b !== "number") throw unsupported(update.expression)
      return operator === "+" ? a + b : a - b
    }
  }
  return left
}
