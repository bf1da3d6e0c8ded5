import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bytesEqual } from "./bytes.ts";
import { MerkleFrontier } from "./frontier.ts";
import { MemoryLog } from "./memory-log.ts";
import { consistencyProof, emptyRootHash, inclusionProof, leafHash, rootHash } from "./merkle.ts";
import {
  consistencyProofFromStore,
  frontierFromStore,
  type HashReader,
  inclusionProofFromStore,
  splitStoredHashIndex,
  storedHashCount,
  storedHashesForBatch,
  storedHashesForRecord,
  storedHashIndex,
  treeHashFromStore,
} from "./stored.ts";

const sameHashes = (a: readonly Uint8Array[], b: readonly Uint8Array[]) =>
  a.length === b.length && a.every((hash, i) => bytesEqual(hash, b[i] as Uint8Array));

const entry = (i: number) => new TextEncoder().encode(`entry ${i}`);

function buildLog(size: number): { log: MemoryLog; leaves: Uint8Array[] } {
  const log = new MemoryLog();
  const leaves: Uint8Array[] = [];
  for (let i = 0; i < size; i++) {
    leaves.push(leafHash(entry(i)));
    log.append(entry(i));
  }
  return { log, leaves };
}

/** A reader that counts reads, to check the O(log n), single-batch promise. */
function countingReader(inner: HashReader): HashReader & { batches: number; hashes: number } {
  const counter = {
    batches: 0,
    hashes: 0,
    async readHashes(indexes: readonly number[]) {
      counter.batches++;
      counter.hashes += indexes.length;
      return inner.readHashes(indexes);
    },
  };
  return counter;
}

describe("stored-hash index arithmetic", () => {
  it("lays out the first nodes in append order", () => {
    // leaf 0, leaf 1, node(1,0), leaf 2, leaf 3, node(1,1), node(2,0), leaf 4 …
    expect([
      storedHashIndex(0, 0),
      storedHashIndex(0, 1),
      storedHashIndex(1, 0),
      storedHashIndex(0, 2),
      storedHashIndex(0, 3),
      storedHashIndex(1, 1),
      storedHashIndex(2, 0),
      storedHashIndex(0, 4),
    ]).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it("is a bijection with splitStoredHashIndex over the first 100,000 indexes", () => {
    const broken: number[] = [];
    for (let index = 0; index < 100_000; index++) {
      const { level, index: n } = splitStoredHashIndex(index);
      if (storedHashIndex(level, n) !== index) broken.push(index);
    }
    expect(broken).toEqual([]);
  });

  it("round-trips far beyond 32-bit sizes", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 50 }), fc.double({ min: 0, max: 1, noNaN: true }), (level, fraction) => {
        // Any node of a tree of up to 2^51 leaves (storage indexes stay below 2^53).
        const n = Math.floor(fraction * (2 ** (51 - level) - 1));
        const index = storedHashIndex(level, n);
        expect(splitStoredHashIndex(index)).toEqual({ level, index: n });
      }),
    );
  });

  it("counts 2n − popcount(n) stored hashes", () => {
    expect([0, 1, 2, 3, 4, 5, 7, 8].map(storedHashCount)).toEqual([0, 1, 3, 4, 7, 8, 11, 15]);
    expect(storedHashCount(2 ** 52 + 1)).toBe(2 ** 53);
  });
});

describe("appending to a stored log", () => {
  it("stores exactly what storedHashesForRecord says, record by record", async () => {
    const log = new MemoryLog();
    for (let i = 0; i < 300; i++) {
      const leaf = leafHash(entry(i));
      const expected = await storedHashesForRecord(i, leaf, log);
      const before = log.storedHashCount;
      log.appendLeafHash(leaf);
      expect(log.storedHashCount).toBe(storedHashCount(i + 1));
      expect(log.readHashes(expected.map((_, k) => before + k))).toEqual(expected);
    }
  });

  it("integrates a batch with one read of the right edge", async () => {
    const { log } = buildLog(1000);
    const batch = Array.from({ length: 77 }, (_, i) => leafHash(entry(1000 + i)));
    const reader = countingReader(log);
    const hashes = await storedHashesForBatch(reader, 1000, batch);
    expect(reader.batches).toBe(1);
    expect(reader.hashes).toBeLessThanOrEqual(10);

    const { log: reference } = buildLog(1077);
    expect(hashes).toEqual(reference.readHashes(hashes.map((_, k) => storedHashCount(1000) + k)));
  });

  it("rebuilds the right edge from storage", async () => {
    const { log, leaves } = buildLog(123);
    const frontier = await frontierFromStore(log, 123);
    expect(frontier.root()).toEqual(rootHash(leaves));
    const fresh = new MerkleFrontier();
    for (const leaf of leaves) fresh.append(leaf);
    expect(frontier.subtreeHashes()).toEqual(fresh.subtreeHashes());
  });
});

describe("proofs from stored hashes equal in-memory proofs", () => {
  const { log, leaves } = buildLog(70);

  it("gives the same root for every size 0…70", async () => {
    for (let size = 0; size <= 70; size++) {
      expect(await treeHashFromStore(log, size)).toEqual(rootHash(leaves.slice(0, size)));
    }
    expect(await treeHashFromStore(log, 0)).toEqual(emptyRootHash());
    expect(log.rootHash()).toEqual(rootHash(leaves));
  });

  it("gives the same inclusion proof for every index of every size up to 70", async () => {
    const differing: string[] = [];
    for (let size = 1; size <= 70; size++) {
      for (let index = 0; index < size; index++) {
        const stored = await inclusionProofFromStore(log, index, size);
        if (!sameHashes(stored, inclusionProof(leaves, index, size))) differing.push(`${index}@${size}`);
      }
    }
    expect(differing).toEqual([]);
  });

  it("gives the same consistency proof for every pair of sizes up to 70", async () => {
    const differing: string[] = [];
    for (let size2 = 0; size2 <= 70; size2++) {
      for (let size1 = 0; size1 <= size2; size1++) {
        const stored = await consistencyProofFromStore(log, size1, size2);
        if (!sameHashes(stored, consistencyProof(leaves, size1, size2))) differing.push(`${size1}→${size2}`);
      }
    }
    expect(differing).toEqual([]);
  });

  it("agrees on random positions of a 5,000-entry log, in one batch of O(log n) reads", async () => {
    const big = buildLog(5000);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 5000 }), fc.nat(), fc.nat(), async (size2, a, b) => {
        const index = a % size2;
        const size1 = b % (size2 + 1);
        const reader = countingReader(big.log);
        const proof = await inclusionProofFromStore(reader, index, size2);
        expect(reader.batches).toBe(size2 > 1 ? 1 : 0);
        expect(reader.hashes).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(size2 + 1)) + 1);
        expect(proof).toEqual(inclusionProof(big.leaves, index, size2));
        expect(await consistencyProofFromStore(big.log, size1, size2)).toEqual(
          consistencyProof(big.leaves, size1, size2),
        );
      }),
      { numRuns: 200 },
    );
  });

  it("rejects positions outside the tree", async () => {
    await expect(inclusionProofFromStore(log, 70, 70)).rejects.toThrow(RangeError);
    await expect(consistencyProofFromStore(log, 71, 70)).rejects.toThrow(RangeError);
    await expect(treeHashFromStore(log, 71)).rejects.toThrow(RangeError);
  });

  it("refuses a reader that answers with the wrong number of hashes", async () => {
    const liar: HashReader = { readHashes: (indexes) => indexes.slice(1).map(() => new Uint8Array(32)) };
    await expect(treeHashFromStore(liar, 7)).rejects.toThrow(/returned 2 hashes for 3 indexes/);
  });
});

describe("MemoryLog", () => {
  it("keeps entries when asked", () => {
    const log = new MemoryLog({ keepEntries: true });
    log.append(entry(0));
    expect(log.entry(0)).toEqual(entry(0));
    expect(new MemoryLog().entry(0)).toBeUndefined();
  });

  it("computes historical roots", async () => {
    const { log, leaves } = buildLog(20);
    expect(await log.rootHashAt(13)).toEqual(rootHash(leaves.slice(0, 13)));
  });
});
