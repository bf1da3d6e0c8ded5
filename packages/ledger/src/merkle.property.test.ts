import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { consistencyProof, inclusionProof, leafHash, rootHash, verifyConsistency, verifyInclusion } from "./merkle.ts";

// Random trees up to 300 leaves cover every shape class: balanced, left-heavy and ragged right edges.
const leavesArbitrary = fc
  .array(fc.uint8Array({ maxLength: 12 }), { minLength: 1, maxLength: 300 })
  .map((entries) => entries.map(leafHash));

const treeWithIndex = leavesArbitrary.chain((leaves) =>
  fc
    .record({
      leaves: fc.constant(leaves),
      treeSize: fc.integer({ min: 1, max: leaves.length }),
    })
    .chain(({ leaves, treeSize }) =>
      fc.record({
        leaves: fc.constant(leaves),
        treeSize: fc.constant(treeSize),
        index: fc.integer({ min: 0, max: treeSize - 1 }),
      }),
    ),
);

const treeWithSizes = leavesArbitrary.chain((leaves) =>
  fc
    .tuple(fc.integer({ min: 0, max: leaves.length }), fc.integer({ min: 0, max: leaves.length }))
    .map(([a, b]) => ({ leaves, size1: Math.min(a, b), size2: Math.max(a, b) })),
);

const flip = (bytes: Uint8Array, bit: number): Uint8Array => {
  const copy = bytes.slice();
  copy[bit >> 3] = (copy[bit >> 3] as number) ^ (1 << (bit & 7));
  return copy;
};

describe("RFC 9162 §2.1.3 inclusion proofs (property)", () => {
  it("every inclusion proof of a random tree verifies", () => {
    fc.assert(
      fc.property(treeWithIndex, ({ leaves, treeSize, index }) => {
        const root = rootHash(leaves.slice(0, treeSize));
        const proof = inclusionProof(leaves, index, treeSize);
        expect(verifyInclusion(leaves[index] as Uint8Array, index, treeSize, proof, root)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("every flipped bit of a proof, leaf or root makes verification fail", () => {
    fc.assert(
      fc.property(treeWithIndex, fc.nat(), fc.nat(255), ({ leaves, treeSize, index }, pick, bit) => {
        const root = rootHash(leaves.slice(0, treeSize));
        const proof = inclusionProof(leaves, index, treeSize);
        const leaf = leaves[index] as Uint8Array;
        // Flip one bit in the target chosen by `pick` among leaf, root and every proof element.
        const target = pick % (proof.length + 2);
        if (target === 0) expect(verifyInclusion(flip(leaf, bit), index, treeSize, proof, root)).toBe(false);
        else if (target === 1) expect(verifyInclusion(leaf, index, treeSize, proof, flip(root, bit))).toBe(false);
        else {
          const broken = proof.map((hash, i) => (i === target - 2 ? flip(hash, bit) : hash));
          expect(verifyInclusion(leaf, index, treeSize, broken, root)).toBe(false);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("every bit of every proof element matters (exhaustive on a 37-leaf tree)", () => {
    const leaves = Array.from({ length: 37 }, (_, i) => leafHash(Uint8Array.of(i)));
    const root = rootHash(leaves);
    for (const index of [0, 17, 32, 36]) {
      const proof = inclusionProof(leaves, index, leaves.length);
      for (let element = 0; element < proof.length; element++) {
        for (let bit = 0; bit < 256; bit++) {
          const broken = proof.map((hash, i) => (i === element ? flip(hash, bit) : hash));
          expect(verifyInclusion(leaves[index] as Uint8Array, index, leaves.length, broken, root)).toBe(false);
        }
      }
    }
  });

  it("a proof never verifies for another index of a tree of distinct leaves", () => {
    // (Only the index is varied: the tree size is bound by the signed checkpoint that carries the
    // root, not by the proof — a proof of leaf 0 has the same shape for every size with equal depth.)
    fc.assert(
      fc.property(treeWithIndex, fc.integer({ min: -5, max: 5 }), ({ leaves: raw, treeSize, index }, delta) => {
        fc.pre(delta !== 0);
        const leaves = raw.map((_, i) => leafHash(Uint8Array.of(i & 0xff, i >> 8)));
        const root = rootHash(leaves.slice(0, treeSize));
        const proof = inclusionProof(leaves, index, treeSize);
        expect(verifyInclusion(leaves[index] as Uint8Array, index + delta, treeSize, proof, root)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

describe("RFC 9162 §2.1.4 consistency proofs (property)", () => {
  it("every consistency proof between two sizes of a random tree verifies", () => {
    fc.assert(
      fc.property(treeWithSizes, ({ leaves, size1, size2 }) => {
        const proof = consistencyProof(leaves, size1, size2);
        const root1 = rootHash(leaves.slice(0, size1));
        const root2 = rootHash(leaves.slice(0, size2));
        expect(verifyConsistency(size1, size2, proof, root1, root2)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("every flipped bit of a proof or either root makes verification fail", () => {
    fc.assert(
      fc.property(treeWithSizes, fc.nat(), fc.nat(255), ({ leaves, size1, size2 }, pick, bit) => {
        fc.pre(size1 > 0 && size1 < size2);
        const proof = consistencyProof(leaves, size1, size2);
        const root1 = rootHash(leaves.slice(0, size1));
        const root2 = rootHash(leaves.slice(0, size2));
        const target = pick % (proof.length + 2);
        if (target === 0) expect(verifyConsistency(size1, size2, proof, flip(root1, bit), root2)).toBe(false);
        else if (target === 1) expect(verifyConsistency(size1, size2, proof, root1, flip(root2, bit))).toBe(false);
        else {
          const broken = proof.map((hash, i) => (i === target - 2 ? flip(hash, bit) : hash));
          expect(verifyConsistency(size1, size2, broken, root1, root2)).toBe(false);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("a rewritten history is caught: changing any old leaf breaks consistency", () => {
    fc.assert(
      fc.property(treeWithSizes, fc.nat(), ({ leaves, size1, size2 }, pick) => {
        fc.pre(size1 > 0 && size1 < size2);
        const rewritten = leaves.slice();
        const changed = pick % size1;
        rewritten[changed] = leafHash(Uint8Array.of(0xde, 0xad, changed & 0xff, changed >> 8));
        const honestRoot1 = rootHash(leaves.slice(0, size1));
        // The log shows a new tree built on a rewritten history and proves it from there.
        const forkedRoot2 = rootHash(rewritten.slice(0, size2));
        const proof = consistencyProof(rewritten, size1, size2);
        expect(verifyConsistency(size1, size2, proof, honestRoot1, forkedRoot2)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
