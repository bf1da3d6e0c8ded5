// Signed envelopes between federation nodes and the receipts that acknowledge them. The signature is
// the sender's node key (Ed25519, or SM2) over the canonical JSON (RFC 8785 ordering) of every
// member but the signature; the receiver checks address, sender, key, signature and freshness here,
// and replays and repeated deliveries against its database.
import { type Envelope, Envelope as EnvelopeSchema, type ErrorCode, type Receipt } from "@tongban/contracts";
import { fromBase64, type ParsedSigner, toBase64, utf8Encode } from "@tongban/ledger";
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
  const { signature: _omit, ...signed } = value;
  return utf8Encode(canonicalJson(signed));
};

/** Seals a message for one delivery attempt: a fresh nonce and time, signed by the node key. */
export function sealEnvelope(content: EnvelopeContent, signer: ParsedSigner, now: Date, nonce: string): Envelope {
  const unsigned = {
    v: 1 as const,
    ...content,
    nonce,
    sentAt: now.toISOString(),
    key: signer.verifierKey,
  };
  return { ...unsigned, signature: toBase64(signer.sign(signingBytes(unsigned))) };
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
  }: { self: string; trust: TrustRegistry; now: Date; maxAgeMs?: number },
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
  const signature = fromBase64(envelope.signature);
  let valid = false;
  try {
    valid = signature !== undefined && verifier.verify(signingBytes(envelope), signature);
  } catch {
    valid = false;
  }
  if (!valid) return refuse("ENVELOPE_BAD_SIGNATURE", "the signature does not match the content");
  const age = now.getTime() - new Date(envelope.sentAt).getTime();
  if (Math.abs(age) > maxAgeMs)
    return refuse("ENVELOPE_EXPIRED", `sent at ${envelope.sentAt}, ${Math.round(age / 1000)} s from this node's clock`);
  return { ok: true, envelope };
}

/** The receiver's acknowledgement, signed with its node key. */
export function signReceipt(fields: Omit<Receipt, "key" | "signature">, signer: ParsedSigner): Receipt {
  const unsigned = { ...fields, key: signer.verifierKey };
  return { ...unsigned, signature: toBase64(signer.sign(signingBytes(unsigned))) };
}

/** Whether a receipt is the peer's, for this message: the sender keeps only such as proof of delivery. */
export function verifyReceipt(
  receipt: Receipt,
  expected: { messageId: string; from: string; to: string; idempotencyKey: string },
  trust: TrustRegistry,
  now: Date,
): string | undefined {
  if (receipt.messageId !== expected.messageId || receipt.idempotencyKey !== expected.idempotencyKey)
    return "the receipt is for another message";
  if (receipt.from !== expected.from || receipt.to !== expected.to) return "the receipt names other nodes";
  const verifier = trust.keysOf(expected.to, "node", now).find((k) => k.verifierKey === receipt.key);
  if (!verifier) return `the receipt is not signed by a node key of ${expected.to}`;
  const signature = fromBase64(receipt.signature);
  if (!signature || !verifier.verify(signingBytes(receipt), signature))
    return "the receipt's signature does not verify";
  return undefined;
}
