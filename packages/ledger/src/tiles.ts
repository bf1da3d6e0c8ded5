// C2SP tlog-tiles: the log served as static, cacheable tiles of 256 consecutive hashes per level,
// the entry bundles beside them, and a HashReader that recomputes any stored hash from tiles, so a
// verifier can build proofs or audit the log from nothing but HTTP GETs (or files in a directory).
import { assertIndex, isIndex } from "./int.ts";
import { HASH_SIZE, nodeHash } from "./merkle.ts";
import { fail, ok, type Result } from "./result.ts";
import { type HashReader, splitStoredHashIndex, storedHashIndex } from "./stored.ts";

/** Tree levels per tile level (tlog-tiles fixes 8: a tile is a subtree of height 8). */
export const TILE_HEIGHT = 8;
/** Hashes in a full tile. */
export const TILE_WIDTH = 256;
/** Highest tile level a path may name. */
export const MAX_TILE_LEVEL = 63;
/** Largest entry an entry bundle can hold (uint16 length prefix). */
export const MAX_BUNDLED_ENTRY_SIZE = 0xffff;

/** Tile bytes that cannot be the tile asked for: the server, not the reader, is at fault. */
export class MalformedTileError extends Error {
  override name = "MalformedTileError";
}

/** A hash tile: `width` hashes at tree level 8·level, starting at hash index 256·index. */
export interface Tile {
  readonly level: number;
  readonly index: number;
  readonly width: number;
}

/** A parsed tile path: a hash tile, or an entry bundle when level is "entries". */
export interface TileAddress {
  readonly level: number | "entries";
  readonly index: number;
  readonly width: number;
}

/**
 * C2SP tlog-tiles "Merkle Tree" and "Log entries": the path of a tile or entry bundle relative to
 * the log prefix, `tile/<L>/<N>[.p/<W>]` or `tile/entries/<N>[.p/<W>]`. N is written in 3-digit
 * groups, all but the last prefixed with x (1234067 → x001/x234/067); `.p/<W>` marks a partial tile.
 */
export function tilePath(level: number | "entries", index: number, width: number = TILE_WIDTH): string {
  if (level !== "entries" && !(isIndex(level) && level <= MAX_TILE_LEVEL)) {
    throw new RangeError(`tile level must be 0…${MAX_TILE_LEVEL} or "entries", got ${String(level)}`);
  }
  assertIndex("tile index", index);
  if (!Number.isInteger(width) || width < 1 || width > TILE_WIDTH) {
    throw new RangeError(`tile width must be 1…${TILE_WIDTH}, got ${String(width)}`);
  }
  const groups: string[] = [];
  let rest = index;
  do {
    groups.unshift(String(rest % 1000).padStart(3, "0"));
    rest = Math.floor(rest / 1000);
  } while (rest > 0);
  const encodedIndex = groups.map((group, i) => (i < groups.length - 1 ? `x${group}` : group)).join("/");
  return `tile/${level}/${encodedIndex}${width < TILE_WIDTH ? `.p/${width}` : ""}`;
}

/** C2SP tlog-tiles "Log entries": path of the entry bundle for level-0 tile `index`. */
export function entryBundlePath(index: number, width: number = TILE_WIDTH): string {
  return tilePath("entries", index, width);
}

const TILE_PATH = /^tile\/(entries|0|[1-9][0-9]?)\/((?:x[0-9]{3}\/)*[0-9]{3})(?:\.p\/([1-9][0-9]{0,2}))?$/;

/**
 * C2SP tlog-tiles: parses a tile path, accepting only the canonical spelling (no leading zero
 * groups, no leading zeroes in L or W, W < 256), so one tile has one URL and caches stay coherent.
 */
export function parseTilePath(path: string): Result<TileAddress> {
  const match = TILE_PATH.exec(path);
  if (match === null) return fail(`not a tile path: ${JSON.stringify(path)}`);
  const [, levelText = "", indexText = "", widthText] = match;
  const level = levelText === "entries" ? "entries" : Number(levelText);
  if (level !== "entries" && level > MAX_TILE_LEVEL) return fail(`tile level ${level} exceeds ${MAX_TILE_LEVEL}`);
  const groups = indexText.split("/").map((group) => group.replace(/^x/, ""));
  if (groups.length > 1 && groups[0] === "000") return fail("tile index has a leading zero group");
  const index = Number(groups.join(""));
  if (!Number.isSafeInteger(index)) return fail("tile index is too large");
  const width = widthText === undefined ? TILE_WIDTH : Number(widthText);
  if (widthText !== undefined && width >= TILE_WIDTH) return fail(`partial tile width must be below ${TILE_WIDTH}`);
  return ok({ level, index, width });
}

/**
 * C2SP tlog-tiles "Partial Tiles": the width of tile (level, index) in a tree of `treeSize`
 * leaves — 256 when full, fewer when partial, 0 when the tile does not exist yet.
 */
export function tileWidth(level: number, index: number, treeSize: number): number {
  const hashesAtLevel = Math.floor(treeSize / TILE_WIDTH ** level);
  return Math.max(0, Math.min(TILE_WIDTH, hashesAtLevel - index * TILE_WIDTH));
}

/**
 * C2SP tlog-tiles "Partial Tiles": every hash tile of a tree of `treeSize` leaves, level by level
 * (e.g. 70,000 leaves: 273 full and one 112-wide tile at level 0, one full and one 17-wide at
 * level 1, one 1-wide at level 2). Entry bundles mirror the level-0 tiles.
 */
export function tilesForSize(treeSize: number): Tile[] {
  assertIndex("tree size", treeSize);
  const tiles: Tile[] = [];
  for (let level = 0; level <= MAX_TILE_LEVEL; level++) {
    const hashesAtLevel = Math.floor(treeSize / TILE_WIDTH ** level);
    if (hashesAtLevel === 0) break;
    for (let index = 0; index * TILE_WIDTH < hashesAtLevel; index++) {
      tiles.push({ level, index, width: tileWidth(level, index, treeSize) });
    }
  }
  return tiles;
}

/** C2SP tlog-tiles: the tiles that appear or grow when the tree grows from oldSize to newSize. */
export function newTiles(oldSize: number, newSize: number): Tile[] {
  assertIndex("old size", oldSize);
  assertIndex("new size", newSize);
  if (oldSize > newSize) throw new RangeError("a log does not shrink");
  const tiles: Tile[] = [];
  for (let level = 0; level <= MAX_TILE_LEVEL; level++) {
    const newHashes = Math.floor(newSize / TILE_WIDTH ** level);
    if (newHashes === 0) break;
    const oldHashes = Math.floor(oldSize / TILE_WIDTH ** level);
    for (let index = Math.floor(oldHashes / TILE_WIDTH); index * TILE_WIDTH < newHashes; index++) {
      const width = tileWidth(level, index, newSize);
      if (width > tileWidth(level, index, oldSize)) tiles.push({ level, index, width });
    }
  }
  return tiles;
}

/** C2SP tlog-tiles "Merkle Tree": a tile's bytes (its hashes at tree level 8·level, concatenated) from a stored log. */
export async function readTileData(reader: HashReader, tile: Tile): Promise<Uint8Array> {
  const first = tile.index * TILE_WIDTH;
  const indexes: number[] = [];
  for (let i = 0; i < tile.width; i++) indexes.push(storedHashIndex(tile.level * TILE_HEIGHT, first + i));
  const hashes = await reader.readHashes(indexes);
  const data = new Uint8Array(tile.width * HASH_SIZE);
  for (const [i, hash] of hashes.entries()) data.set(hash, i * HASH_SIZE);
  return data;
}

/** C2SP tlog-tiles "Merkle Tree": splits tile bytes into hashes, checking the length against the width. */
export function tileHashes(data: Uint8Array, width: number): Result<Uint8Array[]> {
  if (data.length !== width * HASH_SIZE) {
    return fail(`tile should hold ${width} hashes (${width * HASH_SIZE} bytes) but has ${data.length} bytes`);
  }
  const hashes: Uint8Array[] = [];
  for (let i = 0; i < width; i++) hashes.push(data.slice(i * HASH_SIZE, (i + 1) * HASH_SIZE));
  return ok(hashes);
}

/** Fetches tile bytes: an HTTP GET of `<prefix>/` + tilePath(...), a file read, a database query. */
export type TileFetcher = (tile: Tile) => Promise<Uint8Array>;

/**
 * C2SP tlog-tiles "Merkle Tree": a HashReader for the tree of `treeSize` leaves that recomputes
 * stored hashes from tiles (a node 0–7 levels above a tile level is the hash of ≤128 of its
 * hashes). Tiles are fetched at most once each, in parallel per read.
 *
 * The reader does not authenticate tiles: whatever it yields must end in a check against a signed
 * root (treeHashFromStore, verifyInclusion, verifyConsistency), which fails if any tile used lied.
 */
export function tileHashReader(treeSize: number, fetchTile: TileFetcher): HashReader {
  assertIndex("tree size", treeSize);
  const cache = new Map<string, Promise<Uint8Array[]>>();

  const loadTile = (tile: Tile): Promise<Uint8Array[]> => {
    const key = tilePath(tile.level, tile.index, tile.width);
    let pending = cache.get(key);
    if (pending === undefined) {
      pending = fetchTile(tile).then((data) => {
        const hashes = tileHashes(data, tile.width);
        if (!hashes.ok) throw new MalformedTileError(`${key}: ${hashes.error}`);
        return hashes.value;
      });
      cache.set(key, pending);
      // A failed fetch must not poison the cache for a retry.
      pending.catch(() => cache.delete(key));
    }
    return pending;
  };

  return {
    async readHashes(indexes) {
      const lookups = indexes.map((storedIndex) => {
        const node = splitStoredHashIndex(storedIndex);
        if ((node.index + 1) * 2 ** node.level > treeSize) {
          throw new RangeError(`stored hash ${storedIndex} is not part of a tree of size ${treeSize}`);
        }
        const tileLevel = Math.floor(node.level / TILE_HEIGHT);
        const span = 2 ** (node.level - tileLevel * TILE_HEIGHT);
        const firstAtTileLevel = node.index * span;
        const tileIndex = Math.floor(firstAtTileLevel / TILE_WIDTH);
        const tile = { level: tileLevel, index: tileIndex, width: tileWidth(tileLevel, tileIndex, treeSize) };
        return { tile, offset: firstAtTileLevel - tileIndex * TILE_WIDTH, span };
      });
      const tiles = await Promise.all(lookups.map((lookup) => loadTile(lookup.tile)));
      return lookups.map((lookup, i) =>
        perfectSubtreeHash((tiles[i] as Uint8Array[]).slice(lookup.offset, lookup.offset + lookup.span)),
      );
    },
  };
}

/** RFC 9162 §2.1.1 over a power-of-two run of same-level hashes. */
function perfectSubtreeHash(hashes: Uint8Array[]): Uint8Array {
  let level = hashes;
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(nodeHash(level[i] as Uint8Array, level[i + 1] as Uint8Array));
    level = next;
  }
  return (level[0] as Uint8Array).slice();
}

/** C2SP tlog-tiles "Log entries": a bundle is a sequence of big-endian uint16 length-prefixed entries. */
export function parseEntryBundle(data: Uint8Array): Result<Uint8Array[]> {
  const entries: Uint8Array[] = [];
  let offset = 0;
  while (offset < data.length) {
    if (offset + 2 > data.length) return fail(`entry bundle ends inside the length of entry ${entries.length}`);
    const length = ((data[offset] as number) << 8) | (data[offset + 1] as number);
    offset += 2;
    if (offset + length > data.length) return fail(`entry ${entries.length} is cut short by the end of the bundle`);
    entries.push(data.slice(offset, offset + length));
    offset += length;
  }
  return ok(entries);
}

/** C2SP tlog-tiles "Log entries": encodes entries as a bundle. */
export function formatEntryBundle(entries: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const [i, entry] of entries.entries()) {
    if (entry.length > MAX_BUNDLED_ENTRY_SIZE) {
      throw new RangeError(`entry ${i} has ${entry.length} bytes; bundles hold at most ${MAX_BUNDLED_ENTRY_SIZE}`);
    }
    size += 2 + entry.length;
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const entry of entries) {
    out[offset] = entry.length >>> 8;
    out[offset + 1] = entry.length & 0xff;
    out.set(entry, offset + 2);
    offset += 2 + entry.length;
  }
  return out;
}
