/**
 * Canonical JSON in the manner of RFC 8785 for the values we sign and hash: object keys sorted by
 * UTF-16 code units, no whitespace, undefined members dropped. (Our values hold no floats that
 * would need the RFC's number formatting beyond what JSON.stringify gives for integers and decimals.)
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(",")}]`;
  if (value && typeof value === "object" && !(value instanceof Date)) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
