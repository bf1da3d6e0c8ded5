// tongban-ledger: an independent verifier for a Tongban ledger (or any C2SP tlog-tiles log). It
// trusts only the verifier keys it is given: checkpoints must be signed by them, and every proof,
// tile and entry is checked against a signed root before anything is reported as true.
import { parseArgs } from "node:util";
import { auditTiles } from "../audit.ts";
import { hasControlCharacter, toBase64, toHex, utf8Decode, utf8Encode } from "../bytes.ts";
import { type Checkpoint, verifyCheckpoint } from "../checkpoint.ts";
import { generateNoteKey, NoteKeyError, type NoteKeyType, type ParsedVerifier, parseVerifierKey } from "../keys.ts";
import { leafHash, verifyConsistency, verifyInclusion } from "../merkle.ts";
import type { NoteSignature } from "../note.ts";
import { consistencyProofFromStore, inclusionProofFromStore } from "../stored.ts";
import {
  MalformedTileError,
  parseEntryBundle,
  TILE_WIDTH,
  type Tile,
  tileHashReader,
  tilePath,
  tileWidth,
} from "../tiles.ts";
import { decodeHash, type ProofFile, parseProofFile } from "./proof-file.ts";
import { type Fetch, type LogLocation, logLocation, readLocation, SourceError } from "./source.ts";

export const EXIT_OK = 0;
/** A signature, proof or audit did not verify: the log (or whoever served the data) is not to be trusted. */
export const EXIT_VERIFICATION_FAILED = 1;
/** The command line or a key is wrong. */
export const EXIT_USAGE = 2;
/** Something could not be read or fetched; nothing was concluded about the log. */
export const EXIT_UNAVAILABLE = 3;
/** A bug in this program. */
export const EXIT_INTERNAL = 4;

export interface CliIo {
  stdout(line: string): void;
  stderr(line: string): void;
  readonly fetch?: Fetch;
  readonly readStdin?: () => Promise<Uint8Array>;
  readonly writeFile?: (path: string, data: Uint8Array) => Promise<void>;
}

class UsageError extends Error {}
class VerificationFailure extends Error {}

export const USAGE = `tongban-ledger — verify a Tongban ledger (C2SP tlog-tiles transparency log) yourself

Usage:
  tongban-ledger verify-checkpoint --key <vkey> [--witness <vkey> … [--quorum <n>]] [--origin <o>] (<checkpoint> | --log <base>)
  tongban-ledger verify-inclusion  --key <vkey> --index <n> (--checkpoint <checkpoint> | --log <base>)
                                   [--entry <file> | --data <text> | --leaf-hash <hash>] [--proof <file>]
  tongban-ledger verify-consistency --key <vkey> --old <saved checkpoint> (--new <checkpoint> | --log <base>)
                                   [--proof <file>] [--update]
  tongban-ledger audit             --key <vkey> --log <base> [--no-entries] [--concurrency <n>] [--progress]
  tongban-ledger keygen            --name <name> [--type ed25519|cosignature/v1|sm2]

  <base>        the log's URL prefix (https://…/ledger) or a directory with the same layout:
                <base>/checkpoint, <base>/tile/<L>/<N>[.p/<W>], <base>/tile/entries/<N>[.p/<W>]
  <checkpoint>  a file, an http(s) URL, or - for stdin
  <vkey>        a verifier key (name+keyid+base64, as Go's sumdb/note writes it), or @file / @URL
                holding one key per line (e.g. @https://…/ledger/keys: the log's Ed25519 and SM2 keys)
  --key         every key given must have signed; repeat it (or give a file of keys) to require
                several signatures, e.g. the log's Ed25519 key and its SM2 key (GB/T 32918, SM3)
  <hash>        32 bytes as base64 or 64 hex digits
  proof files   JSON ["hash", …] or {"proof": ["hash", …], …}, or one hash per line

Exit status: 0 verified, 1 verification failed, 2 usage error, 3 could not read or fetch, 4 internal error.`;

/** Runs one command; returns the process exit status. Never throws. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...args] = argv;
  try {
    switch (command) {
      case "verify-checkpoint":
        await verifyCheckpointCommand(args, io);
        break;
      case "verify-inclusion":
        await verifyInclusionCommand(args, io);
        break;
      case "verify-consistency":
        await verifyConsistencyCommand(args, io);
        break;
      case "audit":
        await auditCommand(args, io);
        break;
      case "keygen":
        keygenCommand(args, io);
        break;
      case "help":
      case "--help":
      case "-h":
        io.stdout(USAGE);
        break;
      case undefined:
        io.stderr(USAGE);
        return EXIT_USAGE;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
    return EXIT_OK;
  } catch (error) {
    if (error instanceof VerificationFailure || error instanceof MalformedTileError) {
      io.stderr(`FAILED: ${error.message}`);
      return EXIT_VERIFICATION_FAILED;
    }
    if (error instanceof UsageError || error instanceof NoteKeyError) {
      io.stderr(`error: ${error.message}`);
      io.stderr('Run "tongban-ledger help" for usage.');
      return EXIT_USAGE;
    }
    if (error instanceof SourceError) {
      io.stderr(`error: ${error.message}`);
      return EXIT_UNAVAILABLE;
    }
    io.stderr(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return EXIT_INTERNAL;
  }
}

async function verifyCheckpointCommand(args: readonly string[], io: CliIo): Promise<void> {
  const { values, positionals } = parse(args, {
    key: { type: "string", multiple: true },
    witness: { type: "string", multiple: true },
    quorum: { type: "string" },
    origin: { type: "string" },
    log: { type: "string" },
  });
  const location = positionals[0] ?? (values.log === undefined ? undefined : `${trimSlash(values.log)}/checkpoint`);
  if (location === undefined || positionals.length > 1) {
    throw new UsageError("give one checkpoint (file, URL or -) or --log <base>");
  }
  const trust = await policy(values, io);
  const opened = await openCheckpoint(await readLocation(location, io), "checkpoint", trust);
  reportCheckpoint(opened, io);
}

async function verifyInclusionCommand(args: readonly string[], io: CliIo): Promise<void> {
  const { values } = parse(args, {
    key: { type: "string", multiple: true },
    witness: { type: "string", multiple: true },
    quorum: { type: "string" },
    origin: { type: "string" },
    log: { type: "string" },
    checkpoint: { type: "string" },
    index: { type: "string" },
    entry: { type: "string" },
    data: { type: "string" },
    "leaf-hash": { type: "string" },
    proof: { type: "string" },
  });
  const index = parseCount("--index", values.index);
  const log = values.log === undefined ? undefined : logLocation(values.log, io);
  const checkpointLocation = values.checkpoint ?? (log === undefined ? undefined : `${log.base}/checkpoint`);
  if (checkpointLocation === undefined) throw new UsageError("give --checkpoint <file|URL> or --log <base>");
  if (values.proof === undefined && log === undefined) {
    throw new UsageError("give --proof <file> or --log <base> to compute the proof from tiles");
  }
  const givenEntries = [values.entry, values.data, values["leaf-hash"]].filter((value) => value !== undefined).length;
  if (givenEntries > 1) throw new UsageError("give only one of --entry, --data and --leaf-hash");
  if (givenEntries === 0 && log === undefined) {
    throw new UsageError("give the entry (--entry, --data or --leaf-hash) or --log to fetch it");
  }

  const trust = await policy(values, io);
  const opened = await openCheckpoint(await readLocation(checkpointLocation, io), "checkpoint", trust);
  const { checkpoint } = opened;
  if (index >= checkpoint.treeSize) {
    throw new VerificationFailure(
      `entry ${index} is not in the checkpoint: ${checkpoint.origin} has ${checkpoint.treeSize} entries`,
    );
  }

  let leaf: Uint8Array;
  let fetchedEntry: Uint8Array | undefined;
  if (values.entry !== undefined) leaf = leafHash(await readLocation(values.entry, io));
  else if (values.data !== undefined) leaf = leafHash(utf8Encode(values.data));
  else if (values["leaf-hash"] !== undefined) {
    const decoded = decodeHash(values["leaf-hash"]);
    if (decoded === undefined) throw new UsageError("--leaf-hash must be 32 bytes in base64 or 64 hex digits");
    leaf = decoded;
  } else {
    fetchedEntry = await fetchEntry(log as LogLocation, index, checkpoint.treeSize);
    leaf = leafHash(fetchedEntry);
  }

  let proof: Uint8Array[];
  if (values.proof !== undefined) {
    const file = await readProof(values.proof, io);
    checkClaims(file, { index, leafIndex: index, treeSize: checkpoint.treeSize, size: checkpoint.treeSize });
    proof = file.hashes;
  } else {
    const reader = tileHashReader(checkpoint.treeSize, tileFetcher(log as LogLocation));
    proof = await inclusionProofFromStore(reader, index, checkpoint.treeSize);
  }

  if (!verifyInclusion(leaf, index, checkpoint.treeSize, proof, checkpoint.rootHash)) {
    throw new VerificationFailure(
      `entry ${index} (leaf hash ${toHex(leaf)}) is NOT proven to be in ${checkpoint.origin} at size ${checkpoint.treeSize}: ` +
        "the proof does not lead to the signed root",
    );
  }
  reportCheckpoint(opened, io);
  io.stdout(
    `OK: entry ${index} (leaf hash ${toHex(leaf)}) is included in ${checkpoint.origin} at size ${checkpoint.treeSize}`,
  );
  if (fetchedEntry !== undefined) {
    const text = utf8Decode(fetchedEntry);
    io.stdout(
      text !== undefined && !hasControlCharacter(text, true)
        ? `entry: ${text}`
        : `entry: ${fetchedEntry.length} bytes (binary)`,
    );
  }
}

async function verifyConsistencyCommand(args: readonly string[], io: CliIo): Promise<void> {
  const { values } = parse(args, {
    key: { type: "string", multiple: true },
    witness: { type: "string", multiple: true },
    quorum: { type: "string" },
    origin: { type: "string" },
    old: { type: "string" },
    new: { type: "string" },
    log: { type: "string" },
    proof: { type: "string" },
    update: { type: "boolean" },
  });
  if (values.old === undefined) throw new UsageError("give the saved checkpoint with --old <file>");
  const log = values.log === undefined ? undefined : logLocation(values.log, io);
  const newLocation = values.new ?? (log === undefined ? undefined : `${log.base}/checkpoint`);
  if (newLocation === undefined) {
    throw new UsageError("give the newer checkpoint with --new <file|URL> or --log <base>");
  }
  const trust = await policy(values, io);
  const oldOpened = await openCheckpoint(await readLocation(values.old, io), "saved checkpoint", trust);
  const newBytes = await readLocation(newLocation, io);
  const newOpened = await openCheckpoint(newBytes, "new checkpoint", trust);
  const older = oldOpened.checkpoint;
  const newer = newOpened.checkpoint;

  if (older.origin !== newer.origin) {
    throw new VerificationFailure(`the checkpoints are for different logs: ${older.origin} and ${newer.origin}`);
  }
  if (newer.treeSize < older.treeSize) {
    throw new VerificationFailure(
      `the new checkpoint has ${newer.treeSize} entries, fewer than the saved ${older.treeSize}: the log rolled back (or the files are swapped)`,
    );
  }
  let proof: Uint8Array[] = [];
  if (older.treeSize > 0 && older.treeSize < newer.treeSize) {
    if (values.proof !== undefined) {
      const file = await readProof(values.proof, io);
      checkClaims(file, { size1: older.treeSize, from: older.treeSize, size2: newer.treeSize, to: newer.treeSize });
      proof = file.hashes;
    } else if (log !== undefined) {
      proof = await consistencyProofFromStore(
        tileHashReader(newer.treeSize, tileFetcher(log)),
        older.treeSize,
        newer.treeSize,
      );
    } else {
      throw new UsageError("give --proof <file> or --log <base> to compute the consistency proof from tiles");
    }
  }
  if (!verifyConsistency(older.treeSize, newer.treeSize, proof, older.rootHash, newer.rootHash)) {
    const what =
      older.treeSize === newer.treeSize
        ? `two different roots for the same size ${older.treeSize}`
        : `the tree of ${newer.treeSize} entries does not extend the saved tree of ${older.treeSize}`;
    throw new VerificationFailure(
      `${older.origin} is NOT consistent with the saved checkpoint: ${what}. ` +
        "Both checkpoints are signed, so this is evidence of a rewritten history or a split view; keep both files.",
    );
  }
  reportCheckpoint(newOpened, io);
  io.stdout(
    older.treeSize === newer.treeSize
      ? `OK: ${newer.origin} is unchanged at ${newer.treeSize} entries`
      : `OK: ${newer.origin} grew from ${older.treeSize} to ${newer.treeSize} entries without changing any earlier entry`,
  );
  if (values.update === true) {
    if (io.writeFile === undefined) throw new UsageError("--update is not available here");
    await io.writeFile(values.old, newBytes);
    io.stdout(`saved the new checkpoint to ${values.old}`);
  }
}

async function auditCommand(args: readonly string[], io: CliIo): Promise<void> {
  const { values } = parse(args, {
    key: { type: "string", multiple: true },
    witness: { type: "string", multiple: true },
    quorum: { type: "string" },
    origin: { type: "string" },
    log: { type: "string" },
    "no-entries": { type: "boolean" },
    concurrency: { type: "string" },
    progress: { type: "boolean" },
  });
  if (values.log === undefined) throw new UsageError("give the log with --log <base>");
  const log = logLocation(values.log, io);
  const concurrency = values.concurrency === undefined ? 8 : parseCount("--concurrency", values.concurrency);
  const trust = await policy(values, io);
  const opened = await openCheckpoint(await log.read("checkpoint"), "checkpoint", trust);
  const { checkpoint } = opened;
  reportCheckpoint(opened, io);
  let lastReported = 0;
  const report = await auditTiles(
    checkpoint.treeSize,
    {
      readTile: tileFetcher(log),
      readEntryBundle: (tile) => log.read(tilePath("entries", tile.index, tile.width)),
    },
    {
      checkEntries: values["no-entries"] !== true,
      expectedRoot: checkpoint.rootHash,
      concurrency: Math.max(1, concurrency),
      onProgress: (done, total) => {
        if (values.progress === true && (done - lastReported >= 65_536 || done === total)) {
          lastReported = done;
          io.stderr(`audited ${done}/${total} entries`);
        }
      },
    },
  );
  if (!report.ok) {
    throw new VerificationFailure(
      `audit of ${checkpoint.origin} at size ${checkpoint.treeSize} found ${report.problems.length} problem(s):\n  ${report.problems.join("\n  ")}`,
    );
  }
  const entries = values["no-entries"] === true ? "entries not fetched" : `${report.entriesChecked} entries re-hashed`;
  io.stdout(
    `OK: audited ${checkpoint.origin}: ${report.tilesRead} tiles, ${entries}; ` +
      `the recomputed root ${toBase64(report.rootHash)} matches the signed checkpoint of ${checkpoint.treeSize} entries`,
  );
}

function keygenCommand(args: readonly string[], io: CliIo): void {
  const { values } = parse(args, { name: { type: "string" }, type: { type: "string" } });
  if (values.name === undefined) throw new UsageError("give the key name with --name (e.g. ledger.example.gov.cn/v1)");
  const type = (values.type ?? "ed25519") as NoteKeyType;
  if (!["ed25519", "cosignature/v1", "sm2"].includes(type)) {
    throw new UsageError("--type is ed25519, cosignature/v1 or sm2");
  }
  const { signerKey, verifierKey } = generateNoteKey(values.name, type);
  io.stdout(`signer key (secret, keep it offline): ${signerKey}`);
  io.stdout(`verifier key (publish it): ${verifierKey}`);
}

interface TrustPolicy {
  readonly keys: readonly ParsedVerifier[];
  readonly witnesses: readonly ParsedVerifier[];
  readonly quorum: number;
  readonly origin?: string;
}

interface OpenedCheckpoint {
  readonly checkpoint: Checkpoint;
  readonly signers: readonly ParsedVerifier[];
  readonly witnesses: readonly { verifier: ParsedVerifier; timestamp?: number }[];
}

async function policy(
  values: { key?: string[]; witness?: string[]; quorum?: string; origin?: string },
  io: CliIo,
): Promise<TrustPolicy> {
  if (values.key === undefined || values.key.length === 0) {
    throw new UsageError("give at least one verifier key with --key");
  }
  const keys = (await Promise.all(values.key.map((key) => loadKeys(key, "--key", io)))).flat();
  const witnesses = (await Promise.all((values.witness ?? []).map((key) => loadKeys(key, "--witness", io)))).flat();
  const quorum = values.quorum === undefined ? witnesses.length : parseCount("--quorum", values.quorum);
  if (quorum > witnesses.length) {
    throw new UsageError(`--quorum ${quorum} exceeds the ${witnesses.length} witness keys given`);
  }
  return { keys, witnesses, quorum, ...(values.origin === undefined ? {} : { origin: values.origin }) };
}

/** One key given inline, or every key in a file or URL (one per line, e.g. a log's /ledger/keys). */
async function loadKeys(value: string, option: string, io: CliIo): Promise<ParsedVerifier[]> {
  const text = value.startsWith("@") ? utf8Decode(await readLocation(value.slice(1), io)) : value;
  if (text === undefined) throw new UsageError(`${option} ${value}: the key file is not text`);
  const lines = text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
  if (lines.length === 0) throw new UsageError(`${option} ${value}: no key in it`);
  try {
    return lines.map((line) => parseVerifierKey(line));
  } catch (error) {
    throw new UsageError(`${option} ${value.startsWith("@") ? value : "key"}: ${(error as Error).message}`);
  }
}

async function openCheckpoint(bytes: Uint8Array, label: string, trust: TrustPolicy): Promise<OpenedCheckpoint> {
  const result = verifyCheckpoint(bytes, [...trust.keys, ...trust.witnesses], trust.origin);
  if (!result.ok) {
    let detail = result.error;
    if (result.reason === "unverified") {
      const signedBy = parseSigners(bytes);
      detail += signedBy === "" ? "" : ` (it is signed by ${signedBy})`;
    }
    throw new VerificationFailure(`${label}: ${detail}`);
  }
  const signedBy = new Set(result.verified.map(keyLabel));
  const missing = trust.keys.filter((key) => !signedBy.has(keyLabel(key)));
  if (missing.length > 0) {
    throw new VerificationFailure(`${label} is not signed by ${missing.map(keyLabel).join(", ")}`);
  }
  const witnesses = trust.witnesses
    .filter((witness) => signedBy.has(keyLabel(witness)))
    .map((verifier) => {
      const signature = result.verified.find((candidate) => keyLabel(candidate) === keyLabel(verifier));
      return { verifier, ...timestampOf(verifier, signature) };
    });
  if (witnesses.length < trust.quorum) {
    throw new VerificationFailure(
      `${label} has ${witnesses.length} of the ${trust.quorum} witness cosignatures required`,
    );
  }
  return { checkpoint: result.checkpoint, signers: trust.keys, witnesses };
}

function reportCheckpoint(opened: OpenedCheckpoint, io: CliIo): void {
  const { checkpoint } = opened;
  io.stdout(`checkpoint: ${checkpoint.origin}, ${checkpoint.treeSize} entries, root ${toBase64(checkpoint.rootHash)}`);
  for (const signer of opened.signers) io.stdout(`  signed by ${keyLabel(signer)} (${signer.type})`);
  for (const { verifier, timestamp } of opened.witnesses) {
    io.stdout(
      `  cosigned by ${keyLabel(verifier)}${timestamp === undefined ? "" : ` at ${new Date(timestamp * 1000).toISOString()}`}`,
    );
  }
}

function timestampOf(verifier: ParsedVerifier, signature: NoteSignature | undefined): { timestamp?: number } {
  if (verifier.type !== "cosignature/v1" || signature === undefined || signature.signature.length < 8) return {};
  const seconds = new DataView(signature.signature.buffer, signature.signature.byteOffset, 8).getBigUint64(0, false);
  // Beyond what a Date can show: report the cosigner without a time rather than a wrong one.
  return seconds <= 8_640_000_000_000n ? { timestamp: Number(seconds) } : {};
}

async function fetchEntry(log: LogLocation, index: number, treeSize: number): Promise<Uint8Array> {
  const bundleIndex = Math.floor(index / TILE_WIDTH);
  const width = tileWidth(0, bundleIndex, treeSize);
  const path = tilePath("entries", bundleIndex, width);
  const bundle = parseEntryBundle(await log.read(path));
  if (!bundle.ok) throw new VerificationFailure(`${path}: ${bundle.error}`);
  const entry = bundle.value[index - bundleIndex * TILE_WIDTH];
  if (bundle.value.length !== width || entry === undefined) {
    throw new VerificationFailure(`${path} holds ${bundle.value.length} entries, expected ${width}`);
  }
  return entry;
}

function tileFetcher(log: LogLocation): (tile: Tile) => Promise<Uint8Array> {
  return (tile) => log.read(tilePath(tile.level, tile.index, tile.width));
}

async function readProof(location: string, io: CliIo): Promise<ProofFile> {
  const parsed = parseProofFile(await readLocation(location, io));
  if (!parsed.ok) throw new UsageError(`--proof ${location}: ${parsed.error}`);
  return parsed.value;
}

/** A proof file that says it is for other positions is refused before it is even tried. */
function checkClaims(file: ProofFile, expected: Readonly<Record<string, number>>): void {
  for (const [field, value] of Object.entries(file.claims)) {
    const want = expected[field];
    if (want !== undefined && want !== value) {
      throw new VerificationFailure(`the proof file is for ${field} ${value}, but this check needs ${field} ${want}`);
    }
  }
}

function parseSigners(bytes: Uint8Array): string {
  const text = utf8Decode(bytes) ?? "";
  return text
    .split("\n")
    .filter((line) => line.startsWith("\u2014 "))
    .map((line) => line.slice(2).split(" ")[0])
    .join(", ");
}

function keyLabel(key: { name: string; keyId: number }): string {
  return `${key.name}+${(key.keyId >>> 0).toString(16).padStart(8, "0")}`;
}

function parseCount(option: string, value: string | undefined): number {
  if (value === undefined) throw new UsageError(`give ${option} <n>`);
  if (!/^(0|[1-9][0-9]*)$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`${option} must be a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

function trimSlash(base: string): string {
  return base.replace(/\/+$/, "");
}

type OptionSpec = Record<string, { type: "string" | "boolean"; multiple?: boolean }>;

function parse<T extends OptionSpec>(args: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
