/**
 * Collects placeholders for one DynamoDB expression. Every attribute name and
 * value goes through a placeholder (`#n0`, `:v0`): nothing a user supplies is
 * ever interpolated into expression text.
 */
export class ExpressionBuilder {
  readonly names: Record<string, string> = {}
  readonly values: Record<string, unknown> = {}
  private nameCount = 0
  private valueCount = 0
  private readonly nameIndex = new Map<string, string>()

  constructor(private readonly prefix = "") {}

  name(attribute: string): string {
    const existing = this.nameIndex.get(attribute)
    if (existing) return existing
    const placeholder = `#${this.prefix}n${this.nameCount++}`
    this.names[placeholder] = attribute
    this.nameIndex.set(attribute, placeholder)
    return placeholder
  }

  value(value: unknown): string {
    const placeholder = `:${this.prefix}v${this.valueCount++}`
    this.values[placeholder] = value
    return placeholder
  }

  /** The maps to spread into a request; omitted when empty, as DynamoDB rejects empty maps. */
  attributes(): { ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: Record<string, unknown> } {
    return {
      ...(this.nameCount > 0 ? { ExpressionAttributeNames: this.names } : {}),
      ...(this.valueCount > 0 ? { ExpressionAttributeValues: this.values } : {}),
    }
  }
}
