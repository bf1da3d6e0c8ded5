import { z } from "zod";
import { AccountKind, Classification, StaffRole } from "./enums.ts";

/** 事项类型: the kinds of administrative power and public service in the national catalogue. */
export const ServiceType = z.enum([
  "administrative_licence", // 行政许可
  "administrative_confirmation", // 行政确认
  "administrative_payment", // 行政给付
  "administrative_ruling", // 行政裁决
  "public_service", // 公共服务
  "other_power", // 其他行政权力
]);
export type ServiceType = z.infer<typeof ServiceType>;

/** 办理形式 (国办发〔2020〕35号 for the cross-province ones). */
export const HandlingMode = z.enum([
  "online", // 全程网办
  "window", // 窗口办理
  "remote_acceptance", // 异地代收代办
  "joint", // 多地联办
]);
export type HandlingMode = z.infer<typeof HandlingMode>;

/** 四端: the channels an application can come through. */
export const Channel = z.enum(["pc", "mobile", "window", "kiosk"]);
export type Channel = z.infer<typeof Channel>;

export const LifeEvent = z.enum([
  "birth", // 出生
  "school", // 上学
  "employment", // 就业
  "marriage", // 结婚
  "housing", // 住房
  "health", // 医疗
  "retirement", // 退休
  "death", // 身后事
  "business_start", // 开办企业
  "business_change", // 变更经营
  "tax", // 纳税
  "litigation", // 诉讼
]);
export type LifeEvent = z.infer<typeof LifeEvent>;

/** 管辖规则: which region is competent for an application. */
export const JurisdictionRule = z.enum([
  "household_registration", // 申请人户籍地
  "residence", // 经常居住地
  "either_applicant_household", // 任一方户籍地 (e.g. marriage registration)
  "enterprise_registration", // 企业登记地
  "anywhere", // 不限地域
]);
export type JurisdictionRule = z.infer<typeof JurisdictionRule>;

export const LegalBasis = z.object({
  title: z.string().min(2), // 《中华人民共和国民法典》
  article: z.string().min(1).optional(), // 第一千零四十九条
});

export const Fee = z.object({
  name: z.string().min(2),
  amountYuan: z.number().min(0).multipleOf(0.01),
  basis: z.string().min(2),
});

const contentTypes = ["application/pdf", "image/jpeg", "image/png"] as const;
export const MaterialContentType = z.enum(contentTypes);

export const Material = z
  .object({
    code: z.string().regex(/^[a-z][a-z0-9_]{1,39}$/),
    name: z.string().min(2),
    required: z.boolean(),
    /** upload: the applicant uploads it; data: fetched from a department's data; certificate: from an e-certificate. */
    source: z.enum(["upload", "data", "certificate"]),
    accept: z.array(MaterialContentType).min(1).default(["application/pdf", "image/jpeg", "image/png"]),
    maxSizeMb: z.number().positive().max(50).default(10),
    copies: z.string().optional(), // 原件/复印件 requirements, shown in the guide
    note: z.string().optional(),
    /** For source "data": the data resource that provides it (wired up by the data-sharing issue). */
    dataResource: z.string().optional(),
    /** For source "certificate": the e-certificate type (wired up by the e-certificate issue). */
    certificateType: z.string().optional(),
  })
  .superRefine((m, ctx) => {
    if (m.source === "data" && !m.dataResource)
      ctx.addIssue({
        code: "custom",
        path: ["dataResource"],
        message: "a material from data names its data resource",
        params: { reason: "REQUIRED" },
      });
    if (m.source === "certificate" && !m.certificateType)
      ctx.addIssue({
        code: "custom",
        path: ["certificateType"],
        message: "a material from an e-certificate names the certificate type",
        params: { reason: "REQUIRED" },
      });
  });
export type Material = z.infer<typeof Material>;

export const WorkflowStep = z.object({
  key: z.string().regex(/^[a-z][a-z0-9_]{1,31}$/),
  name: z.string().min(2), // 受理, 审核, 审批/签发
  role: StaffRole,
});
export type WorkflowStep = z.infer<typeof WorkflowStep>;

/**
 * 多地联办: the linked steps of a service that needs actions in several regions (e.g. 户口跨省迁移:
 * 准迁 here, 迁出 at the household's region, 落户 here). Each step is a service of the region where it
 * runs, named without its region code; the first is the item itself.
 */
export const JointHandling = z.object({
  /** The form field (a region code) naming the other region, e.g. the household's region (迁出地). */
  sourceRegionField: z.string().min(1),
  steps: z
    .array(
      z.object({
        key: z.string().regex(/^[a-z][a-z0-9_]{1,31}$/),
        name: z.string().min(2),
        /** self: this item's region; source: the region the form names. */
        at: z.enum(["self", "source"]),
        /** The step's service in that region, without the region code: e.g. GA-0102. */
        service: z.string().regex(/^[A-Z]{2,4}-\d{4}$/, { error: "A service code without its region, e.g. GA-0102" }),
      }),
    )
    .min(2),
});
export type JointHandling = z.infer<typeof JointHandling>;

/** UI hints for one form field: label in three scripts, widget, order, help. */
export const FieldHint = z.object({
  label: z.object({ "zh-Hans": z.string(), "zh-Hant": z.string().optional(), en: z.string().optional() }),
  widget: z.enum(["text", "textarea", "select", "radio", "date", "number", "id-number", "phone", "region"]).optional(),
  help: z.string().optional(),
  placeholder: z.string().optional(),
  /** Options' labels for enum fields, by value. */
  options: z.record(z.string(), z.string()).optional(),
});
export type FieldHint = z.infer<typeof FieldHint>;

export const ServiceForm = z.object({
  /** JSON Schema 2020-12 of the form data: an object whose properties are the fields. */
  schema: z
    .object({
      type: z.literal("object"),
      properties: z.record(z.string(), z.unknown()),
      required: z.array(z.string()).optional(),
    })
    .passthrough(),
  /** Field order and hints; every property of the schema has one. */
  ui: z.object({ order: z.array(z.string()).min(1), fields: z.record(z.string(), FieldHint) }),
});
export type ServiceForm = z.infer<typeof ServiceForm>;

/** The standard elements (事项要素) of a service item, without the cross-field rules. */
export const ServiceItemFields = z.object({
  code: z.string().regex(/^\d{6}-[A-Z]{2,4}-\d{4}$/, {
    error: "code is <region code>-<department letters>-<four digits>, e.g. 350100-MZ-0001",
  }),
  name: z.string().min(2),
  nameEn: z.string().min(2),
  type: ServiceType,
  regionCode: z.string().regex(/^\d{6}$/),
  /** The competent department (实施主体), by its code within the region. */
  departmentCode: z.string(),
  applicantKinds: z.array(AccountKind.exclude(["staff"])).min(1),
  lifeEvents: z.array(LifeEvent).default([]),
  summary: z.string().min(10),
  legalBasis: z.array(LegalBasis).min(1),
  conditions: z.array(z.string().min(2)).min(1),
  fees: z.array(Fee).default([]),
  statutoryLimitDays: z.number().int().min(0).max(365),
  committedLimitDays: z.number().int().min(0).max(365),
  handlingPlace: z.string().min(4),
  visitsRequired: z.number().int().min(0).max(5),
  handlingModes: z.array(HandlingMode).min(1),
  channels: z.array(Channel).min(1),
  jurisdiction: JurisdictionRule,
  classification: Classification.default("internal"),
  form: ServiceForm,
  materials: z.array(Material),
  workflow: z.object({ steps: z.array(WorkflowStep).min(2) }),
  /** 多地联办: the linked steps at each region (only for items with the `joint` handling mode). */
  joint: JointHandling.optional(),
  /** Whether the result is an e-certificate, and of which type (the e-certificate issue issues it). */
  result: z.object({ name: z.string().min(2), certificateType: z.string().optional() }),
});

export const ServiceItem = ServiceItemFields.superRefine((item, ctx) => {
  if (item.committedLimitDays > item.statutoryLimitDays) {
    ctx.addIssue({
      code: "custom",
      path: ["committedLimitDays"],
      message: "the committed limit cannot exceed the statutory limit",
      params: { reason: "ABOVE_STATUTORY_LIMIT" },
    });
  }
  const first = item.workflow.steps[0];
  if (first && first.role !== "window" && first.key !== "acceptance") {
    ctx.addIssue({
      code: "custom",
      path: ["workflow", "steps", 0],
      message: "the first step is acceptance (受理)",
      params: { reason: "FIRST_STEP_NOT_ACCEPTANCE" },
    });
  }
  const keys = item.workflow.steps.map((s) => s.key);
  if (new Set(keys).size !== keys.length)
    ctx.addIssue({
      code: "custom",
      path: ["workflow", "steps"],
      message: "step keys repeat",
      params: { reason: "DUPLICATE" },
    });
  const materialCodes = item.materials.map((m) => m.code);
  if (new Set(materialCodes).size !== materialCodes.length)
    ctx.addIssue({
      code: "custom",
      path: ["materials"],
      message: "material codes repeat",
      params: { reason: "DUPLICATE" },
    });
  const properties = Object.keys(item.form.schema.properties);
  for (const name of properties) {
    if (!item.form.ui.fields[name])
      ctx.addIssue({
        code: "custom",
        path: ["form", "ui", "fields", name],
        message: `field ${name} has no UI hint`,
        params: { reason: "MISSING_HINT" },
      });
    if (!item.form.ui.order.includes(name))
      ctx.addIssue({
        code: "custom",
        path: ["form", "ui", "order"],
        message: `field ${name} is not in the order`,
        params: { reason: "FIELD_NOT_IN_ORDER" },
      });
  }
  for (const name of item.form.ui.order) {
    if (!properties.includes(name))
      ctx.addIssue({
        code: "custom",
        path: ["form", "ui", "order"],
        message: `${name} is not a field of the schema`,
        params: { reason: "UNKNOWN_FIELD" },
      });
  }
  if (item.joint) {
    const first = item.joint.steps[0];
    if (first && (first.at !== "self" || `${item.regionCode}-${first.service}` !== item.code))
      ctx.addIssue({
        code: "custom",
        path: ["joint", "steps", 0],
        message: "the first linked step is this item itself, at its own region",
        params: { reason: "FIRST_STEP_NOT_SELF" },
      });
    if (!properties.includes(item.joint.sourceRegionField))
      ctx.addIssue({
        code: "custom",
        path: ["joint", "sourceRegionField"],
        message: `${item.joint.sourceRegionField} is not a field of the form`,
        params: { reason: "UNKNOWN_FIELD" },
      });
    const stepKeys = item.joint.steps.map((s) => s.key);
    if (new Set(stepKeys).size !== stepKeys.length)
      ctx.addIssue({
        code: "custom",
        path: ["joint", "steps"],
        message: "step keys repeat",
        params: { reason: "DUPLICATE" },
      });
    if (!item.handlingModes.includes("joint"))
      ctx.addIssue({
        code: "custom",
        path: ["handlingModes"],
        message: "an item with linked steps has the joint handling mode (多地联办)",
        params: { reason: "JOINT_MODE_MISSING" },
      });
  }
  if (item.code.slice(0, 6) !== item.regionCode)
    ctx.addIssue({
      code: "custom",
      path: ["code"],
      message: "the code starts with the region code",
      params: { reason: "CODE_REGION_MISMATCH" },
    });
});
export type ServiceItem = z.infer<typeof ServiceItem>;

export const ServiceSummary = z.object({
  code: z.string(),
  version: z.number().int(),
  name: z.string(),
  nameEn: z.string(),
  type: ServiceType,
  summary: z.string(),
  regionCode: z.string(),
  departmentId: z.string(),
  departmentName: z.string(),
  applicantKinds: z.array(z.string()),
  lifeEvents: z.array(LifeEvent),
  handlingModes: z.array(HandlingMode),
  channels: z.array(Channel),
  visitsRequired: z.number().int(),
  committedLimitDays: z.number().int(),
  feeYuan: z.number(),
});
export type ServiceSummary = z.infer<typeof ServiceSummary>;

export const ServiceDetail = z.object({
  version: z.number().int(),
  departmentId: z.string(),
  departmentName: z.string(),
  item: ServiceItemFields,
});
export type ServiceDetail = z.infer<typeof ServiceDetail>;

export const ServiceQuery = z.object({
  regionCode: z
    .string()
    .regex(/^\d{6}$/, { error: "A region code has 6 digits" })
    .optional(),
  departmentId: z.string().uuid().optional(),
  lifeEvent: LifeEvent.optional(),
  applicantKind: z.enum(["resident", "enterprise"]).optional(),
  q: z.string().trim().max(50).optional(),
});
export type ServiceQuery = z.infer<typeof ServiceQuery>;

export const ServiceVersionInfo = z.object({
  id: z.string(),
  version: z.number().int(),
  status: z.enum(["draft", "published", "superseded"]),
  source: z.enum(["file", "console"]),
  createdAt: z.string(),
  publishedAt: z.string().nullable(),
  createdByName: z.string().nullable(),
});
export type ServiceVersionInfo = z.infer<typeof ServiceVersionInfo>;

/** An administrator's view of the catalogue: each item with its published and draft versions. */
export const AdminServiceStatus = z.enum([
  "draft_pending", // 有待发布的草稿
  "published", // 已发布，无草稿
]);
export type AdminServiceStatus = z.infer<typeof AdminServiceStatus>;

export const AdminServiceQuery = z.object({
  departmentId: z.string().uuid().optional(),
  status: AdminServiceStatus.optional(),
  q: z.string().trim().max(50).optional(),
});
export type AdminServiceQuery = z.infer<typeof AdminServiceQuery>;

export const AdminServiceSummary = ServiceSummary.extend({
  status: AdminServiceStatus,
  /** When the version new applications use was published. */
  publishedAt: z.string().nullable(),
  /** Draft versions not published yet, newest first. */
  draftVersions: z.array(z.number().int()),
  latestVersion: z.number().int(),
});
export type AdminServiceSummary = z.infer<typeof AdminServiceSummary>;
