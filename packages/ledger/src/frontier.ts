// The right edge of a growing tree: the hashes of the complete subtrees that make up a tree of
// size n (one per set bit of n). Enough to append leaves and compute the root in O(log n) memory,
// which is how a sequencer integrates a batch and how an auditor streams a whole log.

import { isIndex } from "./int.ts";
import { emptyRootHash, HASH_SIZE, nodeHash } from "./merkle.ts";
import { completeSubtrees } from "./proof-plan.ts";

interface EdgeNode {
  readonly level: number;
  readonly hash: Uint8Array;
}

export class MerkleFrontier {
  #size: number;
  readonly #edge: EdgeNode[];

  /**
   * RFC 9162 §2.1.1 tree state. `subtreeHashes` are the hashes of the complete subtrees of a tree of
   * `size` leaves, largest (leftmost) first, as completeSubtrees(0, size) lists them.
   */
  constructor(size = 0, subtreeHashes: readonly Uint8Array[] = []) {
    if (!isIndex(size)) throw new RangeError(`tree size must be a non-negative safe integer, got ${String(size)}`);
    const nodes = completeSubtrees(0, size);
    if (nodes.length !== subtreeHashes.length) {
      throw new RangeError(
        `a tree of size ${size} has ${nodes.length} edge subtrees, got ${subtreeHashes.length} hashes`,
      );
    }
    this.#size = size;
    this.#edge = nodes.map((node, i) => {
      const hash = subtreeHashes[i] as Uint8Array;
      if (hash.length !== HASH_SIZE) throw new RangeError("edge hashes must be 32 bytes");
      return { level: node.level, hash };
    });
  }

  get size(): number {
    return this.#size;
  }

  /** Hashes of the complete subtrees on the right edge, largest first. */
  subtreeHashes(): Uint8Array[] {
    return this.#edge.map((node) => node.hash);
  }

  /**
   * RFC 9162 §2.1.1: appends a leaf and returns the hashes that became final: the leaf hash first,
   * then one node per level the new leaf completed — exactly what the stored-hash layout stores
   * for this record (storedHashesForRecord).
   */
  append(leaf: Uint8Array): Uint8Array[] {
    if (leaf.length !== HASH_SIZE) throw new RangeError("leaf hash must be 32 bytes");
    const completed = [leaf];
    let hash = leaf;
    let level = 0;
    for (let top = this.#edge.at(-1); top !== undefined && top.level === level; top = this.#edge.at(-1)) {
      this.#edge.pop();
      hash = nodeHash(top.hash, hash);
      level++;
      completed.push(hash);
    }
    this.#edge.push({ level, hash });
    this.#size++;
    return completed;
  }

  /** RFC 9162 §2.1.1: MTH of the current tree, folding the edge subtrees from the right. */
  root(): Uint8Array {
    const last = this.#edge.at(-1);
    if (last === undefined) return emptyRootHash();
    let hash = last.hash;
    for (let i = this.#edge.length - 2; i >= 0; i--) hash = nodeHash((this.#edge[i] as EdgeNode).hash, hash);
    return hash.slice();
  }
}
