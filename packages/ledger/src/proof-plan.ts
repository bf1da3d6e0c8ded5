// Which subtrees a proof consists of, independent of where the hashes come from. The same plans
// serve proofs over an in-memory list of leaf hashes (merkle.ts) and over stored hashes (stored.ts),
// which is why stored proofs are byte-for-byte equal to in-memory ones.
import { splitPoint } from "./int.ts";

/** A half-open range [start, end) of leaf indexes whose Merkle Tree Hash is one proof element. */
export type LeafRange = readonly [start: number, end: number];

/** A complete (perfect) subtree: the node at `level` whose leaves are [index·2^level, (index+1)·2^level). */
export interface SubtreeNode {
  readonly level: number;
  readonly index: number;
}

/**
 * RFC 9162 §2.1.3.1 PATH(m, D[n]) unrolled: the ranges whose hashes form the inclusion proof of
 * leaf `index` in a tree of `treeSize` leaves, ordered from the leaf's sibling up to the root's child.
 */
export function inclusionProofRanges(index: number, treeSize: number): LeafRange[] {
  const ranges: LeafRange[] = [];
  let start = 0;
  let end = treeSize;
  while (end - start > 1) {
    const k = splitPoint(end - start);
    if (index < start + k) {
      ranges.push([start + k, end]);
      end = start + k;
    } else {
      ranges.push([start, start + k]);
      start += k;
    }
  }
  return ranges.reverse();
}

/**
 * RFC 9162 §2.1.4.1 SUBPROOF(m, D[n], b) unrolled for 0 < size1 < size2: the ranges whose hashes
 * form the consistency proof, deepest first as the RFC's concatenation order requires.
 */
export function consistencyProofRanges(size1: number, size2: number): LeafRange[] {
  const ranges: LeafRange[] = [];
  let start = 0;
  let end = size2;
  let oldSize = size1;
  // b in the RFC: true while the old tree is still the left edge of the current subtree, in which
  // case the verifier already knows its hash (it is the old root or a prefix of it).
  let onOldEdge = true;
  while (oldSize !== end - start) {
    const k = splitPoint(end - start);
    if (oldSize <= k) {
      ranges.push([start + k, end]);
      end = start + k;
    } else {
      ranges.push([start, start + k]);
      start += k;
      oldSize -= k;
      onOldEdge = false;
    }
  }
  if (!onOldEdge) ranges.push([start, end]);
  return ranges.reverse();
}

/**
 * RFC 9162 §2.1.1 tree shape: the maximal aligned complete subtrees covering [start, end), left to right. For the ranges that
 * occur in RFC 9162 trees (start aligned to a power of two ≥ end − start) they shrink left to right,
 * and hashing them together from the right yields MTH(D[start:end]).
 */
export function completeSubtrees(start: number, end: number): SubtreeNode[] {
  const nodes: SubtreeNode[] = [];
  while (start < end) {
    let width = 1;
    let level = 0;
    while (start % (width * 2) === 0 && start + width * 2 <= end) {
      width *= 2;
      level++;
    }
    nodes.push({ level, index: start / width });
    start += width;
  }
  return nodes;
}
