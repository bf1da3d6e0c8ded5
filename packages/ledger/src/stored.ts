// Stored hashes: a log keeps every complete node of its tree in one append-only sequence (the
// layout of Go's golang.org/x/mod/sumdb/tlog), so any root or proof costs O(log n) hash reads in a
// single batch, whatever the storage. Storage is injected through HashReader; this file does no I/O.

import { MerkleFrontier } from "./frontier.ts";
import { assertIndex, isIndex, popCount, trailingOnes } from "./int.ts";
import { emptyRootHash, HASH_SIZE, nodeHash } from "./merkle.ts";
import {
  completeSubtrees,
  consistencyProofRanges,
  inclusionProofRanges,
  type LeafRange,
  type SubtreeNode,
} from "./proof-plan.ts";

/**
 * Read access to the stored hashes of a log. `indexes` are stored-hash indexes (storedHashIndex);
 * the answer has one 32-byte hash per index, in the same order. May answer synchronously (memory)
 * or asynchronously (database, HTTP tiles).
 */
export interface HashReader {
  readHashes(indexes: readonly number[]): readonly Uint8Array[] | Promise<readonly Uint8Array[]>;
}

/** Hashes stored before record `n` is appended: 2n − popcount(n), one leaf plus one per completed node. */
function storedBefore(record: number): number {
  return 2 * record - popCount(record);
}

/**
 * Stored-hash layout (RFC 9162 §2.1.1 nodes in append order): the position of the node at `level`
 * covering leaves [n·2^level, (n+1)·2^level). A node is stored right after the leaf that completes it.
 */
export function storedHashIndex(level: number, n: number): number {
  assertIndex("level", level);
  assertIndex("n", n);
  const completingRecord = (n + 1) * 2 ** level - 1;
  const index = storedBefore(completingRecord) + level;
  if (!Number.isSafeInteger(2 * completingRecord)) {
    throw new RangeError("node is beyond the 2^52 leaves numbers can address");
  }
  return index;
}

/** Inverse of storedHashIndex (Go sumdb/tlog SplitStoredHashIndex): which node a stored hash is. */
export function splitStoredHashIndex(index: number): SubtreeNode {
  assertIndex("stored hash index", index);
  // storedBefore grows by 1 + trailingOnes(r) per record, so the record is within a few steps of index/2.
  let record = Math.floor(index / 2);
  while (storedBefore(record) > index) record--;
  while (storedBefore(record + 1) <= index) record++;
  const level = index - storedBefore(record);
  return { level, index: Math.floor(record / 2 ** level) };
}

/** Go sumdb/tlog StoredHashCount: number of stored hashes in a log of `treeSize` records. */
export function storedHashCount(treeSize: number): number {
  assertIndex("tree size", treeSize);
  return storedBefore(treeSize);
}

/**
 * RFC 9162 §2.1.1 applied to storage: the hashes to append when record `n` (0-based) with the given
 * leaf hash joins the log — the leaf hash, then every node it completes. Reads the left siblings.
 */
export async function storedHashesForRecord(n: number, leaf: Uint8Array, reader: HashReader): Promise<Uint8Array[]> {
  assertIndex("record index", n);
  if (leaf.length !== HASH_SIZE) throw new RangeError("leaf hash must be 32 bytes");
  const levels = trailingOnes(n);
  const siblingIndexes: number[] = [];
  for (let level = 0; level < levels; level++) {
    siblingIndexes.push(storedHashIndex(level, Math.floor(n / 2 ** level) - 1));
  }
  const siblings = await readChecked(reader, siblingIndexes);
  const hashes = [leaf];
  let hash = leaf;
  for (const sibling of siblings) {
    hash = nodeHash(sibling, hash);
    hashes.push(hash);
  }
  return hashes;
}

/**
 * RFC 9162 §2.1.1 for a sequencer integrating a batch: the hashes to append, in order, when
 * `leafHashes` join a stored log of `treeSize` records. One read of the log's right edge
 * (≤ log2 n hashes), the rest in memory. The result starts at stored index storedHashCount(treeSize).
 */
export async function storedHashesForBatch(
  reader: HashReader,
  treeSize: number,
  leafHashes: readonly Uint8Array[],
): Promise<Uint8Array[]> {
  const frontier = await frontierFromStore(reader, treeSize);
  const out: Uint8Array[] = [];
  for (const leaf of leafHashes) out.push(...frontier.append(leaf));
  return out;
}

/** RFC 9162 §2.1.1: the right edge of a stored tree, ready to append to (see MerkleFrontier). */
export async function frontierFromStore(reader: HashReader, treeSize: number): Promise<MerkleFrontier> {
  assertIndex("tree size", treeSize);
  const nodes = completeSubtrees(0, treeSize);
  const hashes = await readChecked(
    reader,
    nodes.map((node) => storedHashIndex(node.level, node.index)),
  );
  return new MerkleFrontier(treeSize, hashes);
}

/** RFC 9162 §2.1.1: the root hash of the first `treeSize` records of a stored log. */
export async function treeHashFromStore(reader: HashReader, treeSize: number): Promise<Uint8Array> {
  assertIndex("tree size", treeSize);
  if (treeSize === 0) return emptyRootHash();
  const [root] = await hashRanges(reader, [[0, treeSize]]);
  return (root as Uint8Array).slice();
}

/** RFC 9162 §2.1.3.1: inclusion proof of record `index` in the stored tree of `treeSize` records. */
export async function inclusionProofFromStore(
  reader: HashReader,
  index: number,
  treeSize: number,
): Promise<Uint8Array[]> {
  assertIndex("tree size", treeSize);
  if (!isIndex(index) || index >= treeSize) {
    throw new RangeError(`leaf index ${String(index)} is outside a tree of size ${treeSize}`);
  }
  return hashRanges(reader, inclusionProofRanges(index, treeSize));
}

/** RFC 9162 §2.1.4.1: consistency proof between two sizes of a stored log. */
export async function consistencyProofFromStore(
  reader: HashReader,
  size1: number,
  size2: number,
): Promise<Uint8Array[]> {
  assertIndex("size2", size2);
  if (!isIndex(size1) || size1 > size2) {
    throw new RangeError(`size1 ${String(size1)} must be between 0 and size2 ${size2}`);
  }
  if (size1 === 0 || size1 === size2) return [];
  return hashRanges(reader, consistencyProofRanges(size1, size2));
}

/** MTH of each range from stored complete subtrees, with a single read for all of them. */
async function hashRanges(reader: HashReader, ranges: readonly LeafRange[]): Promise<Uint8Array[]> {
  const plans = ranges.map(([start, end]) => completeSubtrees(start, end));
  const indexes = plans.flatMap((nodes) => nodes.map((node) => storedHashIndex(node.level, node.index)));
  const hashes = await readChecked(reader, indexes);
  const out: Uint8Array[] = [];
  let next = 0;
  for (const nodes of plans) {
    const first = next;
    next += nodes.length;
    let hash = hashes[next - 1] as Uint8Array;
    for (let i = next - 2; i >= first; i--) hash = nodeHash(hashes[i] as Uint8Array, hash);
    out.push(hash.slice());
  }
  return out;
}

async function readChecked(reader: HashReader, indexes: readonly number[]): Promise<readonly Uint8Array[]> {
  if (indexes.length === 0) return [];
  const hashes = await reader.readHashes(indexes);
  if (hashes.length !== indexes.length) {
    throw new Error(`hash reader returned ${hashes.length} hashes for ${indexes.length} indexes`);
  }
  for (const [i, hash] of hashes.entries()) {
    if (!(hash instanceof Uint8Array) || hash.length !== HASH_SIZE) {
      throw new Error(`hash reader returned a malformed hash for stored index ${indexes[i]}`);
    }
  }
  return hashes;
}
