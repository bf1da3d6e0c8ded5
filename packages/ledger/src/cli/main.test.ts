import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toBase64 } from "../bytes.ts";
import { signCheckpoint } from "../checkpoint.ts";
import { cosign } from "../cosignature.ts";
import { generateNoteKey, parseSignerKey } from "../keys.ts";
import { MemoryLog } from "../memory-log.ts";
import { consistencyProof, inclusionProof, leafHash } from "../merkle.ts";
import { formatEntryBundle, readTileData, tilePath, tilesForSize } from "../tiles.ts";
import { EXIT_OK, EXIT_UNAVAILABLE, EXIT_USAGE, EXIT_VERIFICATION_FAILED, main } from "./main.ts";

const ORIGIN = "ledger.fuzhou.gov.cn/v1";
const logKey = generateNoteKey(ORIGIN);
const sm2Key = generateNoteKey(`${ORIGIN}/sm2`, "sm2");
const witnessKey = generateNoteKey("witness.weinan.gov.cn/w1", "cosignature/v1");
const otherKey = generateNoteKey(ORIGIN);

const entryText = (i: number, variant = "") =>
  `{"actor":"staff:${1000 + (i % 7)}","caseId":"350100-${String(i).padStart(6, "0")}","type":"case.accepted${variant}"}`;

let root: string;

/** Builds a log of `size` entries (entry `forkAt` rewritten if given) and its leaf hashes. */
function buildLog(size: number, forkAt?: number): { log: MemoryLog; leaves: Uint8Array[] } {
  const log = new MemoryLog({ keepEntries: true });
  const leaves: Uint8Array[] = [];
  for (let i = 0; i < size; i++) {
    const entry = new TextEncoder().encode(entryText(i, i === forkAt ? ".rewritten" : ""));
    log.append(entry);
    leaves.push(leafHash(entry));
  }
  return { log, leaves };
}

/** Writes the C2SP tlog-tiles layout of the first `size` entries, and a signed checkpoint. */
async function publish(dir: string, log: MemoryLog, size: number, signerKeys: string[]): Promise<string> {
  for (const tile of tilesForSize(size)) {
    await writeAt(join(dir, tilePath(tile.level, tile.index, tile.width)), await readTileData(log, tile));
    if (tile.level === 0) {
      const entries = Array.from({ length: tile.width }, (_, i) => log.entry(tile.index * 256 + i) as Uint8Array);
      await writeAt(join(dir, tilePath("entries", tile.index, tile.width)), formatEntryBundle(entries));
    }
  }
  const checkpoint = { origin: ORIGIN, treeSize: size, rootHash: await log.rootHashAt(size), extensions: [] };
  const note = signCheckpoint(
    checkpoint,
    signerKeys.map((key) => parseSignerKey(key)),
  );
  await writeAt(join(dir, "checkpoint"), new TextEncoder().encode(note));
  return note;
}

async function writeAt(path: string, data: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, data);
}

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, {
    stdout: (line) => out.push(line),
    stderr: (line) => err.push(line),
    writeFile: (path, data) => writeFile(path, data),
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

const honest = buildLog(1000);
let logDir: string;
let forkDir: string;
let savedOld: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "tongban-ledger-cli-"));
  logDir = join(root, "log");
  forkDir = join(root, "fork");
  // The log published 700 entries first (that checkpoint was saved by a monitor), then 1000.
  const oldNote = await publish(logDir, honest.log, 700, [logKey.signerKey, sm2Key.signerKey]);
  savedOld = join(root, "saved-700.checkpoint");
  await writeAt(savedOld, oldNote);
  const note = await publish(logDir, honest.log, 1000, [logKey.signerKey, sm2Key.signerKey]);
  const cosigned = cosign(note, parseSignerKey(witnessKey.signerKey, { clock: () => 1_750_000_000 }));
  await writeAt(join(logDir, "checkpoint"), cosigned);
  // A forked history: entry 5 rewritten, then signed with the same log key.
  await publish(forkDir, buildLog(1000, 5).log, 1000, [logKey.signerKey]);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("verify-checkpoint", () => {
  it("accepts a checkpoint signed by every given key and reports its cosigners", async () => {
    const result = await run(
      "verify-checkpoint",
      "--key",
      logKey.verifierKey,
      "--key",
      sm2Key.verifierKey,
      "--witness",
      witnessKey.verifierKey,
      "--log",
      logDir,
    );
    expect(result.code, result.err).toBe(EXIT_OK);
    expect(result.out).toContain(`checkpoint: ${ORIGIN}, 1000 entries, root`);
    expect(result.out).toContain("(sm2)");
    expect(result.out).toContain("cosigned by witness.weinan.gov.cn/w1+");
    expect(result.out).toContain("2025-06-15T15:06:40.000Z");
  });

  it("reads keys from files and checkpoints from files", async () => {
    const keyFile = join(root, "log.vkey");
    await writeAt(keyFile, `${logKey.verifierKey}\n`);
    expect((await run("verify-checkpoint", "--key", `@${keyFile}`, join(logDir, "checkpoint"))).code).toBe(EXIT_OK);
  });

  it("reads a file of several keys (a log's /ledger/keys) and requires each, refusing a forged SM2 line", async () => {
    const keysFile = join(root, "log.keys");
    await writeAt(keysFile, `${logKey.verifierKey}\n${sm2Key.verifierKey}\n`);
    const good = await run("verify-checkpoint", "--key", `@${keysFile}`, "--log", logDir);
    expect(good.code, good.err).toBe(EXIT_OK);
    expect(good.out).toMatch(/signed by .*\(ed25519\)\n.*signed by .*\(sm2\)/);
    const note = await readFile(join(logDir, "checkpoint"), "utf8");
    const lines = note.split("\n");
    const sm2Line = lines.findIndex((line) => line.startsWith(`— ${ORIGIN}/sm2 `));
    const signature = Buffer.from((lines[sm2Line] as string).split(" ")[2] as string, "base64");
    signature[20] = (signature[20] as number) ^ 0x01;
    lines[sm2Line] = `— ${ORIGIN}/sm2 ${signature.toString("base64")}`;
    const forged = join(root, "forged-sm2.checkpoint");
    await writeAt(forged, lines.join("\n"));
    const bad = await run("verify-checkpoint", "--key", `@${keysFile}`, forged);
    expect(bad.code).toBe(EXIT_VERIFICATION_FAILED);
    expect(bad.err).toContain("invalid signature");
    // Whoever trusts only the Ed25519 key still checks the log (the SM2 line is not theirs to judge).
    expect((await run("verify-checkpoint", "--key", logKey.verifierKey, forged)).code).toBe(EXIT_OK);
  });

  it("fails for a key that did not sign, and says who did", async () => {
    const result = await run("verify-checkpoint", "--key", otherKey.verifierKey, "--log", logDir);
    expect(result.code).toBe(EXIT_VERIFICATION_FAILED);
    expect(result.err).toContain(
      "FAILED: checkpoint: note has no signature by any of the given keys (it is signed by ledger.fuzhou.gov.cn/v1,",
    );
  });

  it("fails when a required key or witness quorum is missing", async () => {
    const missing = await run(
      "verify-checkpoint",
      "--key",
      logKey.verifierKey,
      "--key",
      otherKey.verifierKey,
      join(forkDir, "checkpoint"),
    );
    expect(missing.code).toBe(EXIT_VERIFICATION_FAILED);
    expect(missing.err).toMatch(/is not signed by ledger\.fuzhou\.gov\.cn\/v1\+/);
    const quorum = await run(
      "verify-checkpoint",
      "--key",
      logKey.verifierKey,
      "--witness",
      witnessKey.verifierKey,
      join(forkDir, "checkpoint"),
    );
    expect(quorum.code).toBe(EXIT_VERIFICATION_FAILED);
    expect(quorum.err).toContain("0 of the 1 witness cosignatures required");
  });

  it("fails for a wrong origin", async () => {
    const result = await run(
      "verify-checkpoint",
      "--key",
      logKey.verifierKey,
      "--origin",
      "ledger.weinan.gov.cn/v1",
      "--log",
      logDir,
    );
    expect(result.code).toBe(EXIT_VERIFICATION_FAILED);
    expect(result.err).toContain('expected "ledger.weinan.gov.cn/v1"');
  });

  it("separates usage errors and unreadable input from verification failures", async () => {
    expect((await run("verify-checkpoint", "--key", "not-a-key", "--log", logDir)).code).toBe(EXIT_USAGE);
    expect((await run("verify-checkpoint", "--log", logDir)).code).toBe(EXIT_USAGE);
    expect((await run("verify-checkpoint", "--key", logKey.verifierKey, "--bogus")).code).toBe(EXIT_USAGE);
    const missing = await run("verify-checkpoint", "--key", logKey.verifierKey, join(root, "nowhere"));
    expect(missing.code).toBe(EXIT_UNAVAILABLE);
    expect(missing.err).toContain("no such file");
  });
});

describe("verify-inclusion", () => {
  it("fetches the entry and computes its proof from the tiles", async () => {
    const result = await run("verify-inclusion", "--key", logKey.verifierKey, "--log", logDir, "--index", "777");
    expect(result.code).toBe(EXIT_OK);
    expect(result.out).toContain(`OK: entry 777 (leaf hash`);
    expect(result.out).toContain(`entry: ${entryText(777)}`);
  });

  it("checks given entry data against the log", async () => {
    expect(
      (
        await run(
          "verify-inclusion",
          "--key",
          logKey.verifierKey,
          "--log",
          logDir,
          "--index",
          "3",
          "--data",
          entryText(3),
        )
      ).code,
    ).toBe(EXIT_OK);
    const wrong = await run(
      "verify-inclusion",
      "--key",
      logKey.verifierKey,
      "--log",
      logDir,
      "--index",
      "3",
      "--data",
      entryText(4),
    );
    expect(wrong.code).toBe(EXIT_VERIFICATION_FAILED);
    expect(wrong.err).toContain("is NOT proven to be in ledger.fuzhou.gov.cn/v1 at size 1000");
  });

  it("verifies a proof file against a checkpoint file, and rejects a modified proof", async () => {
    const proof = inclusionProof(honest.leaves, 42, 1000);
    const proofFile = join(root, "proof-42.json");
    await writeAt(proofFile, JSON.stringify({ index: 42, treeSize: 1000, proof: proof.map(toBase64) }));
    const entryFile = join(root, "entry-42.json");
    await writeAt(entryFile, entryText(42));
    const args = [
      "verify-inclusion",
      "--key",
      logKey.verifierKey,
      "--checkpoint",
      join(logDir, "checkpoint"),
      "--index",
      "42",
    ];
    expect((await run(...args, "--entry", entryFile, "--proof", proofFile)).code).toBe(EXIT_OK);

    const leafHex = Buffer.from(honest.leaves[42] as Uint8Array).toString("hex");
    const tampered = join(root, "proof-42-bad.txt");
    await writeAt(
      tampered,
      [
        toBase64(proof[0] as Uint8Array).replace(/^./, (c) => (c === "A" ? "B" : "A")),
        ...proof.slice(1).map(toBase64),
      ].join("\n"),
    );
    expect((await run(...args, "--leaf-hash", leafHex, "--proof", tampered)).code).toBe(EXIT_VERIFICATION_FAILED);

    const otherIndex = join(root, "proof-43.json");
    await writeAt(otherIndex, JSON.stringify({ index: 43, treeSize: 1000, proof: proof.map(toBase64) }));
    const mismatch = await run(...args, "--leaf-hash", leafHex, "--proof", otherIndex);
    expect(mismatch.code).toBe(EXIT_VERIFICATION_FAILED);
    expect(mismatch.err).toContain("the proof file is for index 43, but this check needs index 42");
  });

  it("refuses an index beyond the checkpoint", async () => {
    const result = await run("verify-inclusion", "--key", logKey.verifierKey, "--log", logDir, "--index", "1000");
    expect(result.code).toBe(EXIT_VERIFICATION_FAILED);
    expect(result.err).toContain("has 1000 entries");
  });
});

describe("verify-consistency", () => {
  it("accepts the log's growth from the saved checkpoint, computing the proof from tiles", async () => {
    const result = await run("verify-consistency", "--key", logKey.verifierKey, "--old", savedOld, "--log", logDir);
    expect(result.code).toBe(EXIT_OK);
    expect(result.out).toContain(
      "OK: ledger.fuzhou.gov.cn/v1 grew from 700 to 1000 entries without changing any earlier entry",
    );
  });

  it("accepts a proof file and can update the saved checkpoint", async () => {
    const proofFile = join(root, "consistency.json");
    await writeAt(
      proofFile,
      JSON.stringify({ size1: 700, size2: 1000, proof: consistencyProof(honest.leaves, 700, 1000).map(toBase64) }),
    );
    const saved = join(root, "monitor.checkpoint");
    await writeAt(saved, await readFile(savedOld));
    const args = [
      "verify-consistency",
      "--key",
      logKey.verifierKey,
      "--old",
      saved,
      "--new",
      join(logDir, "checkpoint"),
      "--proof",
      proofFile,
    ];
    expect((await run(...args, "--update")).code).toBe(EXIT_OK);
    expect(await readFile(saved, "utf8")).toBe(await readFile(join(logDir, "checkpoint"), "utf8"));
    const again = await run("verify-consistency", "--key", logKey.verifierKey, "--old", saved, "--log", logDir);
    expect(again.out).toContain("is unchanged at 1000 entries");
  });

  it("catches a rewritten history signed with the log's own key", async () => {
    const result = await run("verify-consistency", "--key", logKey.verifierKey, "--old", savedOld, "--log", forkDir);
    expect(result.code).toBe(EXIT_VERIFICATION_FAILED);
    expect(result.err).toContain("is NOT consistent with the saved checkpoint");
    expect(result.err).toContain("rewritten history or a split view");
  });

  it("catches two different trees of the same size, and a rollback", async () => {
    const split = await run(
      "verify-consistency",
      "--key",
      logKey.verifierKey,
      "--old",
      join(logDir, "checkpoint"),
      "--new",
      join(forkDir, "checkpoint"),
    );
    expect(split.code).toBe(EXIT_VERIFICATION_FAILED);
    expect(split.err).toContain("two different roots for the same size 1000");
    const rollback = await run(
      "verify-consistency",
      "--key",
      logKey.verifierKey,
      "--old",
      join(logDir, "checkpoint"),
      "--new",
      savedOld,
    );
    expect(rollback.code).toBe(EXIT_VERIFICATION_FAILED);
    expect(rollback.err).toContain("the log rolled back");
  });
});

describe("audit", () => {
  it("re-hashes every entry and tile and matches the signed root", async () => {
    const result = await run("audit", "--key", logKey.verifierKey, "--log", logDir);
    expect(result.code).toBe(EXIT_OK);
    expect(result.out).toMatch(
      /OK: audited ledger\.fuzhou\.gov\.cn\/v1: 5 tiles, 1000 entries re-hashed; the recomputed root .* matches/,
    );
  });

  it("finds a tampered entry bundle and a tampered tile", async () => {
    const copy = join(root, "tampered");
    await publish(copy, honest.log, 1000, [logKey.signerKey]);
    const bundlePath = join(copy, tilePath("entries", 1));
    const bundle = await readFile(bundlePath);
    bundle[30] = (bundle[30] as number) ^ 1;
    await writeFile(bundlePath, bundle);
    const entryResult = await run("audit", "--key", logKey.verifierKey, "--log", copy);
    expect(entryResult.code).toBe(EXIT_VERIFICATION_FAILED);
    expect(entryResult.err).toContain("entry 256 does not hash to its leaf");

    const tilePathOnDisk = join(copy, tilePath(0, 2));
    const tile = await readFile(tilePathOnDisk);
    tile[0] = (tile[0] as number) ^ 1;
    await writeFile(tilePathOnDisk, tile);
    const tileResult = await run("audit", "--key", logKey.verifierKey, "--log", copy, "--no-entries");
    expect(tileResult.code).toBe(EXIT_VERIFICATION_FAILED);
    expect(tileResult.err).toContain("differs from the signed root");
  });

  it("reports a missing tile as unavailable, not as a verdict", async () => {
    const copy = join(root, "incomplete");
    await publish(copy, honest.log, 1000, [logKey.signerKey]);
    await rm(join(copy, tilePath(0, 1)));
    const result = await run("audit", "--key", logKey.verifierKey, "--log", copy, "--no-entries");
    expect(result.code).toBe(EXIT_UNAVAILABLE);
    expect(result.err).toContain("no such file");
  });
});

describe("over HTTP", () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createServer(async (request, response) => {
      const path = decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname).replace(/^\/ledger\//, "");
      try {
        const body = await readFile(join(logDir, path));
        response.writeHead(200, {
          "content-type": path === "checkpoint" ? "text/plain; charset=utf-8" : "application/octet-stream",
        });
        response.end(body);
      } catch {
        response.writeHead(404).end("not found");
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ledger`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("audits and proves inclusion from a base URL", async () => {
    expect((await run("audit", "--key", logKey.verifierKey, "--log", base)).code).toBe(EXIT_OK);
    expect((await run("verify-inclusion", "--key", logKey.verifierKey, "--log", base, "--index", "999")).code).toBe(
      EXIT_OK,
    );
    expect((await run("verify-checkpoint", "--key", logKey.verifierKey, `${base}/checkpoint`)).code).toBe(EXIT_OK);
  });

  it("reports HTTP errors with the URL", async () => {
    const result = await run("verify-checkpoint", "--key", logKey.verifierKey, `${base}/missing`);
    expect(result.code).toBe(EXIT_UNAVAILABLE);
    expect(result.err).toContain(`GET ${base}/missing: HTTP 404 Not Found`);
  });
});

describe("the bin launcher", () => {
  it("runs under plain node and exits with the verdict", () => {
    const bin = fileURLToPath(new URL("../../bin/tongban-ledger.mjs", import.meta.url));
    const ok = spawnSync(process.execPath, [bin, "verify-checkpoint", "--key", logKey.verifierKey, "--log", logDir], {
      encoding: "utf8",
    });
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain("checkpoint: ledger.fuzhou.gov.cn/v1, 1000 entries");
    const bad = spawnSync(process.execPath, [bin, "verify-checkpoint", "--key", otherKey.verifierKey, "-"], {
      encoding: "utf8",
      input: "not a checkpoint",
    });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("FAILED: checkpoint: malformed note");
  });
});

describe("a server serving bad tiles", () => {
  it("is a verification failure, not a crash", async () => {
    const copy = join(root, "truncated");
    await publish(copy, honest.log, 1000, [logKey.signerKey]);
    const path = join(copy, tilePath(0, 3, 1000 - 768));
    await writeFile(path, (await readFile(path)).subarray(1));
    const result = await run(
      "verify-inclusion",
      "--key",
      logKey.verifierKey,
      "--log",
      copy,
      "--index",
      "900",
      "--data",
      entryText(900),
    );
    expect(result.code).toBe(EXIT_VERIFICATION_FAILED);
    expect(result.err).toContain("tile/0/003.p/232: tile should hold 232 hashes");
  });
});
