// RFC 8785 JSON Canonicalization Scheme: the bytes eddsa-jcs-2022 signs. Object members sorted by
// their names' UTF-16 code units (§3.2.3), no whitespace, strings and numbers serialised as
// ECMAScript's JSON.stringify does (§3.2.2.2, §3.2.2.3 — the RFC adopts ES number formatting).

/** RFC 8785 §3: the canonical text of a JSON value. Throws on values JSON cannot hold. */
export function canonicalize(value: unknown): string {
  if (value === null || typeof value === "boolean" || typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") {
    // §3.2.2.3: NaN and the infinities have no JSON form.
    if (!Number.isFinite(value)) throw new TypeError("JCS cannot serialise a non-finite number");
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((item) => canonicalize(item)).join(",")}]`;
  if (typeof value === "object") {
    const names = Object.keys(value as object)
      .filter((name) => (value as Record<string, unknown>)[name] !== undefined)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${names.map((name) => `${JSON.stringify(name)}:${canonicalize((value as Record<string, unknown>)[name])}`).join(",")}}`;
  }
  throw new TypeError(`JCS cannot serialise a ${typeof value}`);
}
