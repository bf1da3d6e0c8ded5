import { describe, expect, it } from "vitest";
import { auditTiles } from "./audit.ts";
import { MemoryLog } from "./memory-log.ts";
import { consistencyProof, inclusionProof, leafHash, rootHash } from "./merkle.ts";
import { consistencyProofFromStore, inclusionProofFromStore, treeHashFromStore } from "./stored.ts";
import {
  entryBundlePath,
  formatEntryBundle,
  MalformedTileError,
  newTiles,
  parseEntryBundle,
  parseTilePath,
  readTileData,
  type Tile,
  tileHashReader,
  tilePath,
  tilesForSize,
  tileWidth,
} from "./tiles.ts";

const entry = (i: number) => new TextEncoder().encode(`{"type":"case.accepted","seq":${i}}`);

function buildLog(size: number): { log: MemoryLog; leaves: Uint8Array[] } {
  const log = new MemoryLog({ keepEntries: true });
  for (let i = 0; i < size; i++) log.append(entry(i));
  return { log, leaves: Array.from({ length: size }, (_, i) => leafHash(entry(i))) };
}

/** Serves a MemoryLog the way a tlog-tiles server would: only tiles that exist at `treeSize`. */
function servedTiles(log: MemoryLog, treeSize: number) {
  const fetched: string[] = [];
  const readTile = async (tile: Tile) => {
    if (tile.width !== tileWidth(tile.level, tile.index, treeSize)) {
      throw new Error(`404 ${tilePath(tile.level, tile.index, tile.width)}`);
    }
    fetched.push(tilePath(tile.level, tile.index, tile.width));
    return readTileData(log, tile);
  };
  const readEntryBundle = async (tile: Tile) => {
    const first = tile.index * 256;
    return formatEntryBundle(Array.from({ length: tile.width }, (_, i) => log.entry(first + i) as Uint8Array));
  };
  return { readTile, readEntryBundle, fetched };
}

describe("C2SP tlog-tiles paths", () => {
  it.each([
    [0, 0, 256, "tile/0/000"],
    [0, 1234067, 256, "tile/0/x001/x234/067"],
    [1, 999, 256, "tile/1/999"],
    [2, 1000, 256, "tile/2/x001/000"],
    [0, 272, 112, "tile/0/272.p/112"],
    [3, 1_000_000, 1, "tile/3/x001/x000/000.p/1"],
    ["entries", 1234067, 256, "tile/entries/x001/x234/067"],
    ["entries", 5, 7, "tile/entries/005.p/7"],
  ] as const)("level %s index %i width %i is %s", (level, index, width, path) => {
    expect(tilePath(level, index, width)).toBe(path);
    expect(parseTilePath(path)).toEqual({ ok: true, value: { level, index, width } });
  });

  it("names entry bundles like level-0 tiles", () => {
    expect(entryBundlePath(1234067)).toBe("tile/entries/x001/x234/067");
  });

  it.each([
    "tile/0/1234067",
    "tile/0/x001/234/067",
    "tile/0/001/x234",
    "tile/0/x000/067",
    "tile/00/000",
    "tile/64/000",
    "tile/0/000.p/256",
    "tile/0/000.p/0",
    "tile/0/000.p/012",
    "tile/0/67",
    "/tile/0/000",
    "tile/0/000/",
    "tile/data/000",
  ])("rejects the non-canonical or invalid path %s", (path) => {
    expect(parseTilePath(path).ok).toBe(false);
  });

  it("rejects impossible tiles", () => {
    expect(() => tilePath(64, 0)).toThrow(RangeError);
    expect(() => tilePath(0, -1)).toThrow(RangeError);
    expect(() => tilePath(0, 0, 0)).toThrow(RangeError);
    expect(() => tilePath(0, 0, 257)).toThrow(RangeError);
  });
});

describe("C2SP tlog-tiles partial tiles", () => {
  it("represents a tree of 70,000 as the specification's example says", () => {
    const tiles = tilesForSize(70_000);
    const level0 = tiles.filter((tile) => tile.level === 0);
    expect(level0.filter((tile) => tile.width === 256)).toHaveLength(273);
    expect(level0.at(-1)).toEqual({ level: 0, index: 273, width: 112 });
    expect(tiles.filter((tile) => tile.level === 1)).toEqual([
      { level: 1, index: 0, width: 256 },
      { level: 1, index: 1, width: 17 },
    ]);
    expect(tiles.filter((tile) => tile.level === 2)).toEqual([{ level: 2, index: 0, width: 1 }]);
    expect(tiles.filter((tile) => tile.level > 2)).toEqual([]);
  });

  it("represents a tree of 256 as a full level-0 tile and a 1-wide level-1 tile", () => {
    expect(tilesForSize(256)).toEqual([
      { level: 0, index: 0, width: 256 },
      { level: 1, index: 0, width: 1 },
    ]);
    expect(tilesForSize(0)).toEqual([]);
  });

  it("lists the tiles a growing log must publish", () => {
    expect(newTiles(0, 3)).toEqual([{ level: 0, index: 0, width: 3 }]);
    expect(newTiles(3, 3)).toEqual([]);
    expect(newTiles(250, 260)).toEqual([
      { level: 0, index: 0, width: 256 },
      { level: 0, index: 1, width: 4 },
      { level: 1, index: 0, width: 1 },
    ]);
    // Every tile of the new tree is either new or unchanged since the old one.
    const old = new Set(tilesForSize(69_000).map((t) => tilePath(t.level, t.index, t.width)));
    const fresh = newTiles(69_000, 70_000).map((t) => tilePath(t.level, t.index, t.width));
    for (const tile of tilesForSize(70_000)) {
      const path = tilePath(tile.level, tile.index, tile.width);
      expect(old.has(path) !== fresh.includes(path), path).toBe(true);
    }
  });
});

describe("C2SP tlog-tiles entry bundles", () => {
  it("round-trips uint16 length-prefixed entries", () => {
    const entries = [new Uint8Array(0), Uint8Array.of(1, 2, 3), new Uint8Array(65535).fill(7)];
    const bundle = formatEntryBundle(entries);
    expect(bundle.subarray(0, 7)).toEqual(Uint8Array.of(0, 0, 0, 3, 1, 2, 3));
    expect(parseEntryBundle(bundle)).toEqual({ ok: true, value: entries });
  });

  it("rejects truncated bundles and oversized entries", () => {
    expect(parseEntryBundle(Uint8Array.of(0)).ok).toBe(false);
    expect(parseEntryBundle(Uint8Array.of(0, 3, 1, 2)).ok).toBe(false);
    expect(() => formatEntryBundle([new Uint8Array(65536)])).toThrow(RangeError);
  });
});

describe("a HashReader over tiles", () => {
  const size = 70_000;
  const { log } = buildLog(size);

  it("yields the same root and proofs as the stored log", async () => {
    const served = servedTiles(log, size);
    const reader = tileHashReader(size, served.readTile);
    expect(await treeHashFromStore(reader, size)).toEqual(log.rootHash());
    for (const [index, treeSize] of [
      [0, size],
      [69_999, size],
      [65_535, size],
      [12_345, 66_000],
      [255, 256],
    ] as const) {
      expect(await inclusionProofFromStore(reader, index, treeSize)).toEqual(
        await inclusionProofFromStore(log, index, treeSize),
      );
    }
    for (const [size1, size2] of [
      [1, size],
      [256, size],
      [65_536, size],
      [69_999, size],
      [300, 301],
    ] as const) {
      expect(await consistencyProofFromStore(reader, size1, size2)).toEqual(
        await consistencyProofFromStore(log, size1, size2),
      );
    }
    expect(served.fetched.length).toBeLessThan(30);
  });

  it("matches in-memory proofs on a small tree across partial tiles", async () => {
    const small = buildLog(600);
    const reader = tileHashReader(600, servedTiles(small.log, 600).readTile);
    for (let index = 0; index < 600; index += 37) {
      expect(await inclusionProofFromStore(reader, index, 600)).toEqual(inclusionProof(small.leaves, index, 600));
    }
    expect(await consistencyProofFromStore(reader, 257, 600)).toEqual(consistencyProof(small.leaves, 257, 600));
    expect(await treeHashFromStore(reader, 600)).toEqual(rootHash(small.leaves));
  });

  it("refuses hashes outside its tree and tiles of the wrong length", async () => {
    const reader = tileHashReader(10, servedTiles(log, 10).readTile);
    await expect(treeHashFromStore(reader, 11)).rejects.toThrow(/not part of a tree of size 10/);
    const short = tileHashReader(10, async () => new Uint8Array(31));
    await expect(treeHashFromStore(short, 10)).rejects.toThrow(MalformedTileError);
    await expect(treeHashFromStore(short, 10)).rejects.toThrow(/should hold 10 hashes/);
  });

  it("fetches each tile once and retries a failed fetch", async () => {
    let calls = 0;
    const served = servedTiles(log, 1000);
    const flaky = tileHashReader(1000, async (tile) => {
      calls++;
      if (calls === 1) throw new Error("connection reset");
      return served.readTile(tile);
    });
    await expect(treeHashFromStore(flaky, 1000)).rejects.toThrow("connection reset");
    expect(await treeHashFromStore(flaky, 1000)).toEqual(await treeHashFromStore(log, 1000));
    const before = calls;
    await inclusionProofFromStore(flaky, 5, 1000);
    await inclusionProofFromStore(flaky, 6, 1000);
    expect(calls - before).toBeLessThanOrEqual(1);
  });
});

describe("auditing a log from its tiles", () => {
  const size = 70_000;
  const { log } = buildLog(size);

  it("recomputes the signed root and checks every tile and entry", async () => {
    const served = servedTiles(log, size);
    const report = await auditTiles(size, served, { expectedRoot: log.rootHash() });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.rootHash).toEqual(log.rootHash());
    expect(report.tilesRead).toBe(tilesForSize(size).length);
    expect(report.entriesChecked).toBe(size);
  });

  it("audits the empty log", async () => {
    const report = await auditTiles(0, servedTiles(log, 0), { expectedRoot: rootHash([]) });
    expect(report.ok).toBe(true);
  });

  it("catches a rewritten entry", async () => {
    const served = servedTiles(log, size);
    const report = await auditTiles(size, {
      ...served,
      readEntryBundle: async (tile) => {
        const bundle = await served.readEntryBundle(tile);
        if (tile.index === 100) bundle[10] = (bundle[10] as number) ^ 1;
        return bundle;
      },
    });
    expect(report.ok).toBe(false);
    expect(report.problems[0]).toMatch(/^entry 25600 does not hash to its leaf/);
  });

  it("catches a tampered level-0 tile through the signed root", async () => {
    const served = servedTiles(log, size);
    const report = await auditTiles(
      size,
      {
        readTile: async (tile) => {
          const data = await served.readTile(tile);
          if (tile.level === 0 && tile.index === 7) data[100] = (data[100] as number) ^ 0x80;
          return data;
        },
      },
      { checkEntries: false, expectedRoot: log.rootHash() },
    );
    expect(report.ok).toBe(false);
    expect(report.problems[0]).toMatch(/recomputed root .* differs from the signed root/);
  });

  it("catches a tampered higher-level tile", async () => {
    const served = servedTiles(log, size);
    const report = await auditTiles(
      size,
      {
        readTile: async (tile) => {
          const data = await served.readTile(tile);
          if (tile.level === 1 && tile.index === 1) data[0] = (data[0] as number) ^ 1;
          return data;
        },
      },
      { checkEntries: false, expectedRoot: log.rootHash() },
    );
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([expect.stringMatching(/^tile\/1\/001\.p\/17: hash 0 is/)]);
  });

  it("catches a tile of the wrong size", async () => {
    const report = await auditTiles(1000, { readTile: async () => new Uint8Array(5) }, { checkEntries: false });
    expect(report.ok).toBe(false);
    expect(report.problems[0]).toMatch(/tile\/0\/000: tile should hold 256 hashes/);
  });

  it("lets fetch failures through as errors, not verdicts", async () => {
    await expect(
      auditTiles(1000, { readTile: async () => Promise.reject(new Error("503")) }, { checkEntries: false }),
    ).rejects.toThrow("503");
  });
});
