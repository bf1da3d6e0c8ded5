// An in-memory stored log for tests, benchmarks and small tools: the same stored-hash layout a
// database would keep, in one growable byte array (2n hashes of 32 bytes, no per-hash objects).
import { MerkleFrontier } from "./frontier.ts";
import { assertIndex } from "./int.ts";
import { HASH_SIZE, leafHash } from "./merkle.ts";
import { type HashReader, treeHashFromStore } from "./stored.ts";

export interface MemoryLogOptions {
  /** Keep the entries themselves (needed to serve entry bundles); off by default to save memory. */
  readonly keepEntries?: boolean;
}

export class MemoryLog implements HashReader {
  #storage = new Uint8Array(1024 * HASH_SIZE);
  #storedCount = 0;
  readonly #frontier = new MerkleFrontier();
  readonly #entries: Uint8Array[] | undefined;

  constructor(options: MemoryLogOptions = {}) {
    this.#entries = options.keepEntries === true ? [] : undefined;
  }

  /** Number of records in the log. */
  get size(): number {
    return this.#frontier.size;
  }

  /** Number of stored hashes, always storedHashCount(size). */
  get storedHashCount(): number {
    return this.#storedCount;
  }

  /** RFC 9162 §2.1.1: appends an entry (hashed as a leaf) and returns its index. */
  append(entry: Uint8Array): number {
    const index = this.appendLeafHash(leafHash(entry));
    this.#entries?.push(entry.slice());
    return index;
  }

  /** RFC 9162 §2.1.1: appends a record by its leaf hash and returns its index (its entry is not kept). */
  appendLeafHash(leaf: Uint8Array): number {
    const index = this.#frontier.size;
    for (const hash of this.#frontier.append(leaf)) this.#store(hash);
    return index;
  }

  /** C2SP tlog-tiles "Log entries": the entry at `index`, if this log keeps entries. */
  entry(index: number): Uint8Array | undefined {
    return this.#entries?.[index]?.slice();
  }

  /** RFC 9162 §2.1.1: root hash of the whole log, from the in-memory right edge (no reads). */
  rootHash(): Uint8Array {
    return this.#frontier.root();
  }

  /** RFC 9162 §2.1.1: root hash of the first `treeSize` records. */
  rootHashAt(treeSize: number): Promise<Uint8Array> {
    if (treeSize > this.size) throw new RangeError(`tree size ${treeSize} exceeds log size ${this.size}`);
    return treeHashFromStore(this, treeSize);
  }

  /** Stored-hash layout of Go's sumdb/tlog (see storedHashIndex): the hashes at `indexes`, copied. */
  readHashes(indexes: readonly number[]): Uint8Array[] {
    return indexes.map((index) => {
      assertIndex("stored hash index", index);
      if (index >= this.#storedCount) {
        throw new RangeError(`stored hash ${index} does not exist (log has ${this.#storedCount})`);
      }
      return this.#storage.slice(index * HASH_SIZE, (index + 1) * HASH_SIZE);
    });
  }

  #store(hash: Uint8Array): void {
    const offset = this.#storedCount * HASH_SIZE;
    if (offset + HASH_SIZE > this.#storage.length) {
      const grown = new Uint8Array(this.#storage.length * 2);
      grown.set(this.#storage);
      this.#storage = grown;
    }
    this.#storage.set(hash, offset);
    this.#storedCount++;
  }
}
