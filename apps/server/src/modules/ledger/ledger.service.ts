// The sequencer and the read side of the ledger (全程留痕、可以追溯): outbox rows become RFC 9162 log
// entries in batches, each batch followed by a signed C2SP checkpoint.
import { createHash } from "node:crypto";
import {
  consistencyProofFromStore,
  formatEntryBundle,
  generateNoteKey,
  type HashReader,
  inclusionProofFromStore,
  leafHash,
  parseSignerKey,
  parseTilePath,
  signCheckpoint,
  storedHashCount,
  storedHashesForBatch,
  storedHashIndex,
  TILE_HEIGHT,
  TILE_WIDTH,
  tileWidth,
  toBase64,
  treeHashFromStore,
  utf8Encode,
} from "@tongban/ledger";
import type { Db } from "../../db/database.ts";
import { AppError } from "../../http/errors.ts";
import { canonicalJson } from "../../lib/canonical-json.ts";
import type { Clock, KeyStore } from "../../ports/index.ts";
import { ledgerRepository as repo } from "./ledger.repository.ts";

export interface LedgerEntryProof {
  index: number;
  entry: string;
  leafHash: string;
  treeSize: number;
  proof: string[];
  checkpoint: string;
}

/** A batch of outbox rows appended to the log. */
export interface IntegratedBatch {
  status: "integrated";
  /** The index of the batch's first entry; the batch holds first … treeSize − 1. */
  first: number;
  /** The size of the tree, and of the checkpoint signed over it, after the batch. */
  treeSize: number;
  /** The outbox rows integrated, in index order. */
  outboxIds: number[];
  /** The batch was as large as allowed: more rows are probably waiting. */
  full: boolean;
  /** The root hash of the tree after the batch (RFC 9162 §2.1.1), what its checkpoint signs. */
  rootHash: Uint8Array;
}

/** What one sequencer step did. */
export type IntegrationResult = IntegratedBatch | { status: "idle" } | { status: "busy" };

/** A change a batch integrates, as its outbox row names it, with the ledger index it got. */
export type IntegratedChange = { type: string; subject: string; outboxId: number; index: number };

/**
 * Told of the changes each batch gives their ledger index: `during` inside the batch's transaction
 * (e.g. a NOTIFY that other processes then hear at its commit), `after` once it has committed.
 */
export interface IntegrationListener {
  during?(trx: Db, changes: IntegratedChange[]): Promise<void>;
  after?(changes: IntegratedChange[]): void;
}

const reader = (db: Db): HashReader => ({ readHashes: (indexes) => repo.readHashes(db, indexes) });

/**
 * The entry as logged: canonical JSON (RFC 8785 ordering) of what happened, to which subject, by whom
 * and when, with only a SHA-256 of the facts — personal data stays out of the log.
 */
export function ledgerEntry(row: {
  type: string;
  subject: string;
  actor: string | null;
  at: Date;
  content: unknown;
}): string {
  const contentHash = createHash("sha256")
    .update(canonicalJson(row.content ?? {}))
    .digest("hex");
  return canonicalJson({
    type: row.type,
    subject: row.subject,
    actor: row.actor,
    at: row.at.toISOString(),
    contentHash,
  });
}

/**
 * The node's checkpoint keys, generated into the key store at the first start: Ed25519, and SM2 when
 * asked. Exported so a federation launcher can publish a node's ledger key before the node starts.
 */
export function ledgerKeyPairs(keys: KeyStore, origin: string, sm2: boolean) {
  const loadKey = (name: string, type: "ed25519" | "sm2") =>
    JSON.parse(keys.getOrCreate(name, () => JSON.stringify(generateNoteKey(origin, type)))) as {
      signerKey: string;
      verifierKey: string;
    };
  return {
    ed25519: loadKey("ledger-note-key", "ed25519"),
    sm2: sm2 ? loadKey("ledger-sm2-key", "sm2") : undefined,
  };
}

export function createLedgerService({
  db,
  clock,
  keys,
  origin,
  sm2 = false,
}: {
  db: Db;
  clock: Clock;
  keys: KeyStore;
  origin: string;
  /** Also sign each checkpoint with the node's SM2 key (SM2-with-SM3, default distinguishing ID). */
  sm2?: boolean;
}) {
  const { ed25519: pair, sm2: sm2Pair } = ledgerKeyPairs(keys, origin, sm2);
  // The Ed25519 line comes first: Go's sumdb/note and every C2SP verifier read it and skip the SM2 line.
  const signers = [parseSignerKey(pair.signerKey), ...(sm2Pair ? [parseSignerKey(sm2Pair.signerKey)] : [])];
  const listeners: IntegrationListener[] = [];

  return {
    origin,

    /** Registers a listener told of the changes every batch integrates (in any process's batches). */
    onIntegrated(listener: IntegrationListener) {
      listeners.push(listener);
    },
    /** The Ed25519 verifier key (Go sumdb/note form), published at /ledger/key. */
    verifierKey: pair.verifierKey,
    /** The SM2 verifier key when checkpoints carry an SM2 line, published at /ledger/key/sm2. */
    sm2VerifierKey: sm2Pair?.verifierKey,

    /**
     * Integrates up to `batchSize` outbox rows under the ledger lock and signs a checkpoint over the
     * new tree (see integrateBatch). Answers the new tree size, or undefined when nothing was waiting.
     */
    async integrate(batchSize = 1000): Promise<number | undefined> {
      const batch = await this.integrateBatch(batchSize, { wait: true });
      return batch.status === "integrated" ? batch.treeSize : undefined;
    },

    /**
     * One sequencer step. In one transaction under the ledger lock (waiting for it, or with
     * `wait: false` answering "busy" when another process holds it): up to `batchSize` waiting outbox
     * rows become entries and stored hashes, and their outbox rows get their index — durable at that
     * commit (`onIndexed` is called then). Then a checkpoint over the new tree is signed (Ed25519, and
     * SM2 when enabled) and published; signing after the commit keeps it off the index's latency. A
     * process that died between the two leaves a tree without its checkpoint: the next step signs it.
     * With `sign: false` the step only integrates (the sequencer signs at most every few milliseconds,
     * not after every batch): `publishCheckpoint` with the batch's tree size and root hash signs it
     * later, or a later step with `sign` (the default) signs the tree as it is then, also when nothing
     * new is waiting.
     */
    async integrateBatch(
      batchSize = 1000,
      {
        wait = true,
        sign = true,
        onIndexed,
      }: { wait?: boolean; sign?: boolean; onIndexed?: (batch: IntegratedBatch) => void } = {},
    ): Promise<IntegrationResult> {
      const now = clock.now();
      let integrated: IntegratedChange[] = [];
      const step = await db
        .transaction()
        .execute(
          async (
            trx,
          ): Promise<{ result: IntegrationResult; unsigned?: { treeSize: number; rootHash: Uint8Array } }> => {
            if (wait) await repo.lock(trx);
            else if (!(await repo.tryLock(trx))) return { result: { status: "busy" } };
            const rows = await repo.pending(trx, batchSize);
            const size = await repo.treeSize(trx);
            if (rows.length === 0) {
              if (!sign) return { result: { status: "idle" } };
              const signed = Number((await repo.latestCheckpoint(trx))?.tree_size ?? 0);
              if (signed >= size) return { result: { status: "idle" } };
              const rootHash = await treeHashFromStore(reader(trx), size);
              return { result: { status: "idle" }, unsigned: { treeSize: size, rootHash } };
            }
            const entries = rows.map((row, i) => {
              const entry = ledgerEntry(row);
              return {
                idx: size + i,
                outbox_id: Number(row.id),
                entry,
                leaf_hash: leafHash(utf8Encode(entry)),
                integrated_at: now,
              };
            });
            const hashes = await storedHashesForBatch(
              reader(trx),
              size,
              entries.map((e) => e.leaf_hash),
            );
            const changes = rows.map((row, i) => ({
              type: row.type,
              subject: row.subject,
              outboxId: Number(row.id),
              index: size + i,
            }));
            for (const listener of listeners) await listener.during?.(trx, changes);
            const first = storedHashCount(size);
            await repo.append(
              trx,
              entries,
              hashes.map((hash, i) => ({ idx: first + i, hash })),
            );
            const treeSize = size + entries.length;
            const rootHash = await treeHashFromStore(reader(trx), treeSize);
            integrated = changes;
            const result: IntegratedBatch = {
              status: "integrated",
              first: size,
              treeSize,
              outboxIds: entries.map((e) => e.outbox_id),
              full: rows.length === batchSize,
              rootHash,
            };
            return sign ? { result, unsigned: { treeSize, rootHash } } : { result };
          },
        );
      if (step.result.status === "integrated") {
        for (const listener of listeners) listener.after?.(integrated);
        onIndexed?.(step.result);
      }
      if (step.unsigned) await this.publishCheckpoint(step.unsigned);
      return step.result;
    },

    /**
     * Signs a checkpoint over a tree this process integrated (its size and root hash from
     * `integrateBatch`) and publishes it. No lock is needed: a checkpoint of a smaller tree saved
     * after a larger one (by another process) is still true, and readers take the largest.
     */
    async publishCheckpoint({ treeSize, rootHash }: { treeSize: number; rootHash: Uint8Array }): Promise<void> {
      const note = signCheckpoint({ origin, treeSize, rootHash, extensions: [] }, signers);
      await repo.saveCheckpoint(db, { tree_size: treeSize, root_hash: rootHash, note, created_at: clock.now() });
    },

    /**
     * C2SP tlog-tiles: the bytes of `tile/<L>/<N>[.p/<W>]` (hashes) or `tile/entries/<N>[.p/<W>]`
     * (entry bundle) for the latest checkpoint, and whether the tile is full (and so immutable).
     * Answers undefined for a tile the tree does not have (yet).
     */
    async tile(path: string): Promise<{ data: Uint8Array; full: boolean } | undefined> {
      const address = parseTilePath(path);
      if (!address.ok) return undefined;
      const checkpoint = await repo.latestCheckpoint(db);
      const treeSize = checkpoint ? Number(checkpoint.tree_size) : 0;
      const { level, index, width } = address.value;
      const available = tileWidth(level === "entries" ? 0 : level, index, treeSize);
      if (width > available || width === 0) return undefined;
      if (level === "entries") {
        const rows = await repo.entriesRange(db, index * TILE_WIDTH, width);
        return { data: formatEntryBundle(rows.map((r) => utf8Encode(r.entry))), full: width === TILE_WIDTH };
      }
      const indexes = Array.from({ length: width }, (_, i) =>
        storedHashIndex(level * TILE_HEIGHT, index * TILE_WIDTH + i),
      );
      const hashes = await repo.readHashes(db, indexes);
      const data = new Uint8Array(width * 32);
      for (const [i, hash] of hashes.entries()) data.set(hash, i * 32);
      return { data, full: width === TILE_WIDTH };
    },

    /** RFC 9162 §2.1.3: inclusion proof of `index` in the tree of `size` (≤ the latest checkpoint). */
    async inclusionProof(index: number, size: number): Promise<string[]> {
      const latest = Number((await repo.latestCheckpoint(db))?.tree_size ?? 0);
      if (size > latest || index >= size) throw new AppError("LEDGER_ENTRY_NOT_FOUND", { index, size, latest });
      return (await inclusionProofFromStore(reader(db), index, size)).map(toBase64);
    },

    /** RFC 9162 §2.1.4: consistency proof from tree size `from` to `to` (≤ the latest checkpoint). */
    async consistencyProof(from: number, to: number): Promise<string[]> {
      const latest = Number((await repo.latestCheckpoint(db))?.tree_size ?? 0);
      if (to > latest || from > to) throw new AppError("LEDGER_ENTRY_NOT_FOUND", { from, to, latest });
      return (await consistencyProofFromStore(reader(db), from, to)).map(toBase64);
    },

    async checkpoint(): Promise<string | undefined> {
      return (await repo.latestCheckpoint(db))?.note;
    },

    /** An entry with its inclusion proof against the latest signed checkpoint. */
    async entryWithProof(index: number): Promise<LedgerEntryProof> {
      const checkpoint = await repo.latestCheckpoint(db);
      const treeSize = checkpoint ? Number(checkpoint.tree_size) : 0;
      if (!checkpoint || index >= treeSize) throw new AppError("LEDGER_ENTRY_NOT_FOUND", { index, treeSize });
      const row = await repo.entry(db, index);
      if (!row) throw new AppError("LEDGER_ENTRY_NOT_FOUND", { index, treeSize });
      const proof = await inclusionProofFromStore(reader(db), index, treeSize);
      return {
        index,
        entry: row.entry,
        leafHash: toBase64(new Uint8Array(row.leaf_hash)),
        treeSize,
        proof: proof.map(toBase64),
        checkpoint: checkpoint.note,
      };
    },
  };
}
export type LedgerService = ReturnType<typeof createLedgerService>;
