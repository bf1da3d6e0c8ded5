import { z } from "zod";
import { Channel } from "./catalog.ts";
import { StaffRole } from "./enums.ts";
import { FieldValue } from "./exchange.ts";
import { FeeLineChoice } from "./payments.ts";

/** The statuses of an application (办件); each is derived from the action log. */
export const ApplicationStatus = z.enum([
  "draft", // 草稿
  "submitted", // 待受理
  "under_review", // 办理中
  "awaiting_supplement", // 待补正
  "suspended", // 特别程序（中止）
  "approved", // 准予
  "rejected", // 不予许可/不予批准
  "not_accepted", // 不予受理
  "withdrawn", // 已撤回
  "delivered", // 已办结（送达）
]);
export type ApplicationStatus = z.infer<typeof ApplicationStatus>;

export const ActionType = z.enum([
  "submit",
  "claim",
  "note",
  "accept",
  "refuse_acceptance",
  "request_supplement",
  "supplement",
  "complete_step",
  "approve",
  "reject",
  "deliver",
  "withdraw",
  "suspend",
  "resume",
]);
export type ActionType = z.infer<typeof ActionType>;

const Reason = z
  .string({ error: "A reason is required" })
  .trim()
  .min(2, { error: "Give a reason of at least 2 characters" })
  .max(2000);

/** One missing or defective item in a supplement request (一次性补正: all of them at once). */
export const SupplementItem = z.object({
  /** A material code of the service, or `form.<field>` for a form field. */
  target: z.string().min(1),
  problem: z.string().trim().min(2).max(500),
});
export type SupplementItem = z.infer<typeof SupplementItem>;

export const ActionRequest = z.discriminatedUnion(
  "type",
  [
    z.object({ type: z.literal("submit") }),
    z.object({ type: z.literal("claim") }),
    z.object({ type: z.literal("note"), text: z.string().trim().min(1).max(2000) }),
    z.object({
      type: z.literal("accept"),
      opinion: z.string().trim().max(2000).optional(),
      /** For a service with fees: the lines charged (default: the item's first line, once). */
      fees: z.array(FeeLineChoice).min(1).max(20).optional(),
    }),
    z.object({
      type: z.literal("refuse_acceptance"),
      reason: Reason,
      legalBasis: z.string().trim().min(2, { error: "Name the legal basis" }).max(500),
    }),
    z.object({
      type: z.literal("request_supplement"),
      items: z.array(SupplementItem).min(1, { error: "List every missing or defective item" }),
      note: z.string().max(2000).optional(),
    }),
    z.object({ type: z.literal("supplement"), note: z.string().max(2000).optional() }),
    z.object({ type: z.literal("complete_step"), opinion: Reason }),
    z.object({ type: z.literal("approve"), opinion: Reason }),
    z.object({
      type: z.literal("reject"),
      reason: Reason,
      legalBasis: z.string().trim().min(2, { error: "Name the legal basis" }).max(500),
    }),
    z.object({
      type: z.literal("deliver"),
      method: z.enum(["online", "post", "window"]),
      note: z.string().max(500).optional(),
    }),
    z.object({ type: z.literal("withdraw"), reason: z.string().trim().max(500).optional() }),
    z.object({ type: z.literal("suspend"), reason: Reason }),
    z.object({ type: z.literal("resume"), note: z.string().max(500).optional() }),
  ],
  { error: "type must be one of the actions" },
);
export type ActionRequest = z.infer<typeof ActionRequest>;

export const CreateApplication = z.object({
  serviceCode: z.string({ error: "serviceCode is required" }).min(1),
  channel: Channel.default("pc"),
});
export type CreateApplication = z.infer<typeof CreateApplication>;

export const UpdateApplication = z.object({ form: z.record(z.string(), z.unknown()) });
export type UpdateApplication = z.infer<typeof UpdateApplication>;

export const ApplicationAction = z.object({
  seq: z.number().int(),
  type: ActionType,
  actorName: z.string(),
  actorRole: z.string(),
  channel: z.string(),
  at: z.string(),
  payload: z.record(z.string(), z.unknown()),
  /** The action's index in the ledger; null until the sequencer has integrated it (within a second). */
  ledgerIndex: z.number().int().nullable(),
});
export type ApplicationAction = z.infer<typeof ApplicationAction>;

export const ApplicationMaterial = z.object({
  id: z.string(),
  materialCode: z.string(),
  fileName: z.string(),
  contentType: z.string(),
  size: z.number().int(),
  sha256: z.string(),
  uploadedAt: z.string(),
});
export type ApplicationMaterial = z.infer<typeof ApplicationMaterial>;

/**
 * A material fetched from shared data instead of uploaded (材料免提交): the gateway's answer about the
 * applicant, kept on the case with its source, the applicant's consent and the access on the ledger.
 */
export const ApplicationDataMaterial = z.object({
  id: z.string(),
  materialCode: z.string(),
  resource: z.string(),
  resourceName: z.string(),
  providerDepartmentName: z.string(),
  /** The data access that fetched it (listed under "who read my data"). */
  accessId: z.string(),
  /** The access's ledger index; null until the sequencer has integrated it. */
  ledgerIndex: z.number().int().nullable(),
  fields: z.array(z.object({ name: z.string(), label: z.string() })),
  /** As the gateway answered: granted fields only, masked as the resource says. */
  records: z.array(z.record(z.string(), FieldValue)),
  consentAt: z.string(),
  fetchedAt: z.string(),
});
export type ApplicationDataMaterial = z.infer<typeof ApplicationDataMaterial>;

/** The applicant consents to the fetch of one material; without `consent: true` nothing is fetched. */
export const FetchDataMaterial = z.object({
  materialCode: z.string({ error: "materialCode is required" }).min(1),
  consent: z.literal(true, { error: "Consent (consent: true) is needed before the platform fetches your data" }),
});
export type FetchDataMaterial = z.infer<typeof FetchDataMaterial>;

/** Where a material obtainable from shared data would come from, shown before the applicant consents. */
export const DataMaterialSource = z.object({
  materialCode: z.string(),
  resource: z.string(),
  /** Null when the region's catalogue has no such resource (the material cannot be fetched there). */
  resourceName: z.string().nullable(),
  providerDepartmentName: z.string().nullable(),
  /** The labels of the fields that would be fetched (those the case's classification allows). */
  fieldLabels: z.array(z.string()),
});
export type DataMaterialSource = z.infer<typeof DataMaterialSource>;

export const DeadlineState = z.enum(["none", "on_time", "warning", "overdue", "paused", "finished"]);

export const Deadline = z.object({
  limitDays: z.number().int(),
  acceptedOn: z.string().nullable(),
  dueOn: z.string().nullable(),
  elapsedDays: z.number().int(),
  pausedDays: z.number().int(),
  state: DeadlineState,
});
export type Deadline = z.infer<typeof Deadline>;

export const ApplicationSummary = z.object({
  id: z.string(),
  number: z.string(),
  serviceCode: z.string(),
  serviceName: z.string(),
  applicantName: z.string(),
  departmentName: z.string(),
  status: ApplicationStatus,
  currentStep: z.string().nullable(),
  holderRole: StaffRole.nullable(),
  claimedByName: z.string().nullable(),
  deadline: Deadline,
  updatedAt: z.string(),
});
export type ApplicationSummary = z.infer<typeof ApplicationSummary>;

export const Application = ApplicationSummary.extend({
  serviceVersion: z.number().int(),
  applicantId: z.string(),
  regionCode: z.string(),
  departmentId: z.string(),
  form: z.record(z.string(), z.unknown()),
  firstContactName: z.string().nullable(),
  openSupplement: z.array(SupplementItem).nullable(),
  materials: z.array(ApplicationMaterial),
  /** Materials fetched from shared data with the applicant's consent (the current fetch of each). */
  dataMaterials: z.array(ApplicationDataMaterial),
  /** How many materials the applicant did not have to provide because they were fetched. */
  materialsSpared: z.number().int(),
  actions: z.array(ApplicationAction),
  /** The actions the caller may take now. */
  allowedActions: z.array(ActionType),
  createdAt: z.string(),
  submittedAt: z.string().nullable(),
});
export type Application = z.infer<typeof Application>;

/** A case in a list: the summary with the first-contact person (首问负责), whom supervisors hold to answer. */
export const ApplicationListItem = ApplicationSummary.extend({ firstContactName: z.string().nullable() });
export type ApplicationListItem = z.infer<typeof ApplicationListItem>;

export const ApplicationQuery = z.object({
  status: ApplicationStatus.optional(),
  serviceCode: z.string().optional(),
  /** Narrows a supervisor's region (or a resident's own cases) to one department. */
  departmentId: z.string().uuid().optional(),
  /** warning: flagged, 80 % of the committed limit used (overdue ones included); overdue: past the due date. */
  deadline: z.enum(["warning", "overdue"]).optional(),
  mine: z.enum(["true", "false"]).optional(),
  q: z.string().trim().max(50).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
export type ApplicationQuery = z.infer<typeof ApplicationQuery>;
