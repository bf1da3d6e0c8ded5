import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fromBase64 } from "./bytes.ts";
import { leafHash, verifyConsistency, verifyInclusion } from "./merkle.ts";

// Real Certificate Transparency data: a signed tree head of 961,984,013 entries, an entry with its
// audit path, and a consistency proof, from Google's Argon 2020 log as kept in golang.org/x/mod's
// sumdb/tlog testdata (see the "source" field). Our verifiers must accept what a production
// RFC 6962 log served, at a size far beyond the toy trees of the other tests.
const data = JSON.parse(readFileSync(new URL("./testdata/argon2020.json", import.meta.url), "utf8")) as {
  sth: { tree_size: number; sha256_root_hash: string };
  entries: { entries: { leaf_input: string }[] };
  proof: { leaf_index: number; audit_path: string[] };
  consistency: { first: number; first_root: string; consistency: string[] };
};
const b64 = (text: string) => fromBase64(text) as Uint8Array;

describe("a production Certificate Transparency log (Argon 2020)", () => {
  const root = b64(data.sth.sha256_root_hash);
  const leaf = leafHash(b64(data.entries.entries[0]?.leaf_input as string));
  const auditPath = data.proof.audit_path.map(b64);
  const consistency = data.consistency.consistency.map(b64);
  const firstRoot = b64(data.consistency.first_root);

  it("verifies entry 10,000's audit path against the signed tree head", () => {
    expect(verifyInclusion(leaf, data.proof.leaf_index, data.sth.tree_size, auditPath, root)).toBe(true);
  });

  it("rejects it at a neighbouring index, at a size of another depth or with a changed entry", () => {
    expect(verifyInclusion(leaf, 10_001, data.sth.tree_size, auditPath, root)).toBe(false);
    expect(verifyInclusion(leaf, 10_000, data.sth.tree_size * 2, auditPath, root)).toBe(false);
    expect(verifyInclusion(leafHash(new Uint8Array(10)), 10_000, data.sth.tree_size, auditPath, root)).toBe(false);
  });

  it("verifies the consistency of the tree at 3,654,490 with the signed tree head", () => {
    expect(verifyConsistency(data.consistency.first, data.sth.tree_size, consistency, firstRoot, root)).toBe(true);
    expect(verifyConsistency(data.consistency.first + 1, data.sth.tree_size, consistency, firstRoot, root)).toBe(false);
    expect(verifyConsistency(data.consistency.first, data.sth.tree_size, consistency.slice(1), firstRoot, root)).toBe(
      false,
    );
  });
});
