import { z } from "zod";
import { LegalBasis } from "./catalog.ts";
import { Classification } from "./enums.ts";

/** 共享类型 (国发〔2016〕51号): 无条件共享, 有条件共享, 不予共享 (which needs its legal basis). */
export const SharingClass = z.enum(["unconditional", "conditional", "none"]);
export type SharingClass = z.infer<typeof SharingClass>;

/** The type of a field's values; id_number and credit_code values identify a data subject. */
export const FieldType = z.enum([
  "string",
  "integer",
  "number",
  "boolean",
  "date",
  "id_number",
  "credit_code",
  "phone",
]);
export type FieldType = z.infer<typeof FieldType>;

/**
 * How a field's value is masked before it leaves the gateway: id_number 3502**********1234,
 * name 张*, phone 138****1234, address up to the district, birth_date the year only, partial the first
 * and last character, hidden a fixed ******.
 */
export const MaskingRule = z.enum(["none", "id_number", "name", "phone", "address", "birth_date", "partial", "hidden"]);
export type MaskingRule = z.infer<typeof MaskingRule>;

/** 更新周期. */
export const UpdateFrequency = z.enum(["realtime", "daily", "weekly", "monthly", "quarterly", "yearly", "on_change"]);
export type UpdateFrequency = z.infer<typeof UpdateFrequency>;

/** How a resource is reached: an API query by key (one subject's records), or a dataset read in pages. */
export const AccessMethod = z.enum(["api", "dataset"]);
export type AccessMethod = z.infer<typeof AccessMethod>;

/** How the gateway answers a query: 'own' data, 'unconditional' sharing, a 'grant', the applicant's 'consent'. */
export const AccessBasis = z.enum(["grant", "unconditional", "own", "consent", "none"]);
export type AccessBasis = z.infer<typeof AccessBasis>;

/** <region code>.<department code>.<name>, e.g. 350100.gongan.household_registration. */
export const ResourceCode = z.string().regex(/^\d{6}\.[a-z][a-z0-9_]{1,31}\.[a-z][a-z0-9_]{1,63}$/, {
  error: "A resource code is <region code>.<department code>.<name>, e.g. 350100.gongan.household_registration",
});
/** The last part of a resource code, chosen by the steward. */
export const ResourceLocalCode = z.string().regex(/^[a-z][a-z0-9_]{1,63}$/, {
  error: "2 to 64 lower-case letters, digits and underscores, starting with a letter",
});
export const FieldName = z.string().regex(/^[a-z][A-Za-z0-9]{0,39}$/, {
  error: "A field name is camelCase letters and digits, e.g. idNumber",
});

export const ResourceField = z.object({
  name: FieldName,
  label: z.string().trim().min(1).max(60),
  labelEn: z.string().trim().min(1).max(80).optional(),
  type: FieldType,
  classification: Classification,
  /** Whether the field holds personal information (个人信息). */
  personal: z.boolean(),
  masking: MaskingRule.default("none"),
  description: z.string().max(500).optional(),
  /** Thematic databases only: the resource and field this field of the view comes from. */
  from: z.object({ resource: ResourceCode, field: FieldName }).optional(),
});
export type ResourceField = z.infer<typeof ResourceField>;

export const Connector = z.discriminatedUnion(
  "kind",
  [
    /** A department's own system, called by URL with signed requests. */
    z.object({ kind: z.literal("http"), url: z.url({ protocol: /^https?$/, error: "An http(s) URL" }) }),
    /** Records the department keeps in its platform data pool (部门数据资源池). */
    z.object({ kind: z.literal("table") }),
    /** A thematic database (主题数据库): a view over other resources, each field naming its source. */
    z.object({ kind: z.literal("thematic") }),
  ],
  { error: "connector.kind is http, table or thematic" },
);
export type Connector = z.infer<typeof Connector>;

const ResourceBody = z.object({
  name: z.string().trim().min(2).max(100),
  nameEn: z.string().trim().min(2).max(150).optional(),
  description: z.string().trim().min(4).max(2000),
  fields: z.array(ResourceField).min(1, { error: "A resource has at least one field" }).max(100),
  sharingClass: SharingClass,
  /** For 不予共享 the law that forbids sharing (required); otherwise what sharing rests on. */
  legalBasis: z.array(LegalBasis).max(10).default([]),
  updateFrequency: UpdateFrequency,
  accessMethod: AccessMethod,
  /** For API queries: the field a query's key is matched against. */
  keyField: FieldName.optional(),
  connector: Connector,
});

export const CreateDataResource = ResourceBody.extend({ localCode: ResourceLocalCode });
export type CreateDataResource = z.infer<typeof CreateDataResource>;

export const UpdateDataResource = ResourceBody.partial();
export type UpdateDataResource = z.infer<typeof UpdateDataResource>;

export const DataResourceSummary = z.object({
  code: ResourceCode,
  regionCode: z.string(),
  departmentId: z.string(),
  departmentName: z.string(),
  name: z.string(),
  nameEn: z.string().nullable(),
  description: z.string(),
  sharingClass: SharingClass,
  accessMethod: AccessMethod,
  updateFrequency: UpdateFrequency,
  connectorKind: z.enum(["http", "table", "thematic"]),
  fieldCount: z.number().int(),
  updatedAt: z.string(),
});
export type DataResourceSummary = z.infer<typeof DataResourceSummary>;

export const DataResource = DataResourceSummary.extend({
  fields: z.array(ResourceField),
  legalBasis: z.array(LegalBasis),
  keyField: z.string().nullable(),
  connector: Connector,
  createdAt: z.string(),
});
export type DataResource = z.infer<typeof DataResource>;

export const DataResourceQuery = z.object({
  q: z.string().trim().max(100).optional(),
  regionCode: z
    .string()
    .regex(/^\d{6}$/)
    .optional(),
  departmentId: z.string().uuid().optional(),
  sharingClass: SharingClass.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
export type DataResourceQuery = z.infer<typeof DataResourceQuery>;

export const ResourceCodeParam = z.object({ code: ResourceCode });

/** Records for a department data pool, upserted by the resource's key field. */
export const PoolRecords = z.object({
  records: z
    .array(z.record(z.string(), z.unknown()))
    .min(1, { error: "Send at least one record" })
    .max(1000, { error: "At most 1,000 records per request" }),
});
export type PoolRecords = z.infer<typeof PoolRecords>;

const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: "A date is YYYY-MM-DD" });
const Purpose = z
  .string({ error: "Name the purpose" })
  .trim()
  .min(4, { error: "Describe the purpose in at least 4 characters" })
  .max(500);
const Basis = z.string({ error: "Name the legal basis" }).trim().min(2, { error: "Name the legal basis" }).max(500);

export const SharingRequestStatus = z.enum(["pending", "approved", "refused"]);
export type SharingRequestStatus = z.infer<typeof SharingRequestStatus>;

export const CreateSharingRequest = z.object({
  resource: ResourceCode,
  purpose: Purpose,
  legalBasis: Basis,
  fields: z.array(FieldName).min(1, { error: "Name the fields you need" }).max(100),
  /** The last day the grant may be used (China time). */
  expiresOn: IsoDate,
});
export type CreateSharingRequest = z.infer<typeof CreateSharingRequest>;

export const SharingDecision = z.discriminatedUnion(
  "decision",
  [
    z.object({
      decision: z.literal("approve"),
      /** Fewer fields than asked for, if the purpose needs fewer. */
      fields: z.array(FieldName).min(1).max(100).optional(),
      /** An earlier last day than asked for. */
      expiresOn: IsoDate.optional(),
      rateLimitPerMinute: z.number().int().min(1).max(1_000_000).default(600),
      note: z.string().trim().max(2000).optional(),
    }),
    z.object({
      decision: z.literal("refuse"),
      reason: z
        .string({ error: "Give the reasons for refusing" })
        .trim()
        .min(2, { error: "Give the reasons for refusing" })
        .max(2000),
    }),
  ],
  { error: "decision is approve or refuse" },
);
export type SharingDecision = z.infer<typeof SharingDecision>;

export const SharingRequest = z.object({
  id: z.string(),
  resource: ResourceCode,
  resourceName: z.string(),
  providerDepartmentId: z.string(),
  providerDepartmentName: z.string(),
  consumerDepartmentId: z.string(),
  consumerDepartmentName: z.string(),
  requestedByName: z.string(),
  purpose: z.string(),
  legalBasis: z.string(),
  fields: z.array(z.string()),
  expiresOn: z.string(),
  status: SharingRequestStatus,
  decidedByName: z.string().nullable(),
  decidedAt: z.string().nullable(),
  decisionNote: z.string().nullable(),
  grantId: z.string().nullable(),
  createdAt: z.string(),
});
export type SharingRequest = z.infer<typeof SharingRequest>;

/** incoming: requests for / grants on my department's resources; outgoing: my department's own. */
export const SharingSide = z.enum(["incoming", "outgoing"]);

export const SharingRequestQuery = z.object({
  side: SharingSide.optional(),
  status: SharingRequestStatus.optional(),
  resource: ResourceCode.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
export type SharingRequestQuery = z.infer<typeof SharingRequestQuery>;

export const GrantStatus = z.enum(["active", "expired", "revoked"]);
export type GrantStatus = z.infer<typeof GrantStatus>;

export const Grant = z.object({
  id: z.string(),
  requestId: z.string().nullable(),
  resource: ResourceCode,
  resourceName: z.string(),
  providerDepartmentId: z.string(),
  providerDepartmentName: z.string(),
  consumerDepartmentId: z.string(),
  consumerDepartmentName: z.string(),
  fields: z.array(z.string()),
  purpose: z.string(),
  legalBasis: z.string(),
  expiresAt: z.string(),
  rateLimitPerMinute: z.number().int(),
  grantedByName: z.string(),
  grantedAt: z.string(),
  status: GrantStatus,
  revokedAt: z.string().nullable(),
  revokeReason: z.string().nullable(),
});
export type Grant = z.infer<typeof Grant>;

export const GrantQuery = z.object({
  side: SharingSide.optional(),
  status: GrantStatus.optional(),
  resource: ResourceCode.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
export type GrantQuery = z.infer<typeof GrantQuery>;

export const RevokeGrant = z.object({
  reason: z
    .string({ error: "Give the reason for revoking" })
    .trim()
    .min(2, { error: "Give the reason for revoking" })
    .max(2000),
});
export type RevokeGrant = z.infer<typeof RevokeGrant>;

/** A query through the exchange gateway. */
export const ExchangeQuery = z.object({
  resource: ResourceCode,
  /** For API resources: the value of the key field (an ID number, a credit code …). */
  key: z.string().trim().min(1).max(100).optional(),
  purpose: Purpose,
  /** The grant to query under; by default the department's grant on the resource that covers the fields. */
  grant: z.string().uuid({ error: "Not a valid grant id" }).optional(),
  /** The fields wanted; by default every field the basis allows. */
  fields: z.array(FieldName).min(1).max(100).optional(),
  /** For datasets: the page. */
  offset: z.number().int().min(0).max(1_000_000).default(0),
  limit: z.number().int().min(1).max(100).default(20),
});
export type ExchangeQuery = z.infer<typeof ExchangeQuery>;

export const FieldValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export type FieldValue = z.infer<typeof FieldValue>;

export const ExchangeAnswer = z.object({
  /** The access record; its ledger entry follows once the sequencer integrates it. */
  accessId: z.string(),
  resource: ResourceCode,
  resourceName: z.string(),
  providerDepartmentName: z.string(),
  basis: AccessBasis,
  grantId: z.string().nullable(),
  fields: z.array(z.string()),
  /** The fields whose values were masked. */
  masked: z.array(z.string()),
  records: z.array(z.record(z.string(), FieldValue)),
  fetchedAt: z.string(),
});
export type ExchangeAnswer = z.infer<typeof ExchangeAnswer>;

export const AccessOutcome = z.enum(["allowed", "refused", "failed"]);
export type AccessOutcome = z.infer<typeof AccessOutcome>;

/** One access to data about the logged-in resident or enterprise (谁查看了我的数据). */
export const DataAccessItem = z.object({
  id: z.string(),
  at: z.string(),
  resource: z.string(),
  resourceName: z.string().nullable(),
  providerDepartmentName: z.string().nullable(),
  consumerDepartmentName: z.string().nullable(),
  consumerRegionCode: z.string().nullable(),
  purpose: z.string(),
  basis: AccessBasis,
  fields: z.array(z.string()),
  outcome: AccessOutcome,
  /** The ledger index of the access's entry; null until the sequencer has integrated it. */
  ledgerIndex: z.number().int().nullable(),
});
export type DataAccessItem = z.infer<typeof DataAccessItem>;

export const DataAccessQuery = z.object({
  outcome: AccessOutcome.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
export type DataAccessQuery = z.infer<typeof DataAccessQuery>;

/** The key the gateway signs provider requests with, for department systems to trust. */
export const GatewayKey = z.object({
  keyId: z.string(),
  algorithm: z.literal("ed25519"),
  /** The raw 32-byte Ed25519 public key, base64. */
  publicKey: z.string(),
});
export type GatewayKey = z.infer<typeof GatewayKey>;
