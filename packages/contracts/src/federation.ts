import { z } from "zod";
import { ServiceDetail, ServiceSummary } from "./catalog.ts";
import { ErrorBody } from "./errors.ts";

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
/** The most envelopes one delivery request to `…/federation/inbox/batch` may carry. */
export const ENVELOPE_BATCH_MAX = 64;

/**
 * Where an envelope or receipt sealed together with others sits in their hash tree (RFC 9162): the
 * batch's size, the item's index and its inclusion path (base64 hashes). The item's `signature` is
 * then the one signature over the tree's root (docs/adr/0008-federation-batch-seals.md).
 */
export const BatchSeal = z.object({
  size: z.number().int().min(1).max(ENVELOPE_BATCH_MAX),
  index: z
    .number()
    .int()
    .min(0)
    .max(ENVELOPE_BATCH_MAX - 1),
  /** At most log2 of the largest batch. */
  path: z.array(z.string().min(43).max(44)).max(6),
});
export type BatchSeal = z.infer<typeof BatchSeal>;

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
  /** Present when the envelope was sealed together with the others of its delivery request. */
  tree: BatchSeal.optional(),
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
  /** Present when the receipt was signed together with the others answered to one delivery request. */
  tree: BatchSeal.optional(),
});
export type Receipt = z.infer<typeof Receipt>;

/** Envelopes delivered together in one request; each is still signed, checked and applied once on its own. */
export const EnvelopeBatch = z.object({ envelopes: z.array(z.unknown()).min(1).max(ENVELOPE_BATCH_MAX) });
export type EnvelopeBatch = z.infer<typeof EnvelopeBatch>;

/** The inbox's answer to one envelope of a batch: its receipt, or the error the envelope alone would get. */
export const EnvelopeAnswer = z.union([
  z.object({ status: z.literal(200), receipt: Receipt }),
  z.object({ status: z.number().int().min(400).max(599), error: ErrorBody }),
]);
export type EnvelopeAnswer = z.infer<typeof EnvelopeAnswer>;

/** The answers to a batch, in the order of its envelopes. */
export const EnvelopeBatchAnswer = z.object({ answers: z.array(EnvelopeAnswer) });
export type EnvelopeBatchAnswer = z.infer<typeof EnvelopeBatchAnswer>;

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
  /** The node that took the action (多地联办 shows every node's steps on one timeline; 异地代收 the delivery at the origin). */
  region: z.string().optional(),
  regionName: z.string().optional(),
  /** 多地联办: the linked step the action belongs to. */
  stepKey: z.string().optional(),
  /** Recorded at this node itself (the delivery at the receiving window), not reported by a peer. */
  local: z.boolean().optional(),
});
export type FederatedCaseStep = z.infer<typeof FederatedCaseStep>;

/** 多地联办: one linked step of a joint case, where it runs and how far it got. */
export const FederatedJointStep = z.object({
  key: z.string(),
  name: z.string(),
  regionCode: z.string(),
  regionName: z.string(),
  serviceCode: z.string(),
  /** pending (not started yet), then the step's case status (submitted … approved), or refused. */
  status: z.string(),
  /** The step's case number at its node, once filed. */
  number: z.string().nullable(),
});
export type FederatedJointStep = z.infer<typeof FederatedJointStep>;

/** 异地代收代办: how the window checked the person in front of it (an explicit, recorded check). */
export const IdentityCheck = z.object({
  document: z.enum(["resident_id_card", "temporary_id_card", "business_licence", "agent_authorisation"]),
  method: z.enum(["card_reader", "face_match", "visual_inspection"]),
  verified: z.literal(true, { error: "Confirm that the identity was checked (verified: true)" }),
});
export type IdentityCheck = z.infer<typeof IdentityCheck>;

/** What the receiving window recorded (异地代收): who, where, the identity check and the materials check. */
export const Reception = z.object({
  officialName: z.string(),
  departmentName: z.string(),
  regionCode: z.string(),
  identityCheck: IdentityCheck,
  materials: z.array(
    z.object({
      code: z.string(),
      name: z.string(),
      fileName: z.string(),
      sha256: z.string(),
      size: z.number().int(),
      originalSeen: z.boolean(),
    }),
  ),
  note: z.string().nullable(),
  at: z.string(),
});
export type Reception = z.infer<typeof Reception>;

export const Delivery = z.object({
  officialName: z.string(),
  departmentName: z.string(),
  recipientCheck: IdentityCheck,
  note: z.string().nullable(),
  at: z.string(),
});
export type Delivery = z.infer<typeof Delivery>;

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
  /** 多地联办: every linked step, in order (null for the other modes). */
  jointSteps: z.array(FederatedJointStep).nullable(),
  /** 异地代收代办: the receiving window's record, at the origin. */
  reception: Reception.nullable(),
  /** 异地代收代办: the result handed to the applicant at the origin's window. */
  delivery: Delivery.nullable(),
  /** Whether the caller may deliver the result now (the receiving window, once decided). */
  canDeliver: z.boolean(),
  messages: z.array(FederationMessage),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type FederatedCase = z.infer<typeof FederatedCase>;

/** A material the window scanned from the applicant's papers, sent with the case (base64 content). */
export const RemoteMaterial = z.object({
  code: z.string().regex(/^[a-z][a-z0-9_]{1,39}$/, { error: "A material code of the service" }),
  fileName: z.string().trim().min(1).max(200),
  /** The file, base64; at most the service's size for this material and 10 MB for all together. */
  content: z.base64({ error: "The file's content in base64" }),
  /** Whether the window saw the original (原件) beside the copy. */
  originalSeen: z.boolean(),
});
export type RemoteMaterial = z.infer<typeof RemoteMaterial>;

/**
 * 异地代收代办: window staff here receive an applicant in person for a service of another region,
 * check identity and the form of the materials, and forward the case to the competent node.
 */
export const CreateRemoteCase = z.object({
  serviceCode: z.string().regex(/^\d{6}-[A-Z]{2,4}-\d{4}$/, { error: "A service code such as 610500-GA-0001" }),
  applicant: z.object({
    kind: z.enum(["resident", "enterprise"]),
    /** The resident ID number (GB 11643) or the unified social credit code (GB 32100). */
    identifier: z.string().trim().toUpperCase(),
    name: z.string().trim().min(2).max(50),
    phone: z
      .string()
      .regex(/^1[3-9]\d{9}$/, { error: "An 11-digit mainland mobile number" })
      .nullable()
      .default(null),
  }),
  form: z.record(z.string(), z.unknown()),
  identityCheck: IdentityCheck,
  materials: z.array(RemoteMaterial).max(20).default([]),
  /** The window checked the form of the materials (形式审查): complete, legible, matching the form. */
  materialsChecked: z.literal(true, { error: "Confirm that the materials were checked (materialsChecked: true)" }),
  note: z.string().trim().max(500).nullable().default(null),
});
export type CreateRemoteCase = z.infer<typeof CreateRemoteCase>;

/** 异地代收代办: the receiving window hands the competent node's result to the applicant. */
export const DeliverFederatedCase = z.object({
  recipientCheck: IdentityCheck,
  note: z.string().trim().max(500).nullable().default(null),
});
export type DeliverFederatedCase = z.infer<typeof DeliverFederatedCase>;

/** Services of the other members that can be handled fully online from this node (全程网办). */
export const FederatedServiceQuery = z.object({
  q: z.string().trim().max(50).optional(),
  /** online (default): 全程网办 and 多地联办 from the portal; remote_acceptance: for a window (异地代收). */
  mode: z.enum(["online", "remote_acceptance"]).optional(),
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
