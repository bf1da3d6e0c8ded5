import { z } from "zod";
import { ServiceDetail, ServiceSummary } from "./catalog.ts";

/** Six digits of GB/T 2260: the region a federation member serves. */
export const FederationRegionCode = z.string().regex(/^\d{6}$/, { error: "A six-digit GB/T 2260 region code" });

/**
 * What a member key is for: `node` signs the node's envelopes, `ledger` its ledger checkpoints,
 * `witness` its cosignatures of other members' checkpoints, `certificate` the e-certificates it issues.
 */
export const FederationKeyUse = z.enum(["node", "ledger", "witness", "certificate"]);
export type FederationKeyUse = z.infer<typeof FederationKeyUse>;

/** A key of a member as a signed-note verifier key (`name+keyid+base64(type ‖ public key)`). */
export const FederationKey = z.object({
  use: FederationKeyUse,
  key: z.string().min(10).max(400),
});
export type FederationKey = z.infer<typeof FederationKey>;

/** One member of the federation: a regional node, where it answers and the keys it signs with. */
export const FederationMember = z.object({
  regionCode: FederationRegionCode,
  name: z.string().min(1).max(100),
  /** The node's base URL; peers post envelopes to `<url>api/v1/federation/inbox`. */
  url: z.url({ protocol: /^https?$/ }),
  keys: z.array(FederationKey).min(1),
  /** After this instant the member is no longer trusted (ISO 8601). */
  validUntil: z.iso.datetime({ offset: true }),
});
export type FederationMember = z.infer<typeof FederationMember>;

/**
 * The federation's trust list (like X-Road's global configuration): the body of a signed note the
 * federation administrator signs; every node verifies it before it trusts a peer.
 */
export const TrustList = z.object({
  federation: z.string().min(1).max(100),
  /** Increases with every list the administrator signs; a node never goes back to a lower one. */
  sequence: z.number().int().min(1),
  issuedAt: z.iso.datetime({ offset: true }),
  /** The list itself is not to be trusted after this instant; the administrator signs a new one. */
  nextUpdate: z.iso.datetime({ offset: true }),
  members: z.array(FederationMember).min(1),
});
export type TrustList = z.infer<typeof TrustList>;

/** A peer as `GET /api/v1/federation/peers` shows it. */
export const FederationPeer = FederationMember.extend({
  self: z.boolean(),
  /** The member's validity has not run out. */
  valid: z.boolean(),
  /** Messages to this peer still waiting for its receipt. */
  pendingMessages: z.number().int(),
});
export type FederationPeer = z.infer<typeof FederationPeer>;

export const FederationPeers = z.object({
  federation: z.string(),
  sequence: z.number().int(),
  issuedAt: z.string(),
  nextUpdate: z.string(),
  self: FederationRegionCode,
  peers: z.array(FederationPeer),
});
export type FederationPeers = z.infer<typeof FederationPeers>;

/**
 * A signed envelope between nodes. The signature is the sender's node key over the canonical JSON
 * (RFC 8785 ordering) of every other member.
 */
export const Envelope = z.object({
  v: z.literal(1),
  /** The message's id; the same on every delivery attempt. */
  id: z.uuid(),
  from: FederationRegionCode,
  to: FederationRegionCode,
  type: z.string().regex(/^[a-z][a-z0-9_.]{1,60}$/),
  subject: z.string().max(200).nullable(),
  /** The receiver applies a message with the same sender and key once. */
  idempotencyKey: z.string().min(8).max(200),
  /** Fresh for every delivery attempt: an envelope seen twice is a replay. */
  nonce: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/),
  sentAt: z.iso.datetime({ offset: true }),
  body: z.record(z.string(), z.unknown()),
  /** The sender's node key that signed, as in the trust list. */
  key: z.string().min(10).max(400),
  signature: z.string().min(10).max(400),
});
export type Envelope = z.infer<typeof Envelope>;

/** The receiver's signed acknowledgement of a message, kept by the sender as proof of delivery. */
export const Receipt = z.object({
  messageId: z.uuid(),
  from: FederationRegionCode,
  to: FederationRegionCode,
  idempotencyKey: z.string(),
  receivedAt: z.string(),
  /** `duplicate` when the message had been applied before (a repeated delivery). */
  status: z.enum(["accepted", "duplicate"]),
  key: z.string(),
  signature: z.string(),
});
export type Receipt = z.infer<typeof Receipt>;

export const FederationMessageDirection = z.enum(["sent", "received"]);

/** A message a node sent or received, as the console and a case's view show it. */
export const FederationMessage = z.object({
  id: z.string(),
  direction: FederationMessageDirection,
  peerRegion: z.string(),
  type: z.string(),
  subject: z.string().nullable(),
  status: z.enum(["pending", "delivered", "refused", "received"]),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  at: z.string(),
  deliveredAt: z.string().nullable(),
  ledgerIndex: z.number().int().nullable(),
});
export type FederationMessage = z.infer<typeof FederationMessage>;

export const FederationMessageQuery = z.object({
  direction: FederationMessageDirection.optional(),
  status: z.enum(["pending", "delivered", "refused"]).optional(),
  peerRegion: FederationRegionCode.optional(),
  subject: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type FederationMessageQuery = z.infer<typeof FederationMessageQuery>;

/** The three modes of 国办发〔2020〕35号: 全程网办, 异地代收代办, 多地联办. */
export const CrossProvinceMode = z.enum(["online", "remote_acceptance", "joint"]);
export type CrossProvinceMode = z.infer<typeof CrossProvinceMode>;

/** A resident or enterprise hands a case to the competent node from home (全程网办). */
export const CreateFederatedCase = z.object({
  serviceCode: z.string().regex(/^\d{6}-[A-Z]{2,4}-\d{4}$/, { error: "A service code such as 610500-GA-0001" }),
  form: z.record(z.string(), z.unknown()),
  channel: z.enum(["pc", "mobile"]).default("pc"),
});
export type CreateFederatedCase = z.infer<typeof CreateFederatedCase>;

export const FederatedCaseStep = z.object({
  seq: z.number().int(),
  type: z.string(),
  status: z.string(),
  step: z.string().nullable(),
  at: z.string(),
  reason: z.string().optional(),
});
export type FederatedCaseStep = z.infer<typeof FederatedCaseStep>;

/** A cross-province case as either node shows it: where it came from, who decides, what passed between them. */
export const FederatedCase = z.object({
  id: z.string(),
  role: z.enum(["origin", "competent"]),
  mode: CrossProvinceMode,
  number: z.string(),
  originRegion: z.string(),
  originName: z.string(),
  competentRegion: z.string(),
  competentName: z.string(),
  serviceCode: z.string(),
  serviceName: z.string(),
  /** The case at the competent node, once it has filed it. */
  applicationId: z.string().nullable(),
  competentNumber: z.string().nullable(),
  /** handed_over until the competent node reports; then its status (submitted … delivered), or refused. */
  status: z.string(),
  step: z.string().nullable(),
  timeline: z.array(FederatedCaseStep),
  refusal: z.record(z.string(), z.unknown()).nullable(),
  messages: z.array(FederationMessage),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type FederatedCase = z.infer<typeof FederatedCase>;

/** Services of the other members that can be handled fully online from this node (全程网办). */
export const FederatedServiceQuery = z.object({
  q: z.string().trim().max(50).optional(),
});
export type FederatedServiceQuery = z.infer<typeof FederatedServiceQuery>;

export const FederatedServiceSummary = ServiceSummary.extend({ regionName: z.string() });
export type FederatedServiceSummary = z.infer<typeof FederatedServiceSummary>;

export const FederatedServices = z.object({
  services: z.array(FederatedServiceSummary),
  /** Members whose catalogue could not be read just now (their services are missing from the list). */
  unavailable: z.array(z.object({ regionCode: z.string(), name: z.string() })),
});
export type FederatedServices = z.infer<typeof FederatedServices>;

/** A service of another member, as its own catalogue publishes it, with the member that decides it. */
export const FederatedServiceDetail = ServiceDetail.extend({ regionCode: z.string(), regionName: z.string() });
export type FederatedServiceDetail = z.infer<typeof FederatedServiceDetail>;
