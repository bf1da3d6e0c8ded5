// Cross-province handling (跨省通办) between regional nodes: the node's place in the federation,
// messages to peers through a durable outbox, and an inbox that applies each peer message once.
import { randomBytes } from "node:crypto";
import {
  ENVELOPE_BATCH_MAX,
  type Envelope,
  type EnvelopeAnswer,
  EnvelopeBatchAnswer,
  type ErrorCode,
  type FederationMessage,
  type FederationMessageQuery,
  type FederationPeers,
  Receipt,
  type SecuritySeverity,
} from "@tongban/contracts";
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import type { Db } from "../../db/database.ts";
import { AppError } from "../../http/errors.ts";
import { canonicalJson } from "../../lib/canonical-json.ts";
import { groupCommit } from "../../lib/group-commit.ts";
import { type Actor, authorize } from "../../policy/policy.ts";
import type { Clock, Ids } from "../../ports/index.ts";
import { recordChange } from "../ledger/outbox.ts";
import { recordSecurityEvent } from "../security/security-events.ts";
import {
  checkEnvelope,
  ENVELOPE_MAX_AGE_MS,
  type EnvelopeContent,
  type SealMemo,
  sealEnvelope,
  sealEnvelopes,
  signReceipt,
  signReceipts,
  verifyReceipt,
} from "./envelope.ts";
import { type OutboxRow, federationRepository as repo } from "./federation.repository.ts";
import type { NodeIdentity } from "./identity.ts";
import type { PeerAnswer, PeerTransport } from "./transport.ts";
import type { TrustStore } from "./trust-list.ts";

/** A peer message as its handler sees it, inside the transaction that records its receipt. */
export interface InboundMessage {
  id: string;
  from: string;
  type: string;
  subject: string | null;
  idempotencyKey: string;
  body: Record<string, unknown>;
  sentAt: Date;
}

/**
 * Applies one kind of peer message in the inbox's transaction. Throwing an AppError refuses the
 * message for good (the sender marks it refused); any other error is a failure the sender retries.
 */
export type MessageHandler = (trx: Db, message: InboundMessage, prepared: unknown) => Promise<void>;

/**
 * Reads the preparers of one delivery request share, by a key of the preparer's choosing: a read that
 * every message of the request would make alike (the current version of one service) is made once
 * for the request, as if its messages had arrived at the same moment.
 */
export type SharedReads = Map<string, Promise<unknown>>;

/**
 * Reads what a handler needs before the inbox's transaction opens (e.g. a service version from the
 * catalogue, which reads through its own connection): nothing inside the transaction may wait for
 * another connection, or an embedded database with one connection would wait for itself. `shared`
 * lives as long as the delivery request.
 */
export type MessagePreparer = (message: InboundMessage, shared: SharedReads) => Promise<unknown>;

/**
 * Applies several messages of one type, in order, in the inbox's transaction, with the effect the
 * type's handler would have applied to each in turn, in fewer statements (set-based). Throwing
 * anything undoes the transaction whole; the inbox then applies each message alone with the handler,
 * which decides which one is refused.
 */
export type MessageBatchHandler = (
  trx: Db,
  messages: { message: InboundMessage; prepared: unknown }[],
) => Promise<void>;

/** What the sender does when a peer refuses one of its messages for good (e.g. marks the case refused). */
export type RefusalHandler = (
  trx: Db,
  message: { id: string; to: string; subject: string | null; body: Record<string, unknown>; error: string },
) => Promise<void>;

export interface OutboundMessage {
  to: string;
  type: string;
  subject: string | null;
  /** The receiver applies a message with the same sender and key once; so does the sender's queue. */
  idempotencyKey: string;
  body: Record<string, unknown>;
  /** Who caused it, for the ledger entry. */
  actor: string | null;
  /** When it is queued (default: now). */
  at?: Date;
}

const refusalSeverity: Record<string, SecuritySeverity> = {
  ENVELOPE_MALFORMED: "low",
  ENVELOPE_MISADDRESSED: "medium",
  ENVELOPE_EXPIRED: "medium",
  ENVELOPE_UNTRUSTED_SENDER: "high",
  ENVELOPE_BAD_SIGNATURE: "high",
  ENVELOPE_REPLAYED: "high",
  LEDGER_FORK: "high",
};

// Refusals that say the message itself can never be applied; every other failure (the peer down, a
// trust list not yet updated, a clock off) is retried with backoff.
const FINAL_REFUSALS: readonly string[] = ["ENVELOPE_MALFORMED", "FEDERATION_MESSAGE_REFUSED"];

/**
 * Runs a handler step so that every AppError it throws for the message itself (a 4xx: a form the
 * competent node's rules refuse, a service it does not offer…) reaches the sender as the one final
 * refusal, FEDERATION_MESSAGE_REFUSED, with the handler's code and details; a 5xx or any other error
 * stays a failure the sender retries.
 */
async function refusing<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (!(error instanceof AppError) || error.status >= 500 || error.code === "FEDERATION_MESSAGE_REFUSED") throw error;
    throw new AppError("FEDERATION_MESSAGE_REFUSED", {
      reason: `${error.code}: ${error.message}`,
      code: error.code,
      details: error.details,
    });
  }
}

/** Thrown to undo an inbox transaction that found the message applied by a concurrent delivery. */
class AppliedMeanwhile extends Error {}

/** About how many bytes of message bodies one delivery request carries (a larger message goes alone). */
const BATCH_BYTES = 4 * 1_048_576;

/** Security events of one kind from one address recorded one by one within a minute. */
export const SECURITY_EVENTS_PER_MINUTE = 30;

export interface DeliveryOptions {
  /** Longest wait between two attempts. */
  retryMaxMs: number;
  /** First wait after a failure; it doubles with each attempt up to retryMaxMs. */
  retryBaseMs?: number;
  /** How long a taken message stays with its sender before another attempt may take it. */
  leaseMs?: number;
  /** Delivery requests in flight at once (default 8). */
  concurrency?: number;
  /** The most envelopes in one delivery request to a peer (default 32; 1 delivers each alone). */
  batchSize?: number;
}

export function createFederationService({
  db,
  clock,
  ids,
  identity,
  trust,
  transport,
  delivery = { retryMaxMs: 60_000 },
  log = () => {},
}: {
  db: Db;
  clock: Clock;
  ids: Ids;
  identity: NodeIdentity;
  trust: TrustStore;
  transport: PeerTransport;
  delivery?: DeliveryOptions;
  log?: (message: string, details: Record<string, unknown>) => void;
}) {
  const self = identity.regionCode;
  const handlers = new Map<
    string,
    { handle: MessageHandler; prepare?: MessagePreparer; handleMany?: MessageBatchHandler }
  >();
  const refusedHandlers = new Map<string, RefusalHandler>();
  const retryBaseMs = delivery.retryBaseMs ?? 500;
  const leaseMs = delivery.leaseMs ?? 30_000;
  const concurrency = delivery.concurrency ?? 8;
  const batchSize = Math.min(delivery.batchSize ?? 32, ENVELOPE_BATCH_MAX);
  // Messages of batch deliveries applied in the batch's shared transaction, and those applied each in
  // a transaction of its own because something in their batch failed (for /metrics and the bench).
  const inboxBatches = { together: 0, alone: 0 };
  // The receipts of delivered messages, written together as the answers arrive.
  const deliveredLog = groupCommit((delivered: Parameters<typeof repo.markDelivered>[1]) =>
    repo.markDelivered(db, delivered),
  );

  // Refused envelopes from one address are recorded one by one up to a bound a minute per kind; past it,
  // one event says that more came and the rest of that minute's are only counted in the log, so a
  // flood of junk cannot bury the officers' list (nor fill the table).
  const eventBudget = new RateLimiterMemory({ points: SECURITY_EVENTS_PER_MINUTE, duration: 60 });

  async function securityEvent(code: string, reason: string, details: Record<string, unknown>) {
    let extra: Record<string, unknown> = {};
    try {
      await eventBudget.consume(`${code}:${String(details.ip ?? "")}`);
    } catch (refusal) {
      if (!(refusal instanceof RateLimiterRes)) throw refusal;
      if (refusal.consumedPoints > SECURITY_EVENTS_PER_MINUTE + 1) {
        log("a refused envelope was not recorded: too many of its kind from one address", { code, ip: details.ip });
        return;
      }
      extra = {
        flood: `more than ${SECURITY_EVENTS_PER_MINUTE} of these from this address within a minute: the rest of the minute's are not recorded one by one`,
      };
    }
    try {
      await recordSecurityEvent(db, {
        id: ids.uuid(),
        at: clock.now(),
        type: `federation.${code.toLowerCase()}`,
        severity: refusalSeverity[code] ?? "medium",
        source: "federation",
        accountId: null,
        regionCode: self,
        departmentId: null,
        subject: typeof details.messageId === "string" ? details.messageId : null,
        details: { reason, ...details, ...extra },
      });
    } catch (error) {
      log("a refused envelope could not be recorded as a security event", { error: String(error) });
    }
  }

  /** The answer a peer's attempt got, as the outbox keeps it: delivered, refused for good, or retry. */
  function judge(
    answer: { status: number; body: unknown; receipt?: Receipt },
    envelope: Envelope,
    memo?: SealMemo,
  ): { delivered: Receipt } | { refused: string } | { retry: string } {
    if (answer.status === 200) {
      // A batch answer's receipts were parsed with the answer already.
      const receipt = answer.receipt
        ? { success: true as const, data: answer.receipt }
        : Receipt.safeParse(answer.body);
      if (!receipt.success) return { retry: "the peer's receipt is not well-formed" };
      const wrong = verifyReceipt(
        receipt.data,
        { messageId: envelope.id, from: envelope.from, to: envelope.to, idempotencyKey: envelope.idempotencyKey },
        trust.current(),
        clock.now(),
        memo,
      );
      return wrong ? { retry: wrong } : { delivered: receipt.data };
    }
    const body = (answer.body ?? {}) as { code?: string; message?: string; details?: unknown };
    const details = body.details === undefined ? "" : ` ${JSON.stringify(body.details).slice(0, 1500)}`;
    const what = `${answer.status} ${body.code ?? ""} ${body.message ?? ""}${details}`.trim();
    return body.code && FINAL_REFUSALS.includes(body.code) ? { refused: what } : { retry: what };
  }

  function backoff(attempts: number): number {
    const exponential = Math.min(retryBaseMs * 2 ** Math.max(0, attempts - 1), delivery.retryMaxMs);
    // Jitter spreads the retries of many messages to a peer that comes back.
    return Math.round(exponential * (0.5 + Math.random() * 0.5));
  }

  /** A message due, with its outbox row, the peer it goes to and what its envelope says. */
  type Due = { row: OutboxRow; peer: { regionCode: string; url: string }; content: EnvelopeContent };
  /** A message sealed for this attempt. */
  type Sealed = Due & { envelope: Envelope };
  /** A peer's answer to one message (`receipt`: its body, parsed as a receipt already), or why it got none. */
  type Answer = { status: number; body: unknown; receipt?: Receipt } | { unreachable: string };

  // Peers found without the batch inbox, or without its sealed form (an older node answered 404),
  // asked again after a while.
  const noBatchInbox = new Map<string, number>();
  const noSealedBatch = new Map<string, number>();
  const lacks = (peers: Map<string, number>, peer: string) => {
    const asked = peers.get(peer);
    return asked !== undefined && clock.now().getTime() - asked <= 600_000;
  };
  const nonce = () => randomBytes(18).toString("base64url");

  /** The messages of a round in requests: per peer, up to `batchSize` envelopes and about 4 MB each. */
  function batchesOf(due: Due[]): Due[][] {
    const requests: Due[][] = [];
    const open = new Map<string, { messages: Due[]; bytes: number }>();
    for (const message of due) {
      const peer = message.peer.regionCode;
      const bytes = JSON.stringify(message.content.body).length;
      let current = open.get(peer);
      if (current && (current.messages.length >= batchSize || current.bytes + bytes > BATCH_BYTES)) {
        open.delete(peer);
        current = undefined;
      }
      if (!current) {
        current = { messages: [], bytes: 0 };
        open.set(peer, current);
        requests.push(current.messages);
      }
      current.messages.push(message);
      current.bytes += bytes;
    }
    return requests;
  }

  /** A batch answer as each message's answer, or undefined when the peer has no such route (404). */
  function batchAnswers(answer: PeerAnswer, count: number): Answer[] | undefined {
    if (answer.status === 404 && (answer.body as { code?: string } | undefined)?.code === "NOT_FOUND") return undefined;
    // The request as a whole failed (the peer overloaded, a body too large…): each is retried.
    if (answer.status !== 200) return Array.from({ length: count }, () => answer);
    const parsed = EnvelopeBatchAnswer.safeParse(answer.body);
    if (!parsed.success || parsed.data.answers.length !== count)
      return Array.from({ length: count }, () => ({
        status: 502,
        body: { message: "the peer's batch answer is not well-formed" },
      }));
    return parsed.data.answers.map((a) =>
      "receipt" in a ? { status: 200, body: a.receipt, receipt: a.receipt } : { status: a.status, body: a.error },
    );
  }

  /**
   * Seals and delivers one request's messages: sealed together (one signature, ADR 0008) to the
   * peer's sealed batch inbox; else each signed to its batch inbox; else one by one. Answers each
   * message as sealed and its answer, in order.
   */
  async function deliverRequest(messages: Due[]): Promise<{ sealed: Sealed[]; answers: Answer[] }> {
    const { peer } = messages[0] as Due;
    const contents = messages.map((m) => m.content);
    const unreachable = (error: unknown) => messages.map(() => ({ unreachable: (error as Error).message }));
    if (messages.length > 1 && !lacks(noSealedBatch, peer.regionCode) && !lacks(noBatchInbox, peer.regionCode)) {
      const envelopes = sealEnvelopes(
        contents,
        identity.node,
        clock.now(),
        contents.map(() => nonce()),
      );
      const sealed = messages.map((m, i) => ({ ...m, envelope: envelopes[i] as Envelope }));
      let answer: PeerAnswer;
      try {
        answer = await transport.deliverBatch(peer.url, envelopes, { sealed: true });
      } catch (error) {
        return { sealed, answers: unreachable(error) };
      }
      const answers = batchAnswers(answer, messages.length);
      if (answers) return { sealed, answers };
      noSealedBatch.set(peer.regionCode, clock.now().getTime());
    }
    const sealed = messages.map((m) => ({
      ...m,
      envelope: sealEnvelope(m.content, identity.node, clock.now(), nonce()),
    }));
    if (messages.length > 1 && !lacks(noBatchInbox, peer.regionCode)) {
      let answer: PeerAnswer;
      try {
        answer = await transport.deliverBatch(
          peer.url,
          sealed.map((m) => m.envelope),
        );
      } catch (error) {
        return { sealed, answers: unreachable(error) };
      }
      const answers = batchAnswers(answer, messages.length);
      if (answers) return { sealed, answers };
      noBatchInbox.set(peer.regionCode, clock.now().getTime());
    }
    const answers = await Promise.all(
      sealed.map(async (m): Promise<Answer> => {
        try {
          return await transport.deliver(peer.url, m.envelope);
        } catch (error) {
          return { unreachable: (error as Error).message };
        }
      }),
    );
    return { sealed, answers };
  }

  /** Records what a peer answered to one message: delivered, refused for good, or retry later. */
  async function record({ row, peer, envelope }: Sealed, answer: Answer, memo?: SealMemo): Promise<boolean> {
    const verdict =
      "unreachable" in answer ? { retry: `unreachable: ${answer.unreachable}` } : judge(answer, envelope, memo);
    const at = clock.now();
    if ("delivered" in verdict) {
      // Written with the other deliveries answered meanwhile, in one statement (group commit).
      await deliveredLog.submit({
        id: row.id,
        at,
        receipt: canonicalJson(verdict.delivered),
        change: {
          type: "federation.message_delivered",
          subject: row.id,
          actor: null,
          at,
          facts: { to: peer.regionCode, receivedAt: verdict.delivered.receivedAt, status: verdict.delivered.status },
        },
      });
      return true;
    }
    if ("refused" in verdict) {
      await db.transaction().execute(async (trx) => {
        await repo.markRefused(trx, row.id, verdict.refused);
        await refusedHandlers.get(row.type)?.(trx, {
          id: row.id,
          to: peer.regionCode,
          subject: row.subject,
          body: row.body,
          error: verdict.refused,
        });
        await recordChange(trx, {
          type: "federation.message_refused",
          subject: row.id,
          actor: null,
          at,
          facts: { to: peer.regionCode, error: verdict.refused },
        });
      });
      log("a peer refused a message for good", { id: row.id, peer: peer.regionCode, error: verdict.refused });
      return false;
    }
    await repo.retryLater(db, row.id, new Date(at.getTime() + backoff(row.attempts)), verdict.retry);
    return false;
  }

  /** An envelope that passed the inbox's checks, with its handler and what the handler prepared. */
  type Admissible = { envelope: Envelope; inbound: InboundMessage; prepared: unknown };
  type Applied = { receipt: Receipt } | { replayed: true };

  /**
   * The inbox's checks before any transaction (each refusal a security event), then the handler's
   * preparer.
   */
  async function admissible(
    raw: unknown,
    now: Date,
    origin: { ip?: string },
    shared: SharedReads,
    memo?: SealMemo,
  ): Promise<Admissible> {
    const checked = checkEnvelope(raw, { self, trust: trust.current(), now, maxAgeMs: ENVELOPE_MAX_AGE_MS, memo });
    if (!checked.ok) {
      await securityEvent(checked.code, checked.reason, {
        messageId: checked.claimed.id,
        from: checked.claimed.from,
        to: checked.claimed.to,
        type: checked.claimed.type,
        ip: origin.ip,
      });
      throw new AppError(checked.code, { reason: checked.reason });
    }
    const envelope = checked.envelope;
    const inbound: InboundMessage = {
      id: envelope.id,
      from: envelope.from,
      type: envelope.type,
      subject: envelope.subject,
      idempotencyKey: envelope.idempotencyKey,
      body: envelope.body,
      sentAt: new Date(envelope.sentAt),
    };
    const prepare = handlers.get(envelope.type)?.prepare;
    const prepared = prepare ? await refusing(() => prepare(inbound, shared)) : undefined;
    return { envelope, inbound, prepared };
  }

  /** What admitting an envelope writes (its nonce, inbox row and ledger entry) and the receipt it answers. */
  const receiptFields = (envelope: Envelope, now: Date) => ({
    messageId: envelope.id,
    from: envelope.from,
    to: self,
    idempotencyKey: envelope.idempotencyKey,
    receivedAt: now.toISOString(),
    status: "accepted" as const,
  });

  function admission(
    envelope: Envelope,
    now: Date,
    receipt: Receipt = signReceipt(receiptFields(envelope, now), identity.node),
  ) {
    return {
      receipt,
      nonce: { sender_region: envelope.from, nonce: envelope.nonce, seen_at: now },
      row: {
        id: ids.uuid(),
        sender_region: envelope.from,
        type: envelope.type,
        subject: envelope.subject,
        idempotency_key: envelope.idempotencyKey,
        body: envelope.body,
        sent_at: new Date(envelope.sentAt),
        received_at: now,
        receipt: canonicalJson(receipt),
      },
      change: {
        type: "federation.message_received",
        subject: envelope.id,
        actor: null,
        at: now,
        facts: {
          from: envelope.from,
          type: envelope.type,
          subject: envelope.subject,
          idempotencyKey: envelope.idempotencyKey,
        },
      },
    };
  }

  /**
   * What an admission found: a replayed nonce, a message applied before (its first receipt), or
   * undefined when the message is new and its handler is to apply it. A new key without its row means
   * a concurrent delivery of the message committed meanwhile: the transaction is undone.
   */
  function settled(admitted: {
    freshNonce: boolean;
    priorReceipt: string | null;
    inboxId: string | null;
  }): Applied | undefined {
    if (!admitted.freshNonce) return { replayed: true };
    if (admitted.priorReceipt !== null) return { receipt: JSON.parse(admitted.priorReceipt) as Receipt };
    if (admitted.inboxId === null) throw new AppliedMeanwhile();
    return undefined;
  }

  /**
   * Applies an admissible message in the caller's transaction: the nonce, the inbox row and its
   * ledger entry in one statement, then the handler's effect.
   */
  async function apply(trx: Db, { envelope, inbound, prepared }: Admissible, now: Date): Promise<Applied> {
    const { receipt, nonce, row, change } = admission(envelope, now);
    const known = settled(await repo.admit(trx, nonce, row, change));
    if (known) return known;
    const handler = handlers.get(envelope.type);
    if (!handler)
      throw new AppError("FEDERATION_MESSAGE_REFUSED", { reason: `this node has no use for ${envelope.type}` });
    await refusing(() => handler.handle(trx, inbound, prepared));
    return { receipt };
  }

  /** Applies a message in a transaction of its own. */
  async function applyAlone(message: Admissible, now: Date): Promise<Applied> {
    const once = () => db.transaction().execute((trx) => apply(trx, message, now));
    try {
      return await once();
    } catch (error) {
      // Another delivery of the same message committed while this one waited on its key: the
      // transaction is undone whole, and the second try finds that delivery's receipt.
      if (!(error instanceof AppliedMeanwhile)) throw error;
      return once();
    }
  }

  /**
   * Applies several admissible messages in the caller's transaction, set-based: their nonces, inbox
   * rows and ledger entries in one statement, then each run of messages of one type by the type's
   * batch handler (or its handler, one by one). Whatever fails undoes the transaction whole; the
   * caller then applies each alone.
   */
  async function applyTogether(
    trx: Db,
    messages: Admissible[],
    now: Date,
    { sealReceipts }: { sealReceipts: boolean },
  ): Promise<Applied[]> {
    // Receipts for a sender that sealed its request together are signed together too (one signature).
    const receipts = sealReceipts
      ? signReceipts(
          messages.map(({ envelope }) => receiptFields(envelope, now)),
          identity.node,
        )
      : undefined;
    const admissions = messages.map(({ envelope }, i) => admission(envelope, now, receipts?.[i]));
    const admitted = await repo.admitMany(trx, admissions);
    const outcomes: Applied[] = [];
    const toApply: Admissible[] = [];
    for (const [i, result] of admitted.entries()) {
      const { receipt } = admissions[i] as (typeof admissions)[number];
      const known = settled(result);
      outcomes.push(known ?? { receipt });
      if (!known) toApply.push(messages[i] as Admissible);
    }
    // Runs of one type keep the messages' order across types (a case's hand-over before its delivery).
    for (let start = 0; start < toApply.length; ) {
      const type = (toApply[start] as Admissible).envelope.type;
      let end = start + 1;
      while (end < toApply.length && (toApply[end] as Admissible).envelope.type === type) end += 1;
      const run = toApply.slice(start, end);
      const handler = handlers.get(type);
      if (!handler) throw new AppError("FEDERATION_MESSAGE_REFUSED", { reason: `this node has no use for ${type}` });
      const many = handler.handleMany;
      if (many && run.length > 1)
        await refusing(() =>
          many(
            trx,
            run.map((m) => ({ message: m.inbound, prepared: m.prepared })),
          ),
        );
      else for (const m of run) await refusing(() => handler.handle(trx, m.inbound, m.prepared));
      start = end;
    }
    return outcomes;
  }

  /** Whether messages can share one set-based statement: no nonce, message id or key given twice. */
  function distinct(messages: Admissible[]): boolean {
    const seen = new Set<string>();
    for (const { envelope } of messages)
      for (const key of [
        `n:${envelope.from}:${envelope.nonce}`,
        `m:${envelope.id}`,
        `k:${envelope.from}:${envelope.idempotencyKey}`,
      ]) {
        if (seen.has(key)) return false;
        seen.add(key);
      }
    return true;
  }

  /** The receipt of an applied message; a replayed nonce is refused and reported. */
  async function settle(message: Admissible, outcome: Applied, origin: { ip?: string }): Promise<Receipt> {
    if ("receipt" in outcome) return outcome.receipt;
    const reason = "this nonce was seen before: the envelope was captured and sent again";
    await securityEvent("ENVELOPE_REPLAYED", reason, {
      messageId: message.envelope.id,
      from: message.envelope.from,
      type: message.envelope.type,
      ip: origin.ip,
    });
    throw new AppError("ENVELOPE_REPLAYED", { reason });
  }

  /** A message's outbox row and ledger entry, after the checks that fail its cause rather than its delivery. */
  function outboxEntry(message: OutboundMessage) {
    if (message.to === self) throw new Error("a node does not send messages to itself");
    // The envelope's own limits, checked here so a bad message fails its cause, not its delivery.
    if (!/^[a-z][a-z0-9_.]{1,60}$/.test(message.type)) throw new Error(`bad message type ${message.type}`);
    if (message.idempotencyKey.length < 8 || message.idempotencyKey.length > 200)
      throw new Error("an idempotency key has 8 to 200 characters");
    if (!trust.current().member(message.to)) throw new AppError("FEDERATION_PEER_NOT_FOUND", { region: message.to });
    const now = message.at ?? clock.now();
    const id = ids.uuid();
    return [
      {
        id,
        peer_region: message.to,
        type: message.type,
        subject: message.subject,
        idempotency_key: message.idempotencyKey,
        body: message.body,
        created_at: now,
      },
      {
        type: "federation.message_sent",
        subject: id,
        actor: message.actor,
        at: now,
        facts: {
          to: message.to,
          type: message.type,
          subject: message.subject,
          idempotencyKey: message.idempotencyKey,
        },
      },
    ] as const;
  }

  return {
    self,
    identity,
    inboxBatches,

    /** Registers what a message type does at this node (one handler per type). */
    on(type: string, handle: MessageHandler, prepare?: MessagePreparer) {
      if (handlers.has(type)) throw new Error(`a handler for ${type} is registered already`);
      handlers.set(type, prepare ? { handle, prepare } : { handle });
    },

    /**
     * Registers how several messages of `type` (one handler registered already) are applied at once
     * when they arrive together: the same effect as the handler's on each in turn, in fewer statements.
     */
    onMany(type: string, handleMany: MessageBatchHandler) {
      const handler = handlers.get(type);
      if (!handler) throw new Error(`no handler for ${type} is registered`);
      handler.handleMany = handleMany;
    },

    /** Registers what this node does, in the same transaction, when a peer refuses a message of `type` for good. */
    onRefused(type: string, handler: RefusalHandler) {
      refusedHandlers.set(type, handler);
    },

    /** The trust list (verified) as the node uses it, with the messages waiting for each peer. */
    async peers(): Promise<FederationPeers> {
      const registry = trust.current();
      const now = clock.now();
      const pending = new Map((await repo.pendingByPeer(db)).map((r) => [r.peer_region.trim(), Number(r.n)]));
      return {
        federation: registry.list.federation,
        sequence: registry.list.sequence,
        issuedAt: registry.list.issuedAt,
        nextUpdate: registry.list.nextUpdate,
        self,
        peers: registry.list.members.map((member) => ({
          ...member,
          self: member.regionCode === self,
          valid: registry.activeMember(member.regionCode, now) !== undefined,
          pendingMessages: pending.get(member.regionCode) ?? 0,
        })),
      };
    },

    /** The node serving a region, if it is an active member. */
    nodeFor(regionCode: string) {
      return trust.current().activeMember(regionCode, clock.now());
    },

    /** The members of the trust list active now, this node included. */
    activeMembers() {
      const now = clock.now();
      const registry = trust.current();
      return registry.list.members.filter((m) => registry.activeMember(m.regionCode, now) !== undefined);
    },

    /**
     * Queues a message to a peer in the caller's transaction, with its ledger entry, so the cause and
     * the message commit together; the sender delivers it after the commit. Answers the message id
     * (the first one's when the same idempotency key was queued before).
     */
    async send(trx: Db, message: OutboundMessage): Promise<string> {
      const [row, change] = outboxEntry(message);
      return repo.queue(trx, row, change);
    },

    /** Queues several messages as `send` queues each, in one statement; answers their ids in order. */
    async sendMany(trx: Db, messages: OutboundMessage[]): Promise<string[]> {
      if (messages.length === 1) return [await this.send(trx, messages[0] as OutboundMessage)];
      return repo.queueMany(
        trx,
        messages.map((m) => {
          const [row, change] = outboxEntry(m);
          return { row, change };
        }),
      );
    },

    /**
     * One round of the sender: takes the due messages, seals each for this attempt (fresh nonce and
     * time), delivers them — several to a peer in one request where the peer has the batch inbox —
     * and records each answer. Answers how many were delivered.
     */
    async deliverDue(limit = 200): Promise<{ taken: number; delivered: number }> {
      const now = clock.now();
      const rows = await repo.claimDue(db, now, new Date(now.getTime() + leaseMs), limit);
      if (rows.length === 0) return { taken: 0, delivered: 0 };
      const registry = trust.current();
      const due: Due[] = [];
      for (const row of rows) {
        const peer = registry.activeMember(row.peer_region.trim(), clock.now());
        if (!peer) {
          await repo.retryLater(
            db,
            row.id,
            new Date(clock.now().getTime() + backoff(row.attempts)),
            "the peer is not an active member of the trust list",
          );
          continue;
        }
        const content: EnvelopeContent = {
          id: row.id,
          from: self,
          to: peer.regionCode,
          type: row.type,
          subject: row.subject,
          idempotencyKey: row.idempotency_key,
          body: row.body,
        };
        due.push({ row, peer, content });
      }
      // A few requests in flight at once: a peer handles its inbox one transaction at a time, and
      // hundreds of requests waiting there would only time out and be sent again.
      const requests = batchesOf(due);
      let delivered = 0;
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(concurrency, requests.length) }, async () => {
          while (next < requests.length) {
            const request = requests[next++] as Due[];
            const { sealed, answers } = await deliverRequest(request);
            // Receipts signed together are verified once for all (one signature).
            const memo: SealMemo = new Map();
            const verdicts = await Promise.all(sealed.map((m, i) => record(m, answers[i] as Answer, memo)));
            delivered += verdicts.filter(Boolean).length;
          }
        }),
      );
      return { taken: rows.length, delivered };
    },

    /**
     * The inbox: checks the envelope (address, sender, key, signature, freshness), refuses a replayed
     * nonce, and applies the message once — the inbox row, unique per sender and idempotency key,
     * commits in the same transaction as the handler's effect and the ledger entry. A repeated
     * delivery of an applied message answers the first receipt. Every refusal is a security event.
     */
    async receive(raw: unknown, origin: { ip?: string } = {}): Promise<Receipt> {
      const now = clock.now();
      const message = await admissible(raw, now, origin, new Map());
      return settle(message, await applyAlone(message, now), origin);
    },

    /**
     * The batch inbox: each envelope checked as `receive` checks it, the admissible ones applied
     * together in one transaction. If any of them fails there (a handler's refusal, a conflict), the
     * transaction is undone whole and each is applied alone, so one envelope's failure is its own.
     * Answers, in the envelopes' order, each one's receipt or the error it alone would have got; a
     * receipt is answered only once the transaction holding its message has committed.
     */
    async receiveBatch(
      raws: unknown[],
      origin: { ip?: string } = {},
      { sealReceipts = false }: { sealReceipts?: boolean } = {},
    ): Promise<EnvelopeAnswer[]> {
      const now = clock.now();
      const results: ({ receipt: Receipt } | { error: unknown })[] = new Array(raws.length);
      const admitted: { index: number; message: Admissible }[] = [];
      // Envelopes sealed together share one signature, verified once for all of them; their
      // preparers share what they read alike.
      const memo: SealMemo = new Map();
      const shared: SharedReads = new Map();
      for (const [index, raw] of raws.entries()) {
        try {
          admitted.push({ index, message: await admissible(raw, now, origin, shared, memo) });
        } catch (error) {
          results[index] = { error };
        }
      }
      let together: Applied[] | undefined;
      if (admitted.length > 1 && distinct(admitted.map((a) => a.message))) {
        try {
          together = await db.transaction().execute((trx) =>
            applyTogether(
              trx,
              admitted.map((a) => a.message),
              now,
              { sealReceipts },
            ),
          );
        } catch {
          together = undefined;
        }
      }
      if (together) inboxBatches.together += admitted.length;
      else if (admitted.length > 1) inboxBatches.alone += admitted.length;
      for (const [k, { index, message }] of admitted.entries()) {
        try {
          results[index] = {
            receipt: await settle(message, together?.[k] ?? (await applyAlone(message, now)), origin),
          };
        } catch (error) {
          results[index] = { error };
        }
      }
      return results.map((result): EnvelopeAnswer => {
        if ("receipt" in result) return { status: 200, receipt: result.receipt };
        if (!(result.error instanceof AppError)) log("an envelope of a batch failed", { error: String(result.error) });
        const error = result.error instanceof AppError ? result.error : new AppError("INTERNAL");
        return {
          status: error.status,
          error: {
            code: error.code,
            message: error.message,
            ...(error.details === undefined ? {} : { details: error.details }),
          },
        };
      });
    },

    /** Forgets nonces too old for their envelopes to pass the freshness check anyway. */
    async forgetOldNonces() {
      await repo.forgetNonces(db, new Date(clock.now().getTime() - 2 * ENVELOPE_MAX_AGE_MS));
    },

    /** The node's messages for its administrators and security officers. */
    async messages(actor: Actor, query: FederationMessageQuery): Promise<FederationMessage[]> {
      authorize(actor, "federation.read", { regionCode: self });
      return this.messagesAbout(query);
    },

    /** Messages sent and received, newest first (a case's view passes its id as subject). */
    async messagesAbout(
      query: Omit<FederationMessageQuery, "limit"> & { limit?: number },
    ): Promise<FederationMessage[]> {
      const limit = query.limit ?? 50;
      const sent =
        query.direction === "received"
          ? []
          : (await repo.sent(db, { ...query, limit })).map(
              (r): FederationMessage => ({
                id: r.id,
                direction: "sent",
                peerRegion: r.peer_region.trim(),
                type: r.type,
                subject: r.subject,
                status: r.status,
                attempts: r.attempts,
                lastError: r.last_error,
                at: r.created_at.toISOString(),
                deliveredAt: r.delivered_at ? r.delivered_at.toISOString() : null,
                ledgerIndex: r.ledger_idx === null || r.ledger_idx === undefined ? null : Number(r.ledger_idx),
              }),
            );
      const received =
        query.direction === "sent" || query.status
          ? []
          : (await repo.received(db, { ...query, limit })).map(
              (r): FederationMessage => ({
                id: r.id,
                direction: "received",
                peerRegion: r.sender_region.trim(),
                type: r.type,
                subject: r.subject,
                status: "received",
                attempts: 1,
                lastError: null,
                at: r.received_at.toISOString(),
                deliveredAt: r.received_at.toISOString(),
                ledgerIndex: r.ledger_idx === null || r.ledger_idx === undefined ? null : Number(r.ledger_idx),
              }),
            );
      return [...sent, ...received].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0)).slice(0, limit);
    },

    /** Security-event helper for other federation parts (the witness). */
    reportSecurityEvent: (code: ErrorCode | string, reason: string, details: Record<string, unknown>) =>
      securityEvent(code, reason, details),
  };
}
export type FederationService = ReturnType<typeof createFederationService>;
