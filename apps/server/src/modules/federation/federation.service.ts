// Cross-province handling (跨省通办) between regional nodes: the node's place in the federation,
// messages to peers through a durable outbox, and an inbox that applies each peer message once.
import { randomBytes } from "node:crypto";
import {
  type Envelope,
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
import { checkEnvelope, ENVELOPE_MAX_AGE_MS, sealEnvelope, signReceipt, verifyReceipt } from "./envelope.ts";
import { federationRepository as repo } from "./federation.repository.ts";
import type { NodeIdentity } from "./identity.ts";
import type { PeerTransport } from "./transport.ts";
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
 * Reads what a handler needs before the inbox's transaction opens (e.g. a service version from the
 * catalogue, which reads through its own connection): nothing inside the transaction may wait for
 * another connection, or an embedded database with one connection would wait for itself.
 */
export type MessagePreparer = (message: InboundMessage) => Promise<unknown>;

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

/** Security events of one kind from one address recorded one by one within a minute. */
export const SECURITY_EVENTS_PER_MINUTE = 30;

export interface DeliveryOptions {
  /** Longest wait between two attempts. */
  retryMaxMs: number;
  /** First wait after a failure; it doubles with each attempt up to retryMaxMs. */
  retryBaseMs?: number;
  /** How long a taken message stays with its sender before another attempt may take it. */
  leaseMs?: number;
  /** Deliveries in flight at once (default 8). */
  concurrency?: number;
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
  const handlers = new Map<string, { handle: MessageHandler; prepare?: MessagePreparer }>();
  const refusedHandlers = new Map<string, RefusalHandler>();
  const retryBaseMs = delivery.retryBaseMs ?? 500;
  const leaseMs = delivery.leaseMs ?? 30_000;
  const concurrency = delivery.concurrency ?? 8;
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
    answer: { status: number; body: unknown },
    envelope: Envelope,
  ): { delivered: Receipt } | { refused: string } | { retry: string } {
    if (answer.status === 200) {
      const receipt = Receipt.safeParse(answer.body);
      if (!receipt.success) return { retry: "the peer's receipt is not well-formed" };
      const wrong = verifyReceipt(
        receipt.data,
        { messageId: envelope.id, from: envelope.from, to: envelope.to, idempotencyKey: envelope.idempotencyKey },
        trust.current(),
        clock.now(),
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

  return {
    self,
    identity,

    /** Registers what a message type does at this node (one handler per type). */
    on(type: string, handle: MessageHandler, prepare?: MessagePreparer) {
      if (handlers.has(type)) throw new Error(`a handler for ${type} is registered already`);
      handlers.set(type, prepare ? { handle, prepare } : { handle });
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
      if (message.to === self) throw new Error("a node does not send messages to itself");
      // The envelope's own limits, checked here so a bad message fails its cause, not its delivery.
      if (!/^[a-z][a-z0-9_.]{1,60}$/.test(message.type)) throw new Error(`bad message type ${message.type}`);
      if (message.idempotencyKey.length < 8 || message.idempotencyKey.length > 200)
        throw new Error("an idempotency key has 8 to 200 characters");
      if (!trust.current().member(message.to)) throw new AppError("FEDERATION_PEER_NOT_FOUND", { region: message.to });
      const now = clock.now();
      const id = ids.uuid();
      return repo.queue(
        trx,
        {
          id,
          peer_region: message.to,
          type: message.type,
          subject: message.subject,
          idempotency_key: message.idempotencyKey,
          body: JSON.stringify(message.body),
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
      );
    },

    /**
     * One round of the sender: takes the due messages, seals each for this attempt (fresh nonce and
     * time), delivers them in parallel and records each answer. Answers how many were delivered.
     */
    async deliverDue(limit = 200): Promise<{ taken: number; delivered: number }> {
      const now = clock.now();
      const rows = await repo.claimDue(db, now, new Date(now.getTime() + leaseMs), limit);
      if (rows.length === 0) return { taken: 0, delivered: 0 };
      const registry = trust.current();
      const deliverOne = async (row: (typeof rows)[number]): Promise<boolean> => {
        const peer = registry.activeMember(row.peer_region.trim(), clock.now());
        if (!peer) {
          await repo.retryLater(
            db,
            row.id,
            new Date(clock.now().getTime() + backoff(row.attempts)),
            "the peer is not an active member of the trust list",
          );
          return false;
        }
        const envelope = sealEnvelope(
          {
            id: row.id,
            from: self,
            to: peer.regionCode,
            type: row.type,
            subject: row.subject,
            idempotencyKey: row.idempotency_key,
            body: row.body,
          },
          identity.node,
          clock.now(),
          randomBytes(18).toString("base64url"),
        );
        let verdict: ReturnType<typeof judge>;
        try {
          verdict = judge(await transport.deliver(peer.url, envelope), envelope);
        } catch (error) {
          verdict = { retry: `unreachable: ${(error as Error).message}` };
        }
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
              facts: {
                to: peer.regionCode,
                receivedAt: verdict.delivered.receivedAt,
                status: verdict.delivered.status,
              },
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
      };
      // A few deliveries in flight at once: a peer handles its inbox one transaction at a time, and
      // hundreds of requests waiting there would only time out and be sent again.
      let delivered = 0;
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(concurrency, rows.length) }, async () => {
          while (next < rows.length) {
            const row = rows[next++] as (typeof rows)[number];
            if (await deliverOne(row)) delivered += 1;
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
      const checked = checkEnvelope(raw, { self, trust: trust.current(), now, maxAgeMs: ENVELOPE_MAX_AGE_MS });
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
      const handler = handlers.get(envelope.type);
      const inbound: InboundMessage = {
        id: envelope.id,
        from: envelope.from,
        type: envelope.type,
        subject: envelope.subject,
        idempotencyKey: envelope.idempotencyKey,
        body: envelope.body,
        sentAt: new Date(envelope.sentAt),
      };
      const prepare = handler?.prepare;
      const prepared = prepare ? await refusing(() => prepare(inbound)) : undefined;
      const admit = () =>
        db.transaction().execute(async (trx) => {
          const receipt = signReceipt(
            {
              messageId: envelope.id,
              from: envelope.from,
              to: self,
              idempotencyKey: envelope.idempotencyKey,
              receivedAt: now.toISOString(),
              status: "accepted",
            },
            identity.node,
          );
          // The nonce, the inbox row and its ledger entry in one statement, before the handler's effect.
          const admitted = await repo.admit(
            trx,
            { sender_region: envelope.from, nonce: envelope.nonce, seen_at: now },
            {
              id: ids.uuid(),
              sender_region: envelope.from,
              type: envelope.type,
              subject: envelope.subject,
              idempotency_key: envelope.idempotencyKey,
              body: JSON.stringify(envelope.body),
              sent_at: new Date(envelope.sentAt),
              received_at: now,
              receipt: canonicalJson(receipt),
            },
            {
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
          );
          if (!admitted.freshNonce) return { replayed: true as const };
          if (admitted.priorReceipt !== null) return { receipt: JSON.parse(admitted.priorReceipt) as Receipt };
          if (admitted.inboxId === null) throw new AppliedMeanwhile();
          if (!handler)
            throw new AppError("FEDERATION_MESSAGE_REFUSED", { reason: `this node has no use for ${envelope.type}` });
          await refusing(() => handler.handle(trx, inbound, prepared));
          return { receipt };
        });
      let outcome: Awaited<ReturnType<typeof admit>>;
      try {
        outcome = await admit();
      } catch (error) {
        // Another delivery of the same message committed while this one waited on its key: the
        // transaction is undone whole, and the second try finds that delivery's receipt.
        if (!(error instanceof AppliedMeanwhile)) throw error;
        outcome = await admit();
      }
      if ("replayed" in outcome) {
        const reason = "this nonce was seen before: the envelope was captured and sent again";
        await securityEvent("ENVELOPE_REPLAYED", reason, {
          messageId: envelope.id,
          from: envelope.from,
          type: envelope.type,
          ip: origin.ip,
        });
        throw new AppError("ENVELOPE_REPLAYED", { reason });
      }
      return outcome.receipt;
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
