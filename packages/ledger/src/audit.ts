// Whole-log audit from C2SP tlog-tiles: recompute the tree from the level-0 tiles (and, if asked,
// from the entries themselves), check every higher tile against the nodes that recomputation
// produced, and report the root, to be compared with a signed checkpoint. Streams the log tile by
// tile with O(n/256) memory; the I/O is whatever the caller's fetch functions do.
import { bytesEqual, toHex } from "./bytes.ts";
import { MerkleFrontier } from "./frontier.ts";
import { assertIndex } from "./int.ts";
import { leafHash } from "./merkle.ts";
import { parseEntryBundle, TILE_HEIGHT, TILE_WIDTH, type Tile, tileHashes, tilePath, tileWidth } from "./tiles.ts";

export interface AuditSource {
  /** Bytes of hash tile `tile` (`<prefix>/` + tilePath(tile.level, tile.index, tile.width)). */
  readTile(tile: Tile): Promise<Uint8Array>;
  /** Bytes of the entry bundle for level-0 tile `tile.index`; needed when checkEntries is set. */
  readEntryBundle?(tile: Tile): Promise<Uint8Array>;
}

export interface AuditOptions {
  /** Also fetch every entry bundle and check each entry hashes to its leaf. Default true. */
  readonly checkEntries?: boolean;
  /** Root hash the log signed for treeSize; a mismatch is reported as a problem. */
  readonly expectedRoot?: Uint8Array;
  /** Fetches in flight at once. Default 8. */
  readonly concurrency?: number;
  /** Stop collecting after this many problems. Default 20. */
  readonly maxProblems?: number;
  /** Called after each level-0 tile with the number of leaves checked so far. */
  readonly onProgress?: (leavesChecked: number, treeSize: number) => void;
}

export interface AuditReport {
  readonly ok: boolean;
  readonly treeSize: number;
  /** RFC 9162 root recomputed from the tiles. */
  readonly rootHash: Uint8Array;
  readonly tilesRead: number;
  readonly entriesChecked: number;
  /** What did not match, most specific first; empty when ok. */
  readonly problems: readonly string[];
}

/**
 * C2SP tlog-tiles + RFC 9162 §2.1.1: audits the tree of `treeSize` leaves served as tiles. Fetch
 * failures reject (they say nothing about the log's honesty); mismatches become `problems`.
 */
export async function auditTiles(
  treeSize: number,
  source: AuditSource,
  options: AuditOptions = {},
): Promise<AuditReport> {
  assertIndex("tree size", treeSize);
  const checkEntries = options.checkEntries ?? true;
  const concurrency = Math.max(1, options.concurrency ?? 8);
  const maxProblems = options.maxProblems ?? 20;
  const readEntryBundle = source.readEntryBundle?.bind(source);
  if (checkEntries && readEntryBundle === undefined) throw new TypeError("checkEntries needs source.readEntryBundle");

  const problems: string[] = [];
  const report = (problem: string) => {
    if (problems.length < maxProblems) problems.push(problem);
  };
  const frontier = new MerkleFrontier();
  // Nodes at tree levels 8, 16, … produced while hashing the leaves: what higher tiles must hold.
  const nodesAtTileLevel: Uint8Array[][] = [];
  let tilesRead = 0;
  let entriesChecked = 0;

  const levelZero = tilesOfLevel(0, treeSize);
  await forEachInOrder(
    levelZero,
    concurrency,
    async (tile) => {
      const [data, bundle] = await Promise.all([
        source.readTile(tile),
        checkEntries && readEntryBundle !== undefined ? readEntryBundle(tile) : Promise.resolve(undefined),
      ]);
      return { data, bundle };
    },
    (tile, { data, bundle }) => {
      tilesRead++;
      const hashes = tileHashes(data, tile.width);
      if (!hashes.ok) {
        report(`${tilePath(0, tile.index, tile.width)}: ${hashes.error}`);
        throw new AuditAborted();
      }
      if (bundle !== undefined) {
        const entries = parseEntryBundle(bundle);
        const path = tilePath("entries", tile.index, tile.width);
        if (!entries.ok) report(`${path}: ${entries.error}`);
        else if (entries.value.length !== tile.width)
          report(`${path}: holds ${entries.value.length} entries, expected ${tile.width}`);
        else {
          entries.value.forEach((entry, i) => {
            if (!bytesEqual(leafHash(entry), hashes.value[i] as Uint8Array)) {
              report(
                `entry ${tile.index * TILE_WIDTH + i} does not hash to its leaf in ${tilePath(0, tile.index, tile.width)}`,
              );
            }
          });
          entriesChecked += entries.value.length;
        }
      }
      for (const leaf of hashes.value) {
        const completed = frontier.append(leaf);
        for (let level = TILE_HEIGHT; level < completed.length; level += TILE_HEIGHT) {
          const tileLevel = level / TILE_HEIGHT;
          const nodes = nodesAtTileLevel[tileLevel] ?? [];
          nodes.push(completed[level] as Uint8Array);
          nodesAtTileLevel[tileLevel] = nodes;
        }
      }
      options.onProgress?.(frontier.size, treeSize);
    },
  ).catch((error: unknown) => {
    if (!(error instanceof AuditAborted)) throw error;
  });

  if (problems.length === 0) {
    for (let level = 1; Math.floor(treeSize / TILE_WIDTH ** level) > 0; level++) {
      const expected = nodesAtTileLevel[level] ?? [];
      await forEachInOrder(
        tilesOfLevel(level, treeSize),
        concurrency,
        (tile) => source.readTile(tile),
        (tile, data) => {
          tilesRead++;
          const path = tilePath(level, tile.index, tile.width);
          const hashes = tileHashes(data, tile.width);
          if (!hashes.ok) return report(`${path}: ${hashes.error}`);
          hashes.value.forEach((hash, i) => {
            const want = expected[tile.index * TILE_WIDTH + i];
            if (want === undefined || !bytesEqual(hash, want)) {
              report(
                `${path}: hash ${i} is ${toHex(hash)} but the tiles below give ${want === undefined ? "nothing" : toHex(want)}`,
              );
            }
          });
        },
      );
    }
  }

  const rootHash = frontier.root();
  if (frontier.size === treeSize && options.expectedRoot !== undefined && !bytesEqual(rootHash, options.expectedRoot)) {
    problems.unshift(`recomputed root ${toHex(rootHash)} differs from the signed root ${toHex(options.expectedRoot)}`);
  }
  return { ok: problems.length === 0, treeSize, rootHash, tilesRead, entriesChecked, problems };
}

class AuditAborted extends Error {}

function tilesOfLevel(level: number, treeSize: number): Tile[] {
  const tiles: Tile[] = [];
  for (let index = 0; ; index++) {
    const width = tileWidth(level, index, treeSize);
    if (width === 0) return tiles;
    tiles.push({ level, index, width });
  }
}

/** Runs `fetch` with bounded concurrency but hands results to `consume` strictly in order. */
async function forEachInOrder<T, R>(
  items: readonly T[],
  concurrency: number,
  fetch: (item: T) => Promise<R>,
  consume: (item: T, result: R) => void,
): Promise<void> {
  const pending: Promise<R>[] = [];
  let next = 0;
  const launch = () => {
    while (next < items.length && pending.length < concurrency) {
      const promise = fetch(items[next] as T);
      promise.catch(() => undefined); // observed below, in order; avoid unhandled-rejection noise
      pending.push(promise);
      next++;
    }
  };
  for (let done = 0; done < items.length; done++) {
    launch();
    const result = await (pending.shift() as Promise<R>);
    consume(items[done] as T, result);
  }
}
