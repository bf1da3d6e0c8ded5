import { describe, expect, it } from "vitest";
import { fromHex, toHex, utf8Encode } from "./bytes.ts";
import {
  consistencyProof,
  emptyRootHash,
  inclusionProof,
  leafHash,
  nodeHash,
  rootFromInclusionProof,
  rootHash,
  verifyConsistency,
  verifyInclusion,
} from "./merkle.ts";

// RFC 6962 reference vectors, as published in github.com/transparency-dev/merkle
// (testonly/constants.go and proof/verify_test.go; they descend from the vectors of
// certificate-transparency's merkle_tree_test). Test data, used verbatim.
const h = (hex: string): Uint8Array => {
  const bytes = fromHex(hex);
  if (bytes === undefined) throw new Error(`bad hex ${hex}`);
  return bytes;
};
const LEAF_INPUTS = [
  "",
  "00",
  "10",
  "2021",
  "3031",
  "40414243",
  "5051525354555657",
  "606162636465666768696a6b6c6d6e6f",
].map(h);
const LEAF_HASHES = [
  "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
  "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
  "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
  "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
  "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
  "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
  "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
  "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
];
const LEVEL1 = [
  "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
  "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
  "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
  "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
];
const LEVEL2 = [
  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
];
const EMPTY_ROOT = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
/** ROOTS[n] is the root of the tree of the first n leaves. */
const ROOTS = [
  EMPTY_ROOT,
  "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
  "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
  "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
  "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
  "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
  "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];
// verify_test.go numbers leaves from 1; these indexes are 0-based (its leaf − 1).
const INCLUSION_VECTORS: { index: number; treeSize: number; proof: string[] }[] = [
  { index: 0, treeSize: 1, proof: [] },
  { index: 0, treeSize: 8, proof: [LEAF_HASHES[1], LEVEL1[1], LEVEL2[1]] as string[] },
  { index: 5, treeSize: 8, proof: [LEAF_HASHES[4], LEVEL1[3], LEVEL2[0]] as string[] },
  { index: 2, treeSize: 3, proof: [LEVEL1[0]] as string[] },
  { index: 1, treeSize: 5, proof: [LEAF_HASHES[0], LEVEL1[1], LEAF_HASHES[4]] as string[] },
];
const CONSISTENCY_VECTORS: { size1: number; size2: number; proof: string[] }[] = [
  { size1: 1, size2: 1, proof: [] },
  { size1: 1, size2: 8, proof: [LEAF_HASHES[1], LEVEL1[1], LEVEL2[1]] as string[] },
  { size1: 6, size2: 8, proof: [LEVEL1[2], LEVEL1[3], LEVEL2[0]] as string[] },
  { size1: 2, size2: 5, proof: [LEVEL1[1], LEAF_HASHES[4]] as string[] },
  { size1: 6, size2: 7, proof: [LEVEL1[2], LEAF_HASHES[6], LEVEL2[0]] as string[] },
];
const SOME_HASH = h("abacaba000000000000000000000000000000000000000000060061e00123456");

const leaves = LEAF_INPUTS.map(leafHash);
const root = (size: number) => h(ROOTS[size] as string);
const flipBit = (proof: Uint8Array[], element: number, mask: number) =>
  proof.map((hash, i) => (i === element ? hash.map((byte, j) => (j === 0 ? byte ^ mask : byte)) : hash));

describe("RFC 9162 §2.1.1 hashing", () => {
  it("hashes the reference leaves", () => {
    expect(leaves.map(toHex)).toEqual(LEAF_HASHES);
  });

  it("hashes the reference interior nodes", () => {
    const level1 = [0, 2, 4, 6].map((i) => nodeHash(leaves[i] as Uint8Array, leaves[i + 1] as Uint8Array));
    expect(level1.map(toHex)).toEqual(LEVEL1);
    expect(toHex(nodeHash(level1[0] as Uint8Array, level1[1] as Uint8Array))).toBe(LEVEL2[0]);
  });

  it("gives the reference root for every size 0…8", () => {
    for (let size = 0; size <= 8; size++)
      expect(toHex(rootHash(leaves.slice(0, size))), `size ${size}`).toBe(ROOTS[size]);
  });

  it("gives SHA-256 of the empty string for the empty tree", () => {
    expect(toHex(emptyRootHash())).toBe(EMPTY_ROOT);
    expect(toHex(rootHash([]))).toBe(EMPTY_ROOT);
  });

  it("separates leaves from nodes (second-preimage resistance)", () => {
    const left = leaves[0] as Uint8Array;
    const right = leaves[1] as Uint8Array;
    const concatenated = new Uint8Array([...left, ...right]);
    expect(toHex(leafHash(concatenated))).not.toBe(toHex(nodeHash(left, right)));
  });

  it("rejects node inputs that are not 32-byte hashes", () => {
    expect(() => nodeHash(new Uint8Array(31), leaves[0] as Uint8Array)).toThrow(RangeError);
  });
});

describe("RFC 9162 §2.1.3 inclusion proofs: reference vectors", () => {
  it.each(INCLUSION_VECTORS)(
    "generates and verifies leaf $index in a tree of $treeSize",
    ({ index, treeSize, proof }) => {
      const generated = inclusionProof(leaves, index, treeSize);
      expect(generated.map(toHex)).toEqual(proof);
      expect(verifyInclusion(leaves[index] as Uint8Array, index, treeSize, proof.map(h), root(treeSize))).toBe(true);
      expect(rootFromInclusionProof(leaves[index] as Uint8Array, index, treeSize, proof.map(h))).toEqual(
        root(treeSize),
      );
    },
  );

  // The probes of transparency-dev/merkle's corruptInclusionProof: each must fail.
  it.each(INCLUSION_VECTORS.filter((vector) => vector.treeSize > 1))(
    "rejects every corruption of leaf $index in a tree of $treeSize",
    ({ index, treeSize, proof: hexProof }) => {
      const proof = hexProof.map(h);
      const leaf = leaves[index] as Uint8Array;
      const good = root(treeSize);
      const probes: [string, Uint8Array, number, number, Uint8Array[], Uint8Array][] = [
        ["index − 1", leaf, index - 1, treeSize, proof, good],
        ["index + 1", leaf, index + 1, treeSize, proof, good],
        ["index ^ 2", leaf, index ^ 2, treeSize, proof, good],
        ["size × 2", leaf, index, treeSize * 2, proof, good],
        ["size / 2", leaf, index, Math.floor(treeSize / 2), proof, good],
        ["wrong leaf", utf8Encode("WrongLeaf"), index, treeSize, proof, good],
        ["wrong leaf hash", leafHash(utf8Encode("WrongLeaf")), index, treeSize, proof, good],
        ["empty root", leaf, index, treeSize, proof, emptyRootHash()],
        ["random root", leaf, index, treeSize, proof, SOME_HASH],
        ["trailing garbage", leaf, index, treeSize, [...proof, new Uint8Array(0)], good],
        ["trailing root", leaf, index, treeSize, [...proof, good], good],
        ["preceding garbage", leaf, index, treeSize, [new Uint8Array(0), ...proof], good],
        ["preceding root", leaf, index, treeSize, [good, ...proof], good],
        ["removed component", leaf, index, treeSize, proof.slice(0, -1), good],
        ["inserted component", leaf, index, treeSize, [proof[0] as Uint8Array, SOME_HASH, ...proof.slice(1)], good],
        ...proof.map((_, i): [string, Uint8Array, number, number, Uint8Array[], Uint8Array] => [
          `proof[${i}] bit 3 flipped`,
          leaf,
          index,
          treeSize,
          flipBit(proof, i, 8),
          good,
        ]),
      ];
      for (const [name, probeLeaf, probeIndex, probeSize, probeProof, probeRoot] of probes) {
        expect(verifyInclusion(probeLeaf, probeIndex, probeSize, probeProof, probeRoot), name).toBe(false);
      }
    },
  );

  it("handles the single-entry tree", () => {
    const hash = leafHash(utf8Encode("data"));
    expect(verifyInclusion(hash, 0, 1, [], hash)).toBe(true);
    expect(verifyInclusion(hash, 0, 1, [], new Uint8Array(0))).toBe(false);
    expect(verifyInclusion(new Uint8Array(0), 0, 1, [], hash)).toBe(false);
  });

  it.each([
    [0, 0],
    [0, 1],
    [1, 0],
    [2, 1],
  ])("rejects index %i in a tree of %i with an empty proof and a foreign root", (index, size) => {
    expect(verifyInclusion(SOME_HASH, index, size, [], emptyRootHash())).toBe(false);
    expect(verifyInclusion(SOME_HASH, index, size, [], new Uint8Array(0))).toBe(false);
  });

  it("answers false instead of throwing on nonsense arguments", () => {
    const leaf = leaves[0] as Uint8Array;
    const nonsense: unknown[][] = [
      [leaf, -1, 8, [], root(8)],
      [leaf, 0.5, 8, [], root(8)],
      [leaf, Number.NaN, 8, [], root(8)],
      [leaf, 0, 2 ** 60, [], root(8)],
      [leaf, 0, 8, null, root(8)],
      [leaf, 0, 8, [null], root(8)],
      [leaf, 0, 8, "proof", root(8)],
      [null, 0, 8, [], root(8)],
      ["leaf", 0, 8, [], root(8)],
      [leaf, 0, 8, [], undefined],
    ];
    for (const args of nonsense) {
      expect(() => (verifyInclusion as (...a: unknown[]) => boolean)(...args)).not.toThrow();
      expect((verifyInclusion as (...a: unknown[]) => boolean)(...args)).toBe(false);
    }
  });

  it("throws on impossible generator arguments", () => {
    expect(() => inclusionProof(leaves, 8, 8)).toThrow(RangeError);
    expect(() => inclusionProof(leaves, 0, 9)).toThrow(RangeError);
    expect(() => inclusionProof(leaves, -1, 8)).toThrow(RangeError);
  });
});

describe("RFC 9162 §2.1.4 consistency proofs: reference vectors", () => {
  it.each(CONSISTENCY_VECTORS)("generates and verifies $size1 → $size2", ({ size1, size2, proof }) => {
    expect(consistencyProof(leaves, size1, size2).map(toHex)).toEqual(proof);
    expect(verifyConsistency(size1, size2, proof.map(h), root(size1), root(size2))).toBe(true);
  });

  // The probes of transparency-dev/merkle's corruptConsistencyProof: each must fail.
  it.each(CONSISTENCY_VECTORS.filter((vector) => vector.proof.length > 0))(
    "rejects every corruption of $size1 → $size2",
    ({ size1, size2, proof: hexProof }) => {
      const proof = hexProof.map(h);
      const root1 = root(size1);
      const root2 = root(size2);
      const wrongRoot = utf8Encode("WrongRoot");
      const probes: [string, number, number, Uint8Array[], Uint8Array, Uint8Array][] = [
        ["size1 − 1", size1 - 1, size2, proof, root1, root2],
        ["size1 + 1", size1 + 1, size2, proof, root1, root2],
        ["size1 ^ 2", size1 ^ 2, size2, proof, root1, root2],
        ["size2 × 2", size1, size2 * 2, proof, root1, root2],
        ["size2 / 2", size1, Math.floor(size2 / 2), proof, root1, root2],
        ["wrong root1", size1, size2, proof, wrongRoot, root2],
        ["wrong root2", size1, size2, proof, root1, wrongRoot],
        ["other root1", size1, size2, proof, SOME_HASH, root2],
        ["other root2", size1, size2, proof, root1, SOME_HASH],
        ["swapped roots", size1, size2, proof, root2, root1],
        ["empty proof", size1, size2, [], root1, root2],
        ["trailing garbage", size1, size2, [...proof, new Uint8Array(0)], root1, root2],
        ["trailing root1", size1, size2, [...proof, root1], root1, root2],
        ["trailing root2", size1, size2, [...proof, root2], root1, root2],
        ["preceding garbage", size1, size2, [new Uint8Array(0), ...proof], root1, root2],
        ["preceding root1", size1, size2, [root1, ...proof], root1, root2],
        ["preceding root2", size1, size2, [root2, ...proof], root1, root2],
        ["preceding proof[0]", size1, size2, [proof[0] as Uint8Array, ...proof], root1, root2],
        ["truncated proof", size1, size2, proof.slice(0, -1), root1, root2],
        ...proof.map((_, i): [string, number, number, Uint8Array[], Uint8Array, Uint8Array] => [
          `proof[${i}] bit 4 flipped`,
          size1,
          size2,
          flipBit(proof, i, 16),
          root1,
          root2,
        ]),
      ];
      for (const [name, s1, s2, probeProof, r1, r2] of probes) {
        expect(verifyConsistency(s1, s2, probeProof, r1, r2), name).toBe(false);
      }
    },
  );

  it("follows the reference table for trivial sizes", () => {
    const empty = emptyRootHash();
    const [a, b] = [root(1), root(2)];
    // Sizes that are always consistent.
    expect(verifyConsistency(0, 0, [], empty, empty)).toBe(true);
    expect(verifyConsistency(0, 1, [], empty, a)).toBe(true);
    expect(verifyConsistency(1, 1, [], a, a)).toBe(true);
    // Time travel to the past.
    expect(verifyConsistency(1, 0, [], a, empty)).toBe(false);
    expect(verifyConsistency(2, 1, [], b, a)).toBe(false);
    // Empty proof between different sizes.
    expect(verifyConsistency(1, 2, [], a, b)).toBe(false);
    // Roots that don't match.
    expect(verifyConsistency(0, 0, [], empty, a)).toBe(false);
    expect(verifyConsistency(1, 1, [], a, b)).toBe(false);
    // Roots match but the proof is not empty.
    expect(verifyConsistency(0, 0, [empty], empty, empty)).toBe(false);
    expect(verifyConsistency(0, 1, [empty], empty, a)).toBe(false);
    expect(verifyConsistency(1, 1, [empty], a, a)).toBe(false);
  });

  it("is stricter than the reference about size 0: root1 must be the empty-tree hash", () => {
    // transparency-dev accepts any root1 here ("don't care"); a size-0 tree has exactly one root.
    expect(verifyConsistency(0, 1, [], SOME_HASH, root(1))).toBe(false);
  });

  it("answers false instead of throwing on nonsense arguments", () => {
    const nonsense: unknown[][] = [
      [-1, 8, [], root(1), root(8)],
      [1, 8.5, [], root(1), root(8)],
      [1, 8, undefined, root(1), root(8)],
      [1, 8, [42], root(1), root(8)],
      [1, 8, [], "root", root(8)],
      [1, Number.POSITIVE_INFINITY, [], root(1), root(8)],
    ];
    for (const args of nonsense) {
      expect((verifyConsistency as (...a: unknown[]) => boolean)(...args)).toBe(false);
    }
  });

  it("throws on impossible generator arguments", () => {
    expect(() => consistencyProof(leaves, 5, 4)).toThrow(RangeError);
    expect(() => consistencyProof(leaves, 1, 9)).toThrow(RangeError);
    expect(consistencyProof(leaves, 0, 8)).toEqual([]);
    expect(consistencyProof(leaves, 8, 8)).toEqual([]);
  });
});

describe("leafHash on large entries", () => {
  it("hashes entries larger than its scratch buffer correctly", async () => {
    const { createHash } = await import("node:crypto");
    const big = new Uint8Array(200_000).map((_, i) => i & 0xff);
    const expected = createHash("sha256").update(Uint8Array.of(0)).update(big).digest("hex");
    expect(toHex(leafHash(big))).toBe(expected);
    expect(toHex(leafHash(big.subarray(0, 5000)))).toBe(
      createHash("sha256").update(Uint8Array.of(0)).update(big.subarray(0, 5000)).digest("hex"),
    );
  });
});
