// Signed envelopes between federation nodes and the receipts that acknowledge them. The signature is
// the sender's node key (Ed25519, or SM2) over the canonical JSON (RFC 8785 ordering) of every
// member but the signature; the receiver checks address, sender, key, signature and freshness here,
// and replays and repeated deliveries against its database. Several envelopes (or receipts) of one
// delivery request may instead be sealed together: one signature over the root of a hash tree of
// their canonical JSON, each item carrying its inclusion path (ADR 0008).
import {
  type BatchSeal,
  type Envelope,
  Envelope as EnvelopeSchema,
  type ErrorCode,
  type Receipt,
} from "@tongban/contracts";
import {
  fromBase64,
  leafHash,
  nodeHash,
  type ParsedSigner,
  rootFromInclusionProof,
  rootHash,
  toBase64,
  utf8Encode,
} from "@tongban/ledger";
import { canonicalJson } from "../../lib/canonical-json.ts";
import type { TrustRegistry } from "./trust-list.ts";

/** How far an envelope's time may be from the receiver's clock, either way. */
export const ENVELOPE_MAX_AGE_MS = 5 * 60_000;

export interface EnvelopeContent {
  id: string;
  from: string;
  to: string;
  type: string;
  subject: string | null;
  idempotencyKey: string;
  body: Record<string, unknown>;
}

const signingBytes = (value: Record<string, unknown>) => {
  const { signature: _omit, tree: _tree, ...signed } = value;
  return utf8Encode(canonicalJson(signed));
};

/** What a batch seal covers: a request's envelopes, or the receipts answered to one. */
export type SealedKind = "envelopes" | "receipts";

/**
 * The bytes a batch seal's signature covers: a label naming the kind of items (so a tree of receipts
 * can never pass for a tree of envelopes), the tree's size and its root. A single item's signature
 * covers canonical JSON, which begins with "{": the two can never be the same bytes.
 */
function sealedRootBytes(kind: SealedKind, size: number, root: Uint8Array): Uint8Array {
  return utf8Encode(`tongban/federation-batch/v1\n${kind}\n${size}\n${toBase64(root)}\n`);
}

/**
 * Seals items together: each one's leaf is the RFC 9162 leaf hash (0x00 ‖ canonical JSON, distinct
 * from the interior nodes' 0x01 ‖ left ‖ right), one signature covers the root, and each item gets
 * its index and inclusion path.
 */
function sealTogether<T extends Record<string, unknown>>(
  kind: SealedKind,
  items: T[],
  signer: ParsedSigner,
): (T & { signature: string; tree: BatchSeal })[] {
  const leaves = items.map((item) => leafHash(signingBytes(item)));
  const { root, paths } = treeWithPaths(leaves);
  const signature = toBase64(signer.sign(sealedRootBytes(kind, items.length, root)));
  return items.map((item, index) => ({
    ...item,
    signature,
    tree: { size: items.length, index, path: (paths[index] as Uint8Array[]).map(toBase64) },
  }));
}

/**
 * The root of the RFC 9162 tree over `leaves` and every leaf's inclusion path (§2.1.3.1, PATH(m, D[n])),
 * in one pass: each interior node is hashed once and given to the leaves under its sibling, bottom-up
 * (asking for each path in turn would hash the tree again for every leaf).
 */
export function treeWithPaths(leaves: readonly Uint8Array[]): { root: Uint8Array; paths: Uint8Array[][] } {
  if (leaves.length === 0) return { root: rootHash([]), paths: [] };
  const paths: Uint8Array[][] = leaves.map(() => []);
  const subtree = (lo: number, hi: number): Uint8Array => {
    if (hi - lo === 1) return leaves[lo] as Uint8Array;
    // The left subtree holds the largest power of two smaller than the range (RFC 9162 §2.1.1).
    let k = 1;
    while (k * 2 < hi - lo) k *= 2;
    const left = subtree(lo, lo + k);
    const right = subtree(lo + k, hi);
    for (let i = lo; i < lo + k; i++) (paths[i] as Uint8Array[]).push(right);
    for (let i = lo + k; i < hi; i++) (paths[i] as Uint8Array[]).push(left);
    return nodeHash(left, right);
  };
  return { root: subtree(0, leaves.length), paths };
}

/**
 * Verifications of batch seals already made, by key, signed bytes and signature: the items of one
 * request share one seal, whose signature is then checked once. Only a whole triple is remembered,
 * so an item with another root, size, kind, key or signature is checked afresh.
 */
export type SealMemo = Map<string, boolean>;

/** Whether `item` is signed by `verifier`, alone or in a batch seal (its path leads to the signed root). */
function signedBy(
  kind: SealedKind,
  item: Record<string, unknown> & { signature: string; tree?: BatchSeal | undefined },
  verifier: { verifierKey: string; verify(message: Uint8Array, signature: Uint8Array): boolean },
  memo?: SealMemo,
): boolean {
  const signature = fromBase64(item.signature);
  if (!signature) return false;
  try {
    if (!item.tree) return verifier.verify(signingBytes(item), signature);
    const { size, index, path } = item.tree;
    const hashes = path.map(fromBase64);
    if (hashes.some((h) => h === undefined)) return false;
    const root = rootFromInclusionProof(leafHash(signingBytes(item)), index, size, hashes as Uint8Array[]);
    if (!root) return false;
    const message = sealedRootBytes(kind, size, root);
    const key = `${verifier.verifierKey}\n${toBase64(message)}\n${item.signature}`;
    let valid = memo?.get(key);
    if (valid === undefined) {
      valid = verifier.verify(message, signature);
      memo?.set(key, valid);
    }
    return valid;
  } catch {
    return false;
  }
}

const unsignedEnvelope = (content: EnvelopeContent, signer: ParsedSigner, now: Date, nonce: string) => ({
  v: 1 as const,
  ...content,
  nonce,
  sentAt: now.toISOString(),
  key: signer.verifierKey,
});

/** Seals a message for one delivery attempt: a fresh nonce and time, signed by the node key. */
export function sealEnvelope(content: EnvelopeContent, signer: ParsedSigner, now: Date, nonce: string): Envelope {
  const unsigned = unsignedEnvelope(content, signer, now, nonce);
  return { ...unsigned, signature: toBase64(signer.sign(signingBytes(unsigned))) };
}

/**
 * Seals the messages of one delivery request together, each with a fresh nonce (`nonces[i]`) and the
 * time: one signature over the root of their hash tree, each envelope carrying its path (ADR 0008).
 */
export function sealEnvelopes(
  contents: EnvelopeContent[],
  signer: ParsedSigner,
  now: Date,
  nonces: string[],
): Envelope[] {
  return sealTogether(
    "envelopes",
    contents.map((content, i) => unsignedEnvelope(content, signer, now, nonces[i] as string)),
    signer,
  );
}

export type EnvelopeRefusal = {
  ok: false;
  code: Extract<
    ErrorCode,
    | "ENVELOPE_MALFORMED"
    | "ENVELOPE_UNTRUSTED_SENDER"
    | "ENVELOPE_BAD_SIGNATURE"
    | "ENVELOPE_EXPIRED"
    | "ENVELOPE_MISADDRESSED"
  >;
  reason: string;
  /** What could be read of the envelope, for the security event. */
  claimed: { id?: unknown; from?: unknown; to?: unknown; type?: unknown };
};
export type EnvelopeCheck = { ok: true; envelope: Envelope } | EnvelopeRefusal;

/**
 * Checks an envelope as it arrived, in the order that tells the most: its shape, that it is for this
 * node, that the sender is an active member and the key one of its node keys, the signature, and its
 * time. Never throws.
 */
export function checkEnvelope(
  raw: unknown,
  {
    self,
    trust,
    now,
    maxAgeMs = ENVELOPE_MAX_AGE_MS,
    memo,
  }: { self: string; trust: TrustRegistry; now: Date; maxAgeMs?: number; memo?: SealMemo },
): EnvelopeCheck {
  const r = (raw ?? {}) as Record<string, unknown>;
  const claimed = { id: r.id, from: r.from, to: r.to, type: r.type };
  const refuse = (code: EnvelopeRefusal["code"], reason: string): EnvelopeRefusal => ({
    ok: false,
    code,
    reason,
    claimed,
  });
  const parsed = EnvelopeSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return refuse("ENVELOPE_MALFORMED", `${issue?.path.join(".") || "envelope"}: ${issue?.message}`);
  }
  const envelope = parsed.data;
  if (envelope.to !== self) return refuse("ENVELOPE_MISADDRESSED", `addressed to ${envelope.to}, this node is ${self}`);
  if (envelope.from === self) return refuse("ENVELOPE_UNTRUSTED_SENDER", "an envelope from this node itself");
  if (!trust.activeMember(envelope.from, now))
    return refuse("ENVELOPE_UNTRUSTED_SENDER", `${envelope.from} is not an active member of the federation`);
  const verifier = trust.keysOf(envelope.from, "node", now).find((k) => k.verifierKey === envelope.key);
  if (!verifier) return refuse("ENVELOPE_UNTRUSTED_SENDER", `the key is not a node key of ${envelope.from}`);
  if (!signedBy("envelopes", envelope, verifier, memo))
    return refuse("ENVELOPE_BAD_SIGNATURE", "the signature does not match the content");
  const age = now.getTime() - new Date(envelope.sentAt).getTime();
  if (Math.abs(age) > maxAgeMs)
    return refuse("ENVELOPE_EXPIRED", `sent at ${envelope.sentAt}, ${Math.round(age / 1000)} s from this node's clock`);
  return { ok: true, envelope };
}

/** The receiver's acknowledgement, signed with its node key. */
export function signReceipt(fields: Omit<Receipt, "key" | "signature" | "tree">, signer: ParsedSigner): Receipt {
  const unsigned = { ...fields, key: signer.verifierKey };
  return { ...unsigned, signature: toBase64(signer.sign(signingBytes(unsigned))) };
}

/** The receipts answered to one delivery request, signed together (one signature over their tree's root). */
export function signReceipts(fields: Omit<Receipt, "key" | "signature" | "tree">[], signer: ParsedSigner): Receipt[] {
  return sealTogether(
    "receipts",
    fields.map((f) => ({ ...f, key: signer.verifierKey })),
    signer,
  );
}

/** Whether a receipt is the peer's, for this message: the sender keeps only such as proof of delivery. */
export function verifyReceipt(
  receipt: Receipt,
  expected: { messageId: string; from: string; to: string; idempotencyKey: string },
  trust: TrustRegistry,
  now: Date,
  memo?: SealMemo,
): string | undefined {
  if (receipt.messageId !== expected.messageId || receipt.idempotencyKey !== expected.idempotencyKey)
    return "the receipt is for another message";
  if (receipt.from !== expected.from || receipt.to !== expected.to) return "the receipt names other nodes";
  const verifier = trust.keysOf(expected.to, "node", now).find((k) => k.verifierKey === receipt.key);
  if (!verifier) return `the receipt is not signed by a node key of ${expected.to}`;
  if (!signedBy("receipts", receipt, verifier, memo)) return "the receipt's signature does not verify";
  return undefined;
}
