// Nodes watch each other's ledgers (C2SP tlog-witness): each node cosigns its peers' checkpoints,
// but only a checkpoint consistent with the last one it cosigned for that log. A log that shows two
// different histories — the same size with another root, or a larger tree that does not extend the
// one witnessed — is refused and reported as a security event with both checkpoints as evidence.
// The log side (`cosignLatest`) offers this node's latest checkpoint to every peer's witness and keeps
// the cosignatures it gets.
import {
  cosign,
  fromBase64,
  type ParsedVerifier,
  parseCheckpoint,
  parseNote,
  toBase64,
  verifyConsistency,
  verifyCosignature,
  verifyNote,
} from "@tongban/ledger";
import type { Db } from "../../db/database.ts";
import type { Clock } from "../../ports/index.ts";
import type { LedgerService } from "../ledger/ledger.service.ts";
import type { FederationService } from "./federation.service.ts";
import type { NodeIdentity } from "./identity.ts";
import type { PeerTransport } from "./transport.ts";
import type { TrustStore } from "./trust-list.ts";

export const ADD_CHECKPOINT_PATH = "api/v1/federation/witness/add-checkpoint";

/** What the witness answers, as C2SP tlog-witness says: a status and a text body. */
export interface WitnessAnswer {
  status: 200 | 400 | 403 | 404 | 409 | 422;
  /** 200: the cosignature line; 409: the size the witness holds (text/x.tlog.size); else the reason. */
  body: string;
}

/** C2SP tlog-witness add-checkpoint request body: `old <size>`, proof lines, a blank line, the checkpoint. */
export function formatAddCheckpoint(oldSize: number, proof: readonly string[], checkpoint: string): string {
  return `old ${oldSize}\n${proof.map((p) => `${p}\n`).join("")}\n${checkpoint}`;
}

function parseAddCheckpoint(body: string): { oldSize: number; proof: Uint8Array[]; note: string } | string {
  const blank = body.indexOf("\n\n");
  if (blank < 0) return "the request needs the old size and proof, a blank line and the checkpoint";
  const [oldLine, ...proofLines] = body.slice(0, blank).split("\n");
  const old = /^old (0|[1-9][0-9]*)$/.exec(oldLine ?? "");
  if (!old) return 'the first line must be "old <size>"';
  if (proofLines.length > 63) return "a consistency proof has at most 63 hashes";
  const proof: Uint8Array[] = [];
  for (const line of proofLines) {
    const hash = fromBase64(line);
    if (!hash || hash.length !== 32) return "each proof line must be a base64 SHA-256 hash";
    proof.push(hash);
  }
  return { oldSize: Number(old[1]), proof, note: body.slice(blank + 2) };
}

export function createWitnessing({
  db,
  clock,
  identity,
  trust,
  transport,
  ledger,
  federation,
  log = () => {},
}: {
  db: Db;
  clock: Clock;
  identity: NodeIdentity;
  trust: TrustStore;
  transport: PeerTransport;
  ledger: Pick<LedgerService, "checkpoint" | "consistencyProof">;
  federation: Pick<FederationService, "reportSecurityEvent">;
  log?: (message: string, details: Record<string, unknown>) => void;
}) {
  const self = identity.regionCode;

  /** The member whose ledger keys name this origin, with those keys. */
  function logOf(origin: string): { region: string; keys: ParsedVerifier[] } | undefined {
    const now = clock.now();
    for (const member of trust.current().list.members) {
      if (member.regionCode === self || !trust.current().activeMember(member.regionCode, now)) continue;
      const keys = trust
        .current()
        .keysOf(member.regionCode, "ledger", now)
        .filter((k) => k.name === origin);
      if (keys.length > 0) return { region: member.regionCode, keys };
    }
    return undefined;
  }

  async function fork(region: string, reason: string, evidence: Record<string, unknown>) {
    log("a peer's ledger showed two histories", { region, reason });
    await federation.reportSecurityEvent("LEDGER_FORK", reason, { log: region, ...evidence });
  }

  return {
    /**
     * C2SP tlog-witness add-checkpoint, as the witness: verifies the log's signature with the key the
     * trust list gives for it, checks the old size against what it holds (409 with its size if they
     * differ) and the consistency proof from it, records the new checkpoint and answers its cosignature.
     */
    async addCheckpoint(body: string): Promise<WitnessAnswer> {
      const request = parseAddCheckpoint(body);
      if (typeof request === "string") return { status: 400, body: request };
      const parsed = parseNote(request.note);
      if (!parsed.ok) return { status: 400, body: `not a signed note: ${parsed.error}` };
      const checkpoint = parseCheckpoint(parsed.value.text);
      if (!checkpoint.ok) return { status: 400, body: `not a checkpoint: ${checkpoint.error}` };
      const { origin, treeSize, rootHash } = checkpoint.value;
      const known = logOf(origin);
      if (!known) return { status: 404, body: `no member of the federation keeps the log ${origin}` };
      const opened = verifyNote(request.note, known.keys);
      if (!opened.ok) return { status: 403, body: `the log's signature does not verify (${opened.reason})` };
      if (request.oldSize > treeSize) return { status: 400, body: "the old size is larger than the checkpoint" };

      // A fork is reported after the transaction: the security event is written on its own connection.
      let forkSeen: { reason: string; evidence: Record<string, unknown> } | undefined;
      const answer = await db.transaction().execute(async (trx): Promise<WitnessAnswer> => {
        const held = await trx
          .selectFrom("federation_witnessed")
          .selectAll()
          .where("log_region", "=", known.region)
          .forUpdate()
          .executeTakeFirst();
        const heldSize = held ? Number(held.tree_size) : 0;
        if (request.oldSize !== heldSize) return { status: 409, body: `${heldSize}\n` };
        if (held) {
          const heldRoot = new Uint8Array(held.root_hash);
          if (treeSize === heldSize) {
            if (request.proof.length > 0)
              return {
                status: 422,
                body: "a checkpoint of the size already witnessed takes an empty consistency proof",
              };
            // Two checkpoints of one size, both signed by the log, with different roots: that is
            // evidence of a fork that no one but the log could have made.
            if (toBase64(heldRoot) !== toBase64(rootHash)) {
              forkSeen = {
                reason: `two checkpoints of size ${treeSize} with different roots`,
                evidence: { witnessed: held.checkpoint, presented: request.note },
              };
              return { status: 409, body: `${heldSize}\n` };
            }
          } else if (!verifyConsistency(heldSize, treeSize, request.proof, heldRoot, rootHash)) {
            // A proof that does not verify is refused and nothing more: whoever sends the request
            // chooses the proof, so a bad one says nothing about the log's history.
            return { status: 422, body: "the consistency proof does not verify" };
          }
        } else if (request.proof.length > 0) {
          return { status: 422, body: "a first checkpoint needs no consistency proof" };
        }
        const row = {
          log_region: known.region,
          origin,
          tree_size: treeSize,
          root_hash: rootHash,
          checkpoint: request.note,
          updated_at: clock.now(),
        };
        if (held)
          await trx.updateTable("federation_witnessed").set(row).where("log_region", "=", known.region).execute();
        else await trx.insertInto("federation_witnessed").values(row).execute();
        const cosigned = cosign(request.note, identity.witness);
        const line = cosigned.split("\n").find((l) => l.startsWith(`— ${identity.witness.name} `));
        return { status: 200, body: `${line}\n` };
      });
      if (forkSeen) await fork(known.region, forkSeen.reason, forkSeen.evidence);
      return answer;
    },

    /**
     * The log side: offers this node's latest checkpoint to each peer's witness (with a consistency
     * proof from the size that witness last cosigned, learning it from a 409) and keeps each
     * cosignature that verifies with the witness key in the trust list. Answers the witnesses that
     * cosigned.
     */
    async cosignLatest(): Promise<string[]> {
      const note = await ledger.checkpoint();
      if (!note) return [];
      const parsed = parseNote(note);
      const checkpoint = parsed.ok ? parseCheckpoint(parsed.value.text) : undefined;
      if (!checkpoint?.ok) return [];
      const size = checkpoint.value.treeSize;
      const now = clock.now();
      const cosigned: string[] = [];
      for (const member of trust.current().list.members) {
        if (member.regionCode === self || !trust.current().activeMember(member.regionCode, now)) continue;
        for (const witness of trust.current().keysOf(member.regionCode, "witness", now)) {
          const last = await db
            .selectFrom("ledger_cosignatures")
            .select((eb) => eb.fn.max("tree_size").as("size"))
            .where("witness", "=", witness.verifierKey)
            .executeTakeFirst();
          let oldSize = last?.size === null || last?.size === undefined ? 0 : Number(last.size);
          if (oldSize >= size) continue;
          try {
            for (let attempt = 0; attempt < 2; attempt++) {
              const proof = oldSize === 0 ? [] : await ledger.consistencyProof(oldSize, size);
              const answer = await transport.post(
                member.url,
                ADD_CHECKPOINT_PATH,
                formatAddCheckpoint(oldSize, proof, note),
              );
              const text = typeof answer.body === "string" ? answer.body : "";
              if (answer.status === 409 && /^\d+\n?$/.test(text) && Number(text) !== oldSize && Number(text) <= size) {
                oldSize = Number(text);
                continue;
              }
              if (answer.status !== 200) {
                log("a witness did not cosign", { witness: member.regionCode, status: answer.status, reason: text });
                break;
              }
              const line = text.trim();
              const check = verifyCosignature(`${note}${line}\n`, witness);
              if (!check.ok) {
                log("a witness answered a cosignature that does not verify", { witness: member.regionCode });
                break;
              }
              await db
                .insertInto("ledger_cosignatures")
                .values({
                  tree_size: size,
                  witness: witness.verifierKey,
                  signature_line: line,
                  received_at: clock.now(),
                })
                .onConflict((oc) => oc.columns(["tree_size", "witness"]).doNothing())
                .execute();
              cosigned.push(member.regionCode);
              break;
            }
          } catch (error) {
            log("a witness could not be reached", { witness: member.regionCode, error: String(error) });
          }
        }
      }
      return cosigned;
    },

    /** The latest checkpoint with every cosignature the peers' witnesses gave it. */
    async cosignedCheckpoint(): Promise<string | undefined> {
      const note = await ledger.checkpoint();
      if (!note) return undefined;
      const parsed = parseNote(note);
      const checkpoint = parsed.ok ? parseCheckpoint(parsed.value.text) : undefined;
      if (!checkpoint?.ok) return note;
      const lines = await db
        .selectFrom("ledger_cosignatures")
        .select("signature_line")
        .where("tree_size", "=", checkpoint.value.treeSize)
        .orderBy("witness")
        .execute();
      return `${note}${lines.map((l) => `${l.signature_line}\n`).join("")}`;
    },
  };
}
export type Witnessing = ReturnType<typeof createWitnessing>;
