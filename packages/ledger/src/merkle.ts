// RFC 9162 §2.1 Merkle Tree hashing, proofs and their verification over in-memory leaf hashes.
// Generators throw RangeError on impossible arguments (a caller bug); verifiers answer false for
// anything that is not a valid proof and never throw, because their input comes from strangers.
import { sha256 } from "#sha256";
import { bytesEqual, concatBytes } from "./bytes.ts";
import { half, isIndex, isOdd, isPowerOfTwo, splitPoint } from "./int.ts";
import { consistencyProofRanges, inclusionProofRanges, type LeafRange } from "./proof-plan.ts";

/** Size in bytes of every hash in the tree (SHA-256). */
export const HASH_SIZE = 32;

const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;

// Reused input buffers: building 0x01‖left‖right in place avoids an allocation per node, which is
// a quarter of the cost of hashing 65 bytes. Safe because hashing is synchronous.
const nodeInput = new Uint8Array(1 + 2 * HASH_SIZE);
nodeInput[0] = NODE_PREFIX;
let leafInput = new Uint8Array(1024);
const MAX_SCRATCH = 64 * 1024;

const EMPTY_ROOT = sha256(new Uint8Array(0));

/** RFC 9162 §2.1.1: the hash of a leaf entry, SHA-256(0x00 ‖ data). */
export function leafHash(data: Uint8Array): Uint8Array {
  // Entries are small; a rare huge one gets its own buffer rather than pinning a huge scratch.
  if (data.length + 1 > MAX_SCRATCH) return sha256(concatBytes(Uint8Array.of(LEAF_PREFIX), data));
  if (leafInput.length < data.length + 1) leafInput = new Uint8Array(Math.max(data.length + 1, leafInput.length * 2));
  leafInput[0] = LEAF_PREFIX;
  leafInput.set(data, 1);
  return sha256(leafInput.subarray(0, data.length + 1));
}

/** RFC 9162 §2.1.1: the hash of an interior node, SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  if (left.length !== HASH_SIZE || right.length !== HASH_SIZE) {
    throw new RangeError(`nodeHash expects two ${HASH_SIZE}-byte hashes`);
  }
  nodeInput.set(left, 1);
  nodeInput.set(right, 1 + HASH_SIZE);
  return sha256(nodeInput);
}

/** RFC 9162 §2.1.1: MTH({}) = SHA-256 of the empty string, the root of an empty log. */
export function emptyRootHash(): Uint8Array {
  return EMPTY_ROOT.slice();
}

/** RFC 9162 §2.1.1: the Merkle Tree Hash (root) of the tree whose leaves have these hashes. */
export function rootHash(leafHashes: readonly Uint8Array[]): Uint8Array {
  if (leafHashes.length === 0) return emptyRootHash();
  return rangeHash(leafHashes, [0, leafHashes.length]).slice();
}

/**
 * RFC 9162 §2.1.3.1: the inclusion proof (audit path) of leaf `index` in the tree formed by the
 * first `treeSize` of `leafHashes`.
 */
export function inclusionProof(leafHashes: readonly Uint8Array[], index: number, treeSize: number): Uint8Array[] {
  checkTreeSize(leafHashes, treeSize);
  if (!isIndex(index) || index >= treeSize) {
    throw new RangeError(`leaf index ${String(index)} is outside a tree of size ${treeSize}`);
  }
  return inclusionProofRanges(index, treeSize).map((range) => rangeHash(leafHashes, range).slice());
}

/**
 * RFC 9162 §2.1.4.1: the consistency proof that the tree of the first `size1` leaves is a prefix of
 * the tree of the first `size2` leaves. Empty when size1 is 0 or equals size2.
 */
export function consistencyProof(leafHashes: readonly Uint8Array[], size1: number, size2: number): Uint8Array[] {
  checkTreeSize(leafHashes, size2);
  if (!isIndex(size1) || size1 > size2) {
    throw new RangeError(`size1 ${String(size1)} must be between 0 and size2 ${size2}`);
  }
  if (size1 === 0 || size1 === size2) return [];
  return consistencyProofRanges(size1, size2).map((range) => rangeHash(leafHashes, range).slice());
}

/**
 * RFC 9162 §2.1.3.2: the root hash an inclusion proof leads to, or undefined if the proof has the
 * wrong length for (index, treeSize) or the arguments are malformed. Never throws.
 */
export function rootFromInclusionProof(
  leaf: Uint8Array,
  index: number,
  treeSize: number,
  proof: readonly Uint8Array[],
): Uint8Array | undefined {
  try {
    if (!isHash(leaf) || !isIndex(index) || !isIndex(treeSize) || index >= treeSize) return undefined;
    if (!Array.isArray(proof) || !proof.every(isHash)) return undefined;
    let fn = index;
    let sn = treeSize - 1;
    let r = leaf;
    for (const p of proof) {
      if (sn === 0) return undefined; // more proof than tree: trailing data
      if (isOdd(fn) || fn === sn) {
        r = nodeHash(p, r);
        // Skip the levels where this node has no right sibling (the right edge of an unbalanced tree).
        if (!isOdd(fn)) {
          while (!isOdd(fn) && fn !== 0) {
            fn = half(fn);
            sn = half(sn);
          }
        }
      } else {
        r = nodeHash(r, p);
      }
      fn = half(fn);
      sn = half(sn);
    }
    return sn === 0 ? r : undefined;
  } catch {
    return undefined;
  }
}

/**
 * RFC 9162 §2.1.3.2: true only if `proof` proves that `leaf` is the leaf hash at `index` in the tree
 * of `treeSize` leaves whose root is `root`. False for any malformed or wrong input; never throws.
 */
export function verifyInclusion(
  leaf: Uint8Array,
  index: number,
  treeSize: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  try {
    if (!isHash(root)) return false;
    const computed = rootFromInclusionProof(leaf, index, treeSize, proof);
    return computed !== undefined && bytesEqual(computed, root);
  } catch {
    return false;
  }
}

/**
 * RFC 9162 §2.1.4.2: true only if `proof` proves that the tree of `size1` leaves with root `root1`
 * is a prefix of the tree of `size2` leaves with root `root2`. Never throws.
 *
 * Equal sizes need an empty proof and equal roots. A size1 of 0 needs an empty proof and `root1`
 * equal to the empty-tree hash: stricter than some implementations, which accept any root1 there,
 * because a "tree of size 0" with another root does not exist and accepting it hides a bug.
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): boolean {
  try {
    if (!isIndex(size1) || !isIndex(size2) || size1 > size2) return false;
    if (!isHash(root1) || !isHash(root2) || !Array.isArray(proof) || !proof.every(isHash)) return false;
    if (size1 === 0) {
      return proof.length === 0 && bytesEqual(root1, EMPTY_ROOT) && (size2 > 0 || bytesEqual(root2, EMPTY_ROOT));
    }
    if (size1 === size2) return proof.length === 0 && bytesEqual(root1, root2);
    if (proof.length === 0) return false;

    // When size1 is a power of two the old tree is a complete subtree of the new one, its hash is
    // root1 itself, and the RFC omits it from the proof; put it back to run one algorithm.
    const path = isPowerOfTwo(size1) ? [root1, ...proof] : proof;
    let fn = size1 - 1;
    let sn = size2 - 1;
    while (isOdd(fn)) {
      fn = half(fn);
      sn = half(sn);
    }
    const first = path[0] as Uint8Array;
    let fr = first;
    let sr = first;
    for (let i = 1; i < path.length; i++) {
      const c = path[i] as Uint8Array;
      if (sn === 0) return false; // trailing data
      if (isOdd(fn) || fn === sn) {
        fr = nodeHash(c, fr);
        sr = nodeHash(c, sr);
        if (!isOdd(fn)) {
          while (!isOdd(fn) && fn !== 0) {
            fn = half(fn);
            sn = half(sn);
          }
        }
      } else {
        sr = nodeHash(sr, c);
      }
      fn = half(fn);
      sn = half(sn);
    }
    return sn === 0 && bytesEqual(fr, root1) && bytesEqual(sr, root2);
  } catch {
    return false;
  }
}

function isHash(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.length === HASH_SIZE;
}

function checkTreeSize(leafHashes: readonly Uint8Array[], treeSize: number): void {
  if (!isIndex(treeSize) || treeSize > leafHashes.length) {
    throw new RangeError(`tree size ${String(treeSize)} exceeds the ${leafHashes.length} leaf hashes given`);
  }
}

/** MTH(D[start:end]) by RFC 9162 §2.1.1's recursive split. May return an element of leafHashes. */
function rangeHash(leafHashes: readonly Uint8Array[], [start, end]: LeafRange): Uint8Array {
  if (end - start === 1) {
    const leaf = leafHashes[start];
    if (leaf === undefined || leaf.length !== HASH_SIZE) {
      throw new RangeError(`leaf hash ${start} is not ${HASH_SIZE} bytes`);
    }
    return leaf;
  }
  const k = splitPoint(end - start);
  return nodeHash(rangeHash(leafHashes, [start, start + k]), rangeHash(leafHashes, [start + k, end]));
}
