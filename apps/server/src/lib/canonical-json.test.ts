import { describe, expect, it } from "vitest";
import { canonicalJson } from "./canonical-json.ts";

// The form the signatures of envelopes, receipts and ledger entries were made over: any change to
// it would make every signature already kept fail to verify.
function reference(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => reference(v ?? null)).join(",")}]`;
  if (value && typeof value === "object" && !(value instanceof Date)) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${reference(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

describe("canonical JSON", () => {
  it("sorts keys by UTF-16 code units at every depth, drops undefined members and writes no whitespace", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: "x" }, u: undefined })).toBe(
      '{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}',
    );
    // RFC 8785 §3.2.3: code units, so a supplementary character (a surrogate pair) sorts before U+FB01.
    expect(canonicalJson({ "\uFB01": 1, "😀": 2, é: 3, Z: 4, "": 5 })).toBe('{"":5,"Z":4,"é":3,"😀":2,"ﬁ":1}');
    expect(canonicalJson([undefined, null, new Date("2026-11-29T00:00:00Z"), 'a"\n\\'])).toBe(
      '[null,null,"2026-11-29T00:00:00.000Z","a\\"\\n\\\\"]',
    );
  });

  it("gives what the form signed so far gives, value for value", () => {
    const envelope = {
      v: 1,
      id: "5f7c7c1e-2d0c-4a43-9d0e-6c1a8f1b2c3d",
      from: "350100",
      to: "610500",
      type: "case.handover",
      subject: null,
      sentAt: "2026-11-29T08:00:00.000Z",
      tree: undefined,
      body: {
        applicant: { kind: "resident", name: "赵磊", phone: "13859071268" },
        form: { purpose: "employment", members: [{ name: "王芳", age: 34.5 }, {}], note: "\u2028\u0007" },
        materials: [],
      },
    };
    const values: unknown[] = [envelope, [envelope, [envelope]], {}, [], "text", 0, -1.25, true, null, 1e21];
    for (const value of values) expect(canonicalJson(value)).toBe(reference(value));
    // The same key in many objects, and many keys (those a form may carry), each quoted right.
    const wide = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k"${i}\\`, { [`k"${i}\\`]: i }]));
    expect(canonicalJson(wide)).toBe(reference(wide));
  });
});
