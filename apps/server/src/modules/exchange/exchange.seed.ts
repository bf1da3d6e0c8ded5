// The demo world's data-resource catalogue: in each region, the resources of 公安, 民政, 教育 and 人社
// (reached over HTTP at the demo department systems), 市场监管 and 税务 (kept in data pools), a resource
// that is not shared, the 营商环境 thematic database, one approved grant and one pending request.
import type { ResourceField } from "@tongban/contracts";
import type { Db } from "../../db/database.ts";
import { poolRecords } from "../../demo-providers/records.ts";
import type { Ids } from "../../ports/index.ts";
import { recordChange } from "../ledger/outbox.ts";
import { exchangeRepository as repo } from "./exchange.repository.ts";
import { type ResourceDefinition, searchTextOf } from "./model.ts";

type F = Omit<ResourceField, "masking"> & { masking?: ResourceField["masking"] };
const field = (f: F): ResourceField => ({ masking: "none", ...f });

const idNumber = (label = "公民身份号码"): ResourceField =>
  field({
    name: "idNumber",
    label,
    labelEn: "ID number",
    type: "id_number",
    classification: "internal",
    personal: true,
    masking: "id_number",
  });
const personName = (label = "姓名", name = "name"): ResourceField =>
  field({ name, label, labelEn: "Name", type: "string", classification: "internal", personal: true, masking: "name" });

interface Plan extends ResourceDefinition {
  department: string;
  localCode: string;
  /** Which demo department system answers it (by port offset), or the data pool. */
  provider?: { offset: number };
}

function plans(): Plan[] {
  return [
    {
      department: "gongan",
      localCode: "resident_identity",
      name: "人口基础信息",
      nameEn: "Resident identity",
      description: "居民身份证登记项目：姓名、性别、民族、出生日期、户籍地址、签发机关与有效期限。",
      fields: [
        idNumber(),
        personName(),
        field({ name: "sex", label: "性别", type: "string", classification: "internal", personal: true }),
        field({ name: "ethnicity", label: "民族", type: "string", classification: "internal", personal: true }),
        field({
          name: "birthDate",
          label: "出生日期",
          type: "date",
          classification: "internal",
          personal: true,
          masking: "birth_date",
        }),
        field({
          name: "domicileAddress",
          label: "住址",
          type: "string",
          classification: "internal",
          personal: true,
          masking: "address",
        }),
        field({
          name: "issuingAuthority",
          label: "签发机关",
          type: "string",
          classification: "public",
          personal: false,
        }),
        field({ name: "validUntil", label: "有效期限至", type: "date", classification: "internal", personal: true }),
      ],
      sharingClass: "conditional",
      legalBasis: [{ title: "《中华人民共和国居民身份证法》" }],
      updateFrequency: "realtime",
      accessMethod: "api",
      keyField: "idNumber",
      connector: { kind: "http", url: "" },
      provider: { offset: 0 },
    },
    {
      department: "gongan",
      localCode: "household_registration",
      name: "户籍信息",
      nameEn: "Household registration",
      description: "常住人口户籍登记：户号、户主、与户主关系、户别、户籍地址、登记日期与登记机关。",
      fields: [
        idNumber(),
        personName(),
        field({
          name: "householdNumber",
          label: "户号",
          type: "string",
          classification: "internal",
          personal: true,
          masking: "partial",
        }),
        personName("户主姓名", "householdHead"),
        field({
          name: "relationToHead",
          label: "与户主关系",
          type: "string",
          classification: "internal",
          personal: true,
        }),
        field({ name: "householdType", label: "户别", type: "string", classification: "internal", personal: true }),
        field({
          name: "registeredAddress",
          label: "户籍地址",
          type: "string",
          classification: "internal",
          personal: true,
          masking: "address",
        }),
        field({ name: "registeredOn", label: "登记日期", type: "date", classification: "internal", personal: true }),
        field({ name: "policeStation", label: "登记机关", type: "string", classification: "public", personal: false }),
      ],
      sharingClass: "conditional",
      legalBasis: [{ title: "《中华人民共和国户口登记条例》" }],
      updateFrequency: "realtime",
      accessMethod: "api",
      keyField: "idNumber",
      connector: { kind: "http", url: "" },
      provider: { offset: 0 },
    },
    {
      department: "gongan",
      localCode: "residence_registration",
      name: "居住登记信息",
      nameEn: "Residence registration",
      description: "流动人口居住登记：居住地址、登记日期、登记派出所，用于居住证办理。",
      fields: [
        idNumber(),
        personName(),
        field({
          name: "residenceAddress",
          label: "居住地址",
          type: "string",
          classification: "internal",
          personal: true,
          masking: "address",
        }),
        field({ name: "registeredOn", label: "登记日期", type: "date", classification: "internal", personal: true }),
        field({
          name: "policeStation",
          label: "登记派出所",
          type: "string",
          classification: "public",
          personal: false,
        }),
      ],
      sharingClass: "conditional",
      legalBasis: [{ title: "《居住证暂行条例》" }],
      updateFrequency: "daily",
      accessMethod: "api",
      keyField: "idNumber",
      connector: { kind: "http", url: "" },
      provider: { offset: 0 },
    },
    {
      department: "gongan",
      localCode: "criminal_investigation",
      name: "刑事案件侦查信息",
      nameEn: "Criminal investigation records",
      description: "刑事案件立案、侦查措施与涉案人员信息。属国家秘密与侦查秘密，不予共享。",
      fields: [
        idNumber("涉案人员公民身份号码"),
        personName("涉案人员姓名"),
        field({
          name: "caseNumber",
          label: "案件编号",
          type: "string",
          classification: "confidential",
          personal: false,
          masking: "hidden",
        }),
        field({
          name: "measures",
          label: "侦查措施",
          type: "string",
          classification: "confidential",
          personal: true,
          masking: "hidden",
        }),
      ],
      sharingClass: "none",
      legalBasis: [
        { title: "《中华人民共和国保守国家秘密法》" },
        { title: "《中华人民共和国刑事诉讼法》" },
        { title: "《政务信息资源共享管理暂行办法》（国发〔2016〕51号）", article: "第九条" },
      ],
      updateFrequency: "realtime",
      accessMethod: "api",
      keyField: "idNumber",
      connector: { kind: "table" },
    },
    {
      department: "minzheng",
      localCode: "marriage_record",
      name: "婚姻登记信息",
      nameEn: "Marriage records",
      description: "结婚、离婚登记记录：配偶、婚姻状况、登记日期、登记机关与证件编号。",
      fields: [
        idNumber(),
        personName(),
        personName("配偶姓名", "spouseName"),
        { ...idNumber("配偶公民身份号码"), name: "spouseIdNumber", labelEn: "Spouse's ID number" },
        field({ name: "maritalStatus", label: "婚姻状况", type: "string", classification: "internal", personal: true }),
        field({ name: "registeredOn", label: "登记日期", type: "date", classification: "internal", personal: true }),
        field({
          name: "registrationAuthority",
          label: "登记机关",
          type: "string",
          classification: "public",
          personal: false,
        }),
        field({
          name: "certificateNumber",
          label: "结婚证字号",
          type: "string",
          classification: "internal",
          personal: true,
          masking: "partial",
        }),
      ],
      sharingClass: "conditional",
      legalBasis: [{ title: "《婚姻登记条例》" }],
      updateFrequency: "realtime",
      accessMethod: "api",
      keyField: "idNumber",
      connector: { kind: "http", url: "" },
      provider: { offset: 1 },
    },
    {
      department: "jiaoyu",
      localCode: "degree_record",
      name: "学历学位信息",
      nameEn: "Degree records",
      description: "高等教育学历证书与学位信息：院校、层次、学位、专业、毕业日期、证书编号。",
      fields: [
        idNumber(),
        personName(),
        field({ name: "institution", label: "毕业院校", type: "string", classification: "internal", personal: true }),
        field({
          name: "educationLevel",
          label: "学历层次",
          type: "string",
          classification: "internal",
          personal: true,
        }),
        field({ name: "degree", label: "学位", type: "string", classification: "internal", personal: true }),
        field({ name: "major", label: "专业", type: "string", classification: "internal", personal: true }),
        field({ name: "graduatedOn", label: "毕业日期", type: "date", classification: "internal", personal: true }),
        field({
          name: "certificateNumber",
          label: "证书编号",
          type: "string",
          classification: "internal",
          personal: true,
          masking: "partial",
        }),
      ],
      sharingClass: "conditional",
      legalBasis: [{ title: "《中华人民共和国高等教育法》" }],
      updateFrequency: "yearly",
      accessMethod: "api",
      keyField: "idNumber",
      connector: { kind: "http", url: "" },
      provider: { offset: 2 },
    },
    {
      department: "jiaoyu",
      localCode: "student_status",
      name: "学籍信息",
      nameEn: "Student status",
      description: "中小学生学籍：就读学校、年级、入学日期、学籍状态。",
      fields: [
        idNumber(),
        personName(),
        field({ name: "school", label: "就读学校", type: "string", classification: "internal", personal: true }),
        field({ name: "grade", label: "年级", type: "string", classification: "internal", personal: true }),
        field({ name: "enrolledOn", label: "入学日期", type: "date", classification: "internal", personal: true }),
        field({ name: "status", label: "学籍状态", type: "string", classification: "internal", personal: true }),
      ],
      sharingClass: "conditional",
      legalBasis: [{ title: "《中华人民共和国义务教育法》" }],
      updateFrequency: "monthly",
      accessMethod: "api",
      keyField: "idNumber",
      connector: { kind: "http", url: "" },
      provider: { offset: 2 },
    },
    {
      department: "renshe",
      localCode: "insurance_record",
      name: "社会保险参保信息",
      nameEn: "Social insurance records",
      description: "养老、医疗、失业保险参保状态，参保起始日期、累计缴费月数、参保单位与缴费基数。",
      fields: [
        idNumber(),
        personName(),
        field({
          name: "socialSecurityNumber",
          label: "社会保障号码",
          type: "string",
          classification: "internal",
          personal: true,
          masking: "id_number",
        }),
        field({
          name: "pensionStatus",
          label: "养老保险状态",
          type: "string",
          classification: "internal",
          personal: true,
        }),
        field({
          name: "medicalStatus",
          label: "医疗保险状态",
          type: "string",
          classification: "internal",
          personal: true,
        }),
        field({
          name: "unemploymentStatus",
          label: "失业保险状态",
          type: "string",
          classification: "internal",
          personal: true,
        }),
        field({ name: "insuredSince", label: "参保日期", type: "date", classification: "internal", personal: true }),
        field({
          name: "contributionMonths",
          label: "累计缴费月数",
          type: "integer",
          classification: "internal",
          personal: true,
        }),
        field({ name: "employer", label: "参保单位", type: "string", classification: "internal", personal: false }),
        field({
          name: "lastContributionMonth",
          label: "最近缴费年月",
          type: "string",
          classification: "internal",
          personal: true,
        }),
        field({
          name: "contributionBase",
          label: "缴费基数（元）",
          type: "number",
          classification: "secret",
          personal: true,
        }),
      ],
      sharingClass: "conditional",
      legalBasis: [{ title: "《中华人民共和国社会保险法》" }],
      updateFrequency: "monthly",
      accessMethod: "api",
      keyField: "idNumber",
      connector: { kind: "http", url: "" },
      provider: { offset: 3 },
    },
    {
      department: "shichang",
      localCode: "enterprise_registration",
      name: "企业登记信息",
      nameEn: "Enterprise registration",
      description: "企业登记注册基本信息（公示信息）：名称、法定代表人、注册资本、成立日期、住所、经营范围、登记状态。",
      fields: [
        field({
          name: "creditCode",
          label: "统一社会信用代码",
          labelEn: "Credit code",
          type: "credit_code",
          classification: "public",
          personal: false,
        }),
        field({ name: "name", label: "企业名称", type: "string", classification: "public", personal: false }),
        personName("法定代表人", "legalRepresentative"),
        { ...idNumber("法定代表人身份号码"), name: "legalRepresentativeIdNumber" },
        field({
          name: "registeredCapital",
          label: "注册资本（元）",
          type: "number",
          classification: "public",
          personal: false,
        }),
        field({ name: "establishedOn", label: "成立日期", type: "date", classification: "public", personal: false }),
        field({ name: "address", label: "住所", type: "string", classification: "public", personal: false }),
        field({ name: "businessScope", label: "经营范围", type: "string", classification: "public", personal: false }),
        field({ name: "status", label: "登记状态", type: "string", classification: "public", personal: false }),
      ],
      sharingClass: "unconditional",
      legalBasis: [{ title: "《企业信息公示暂行条例》" }],
      updateFrequency: "daily",
      accessMethod: "api",
      keyField: "creditCode",
      connector: { kind: "table" },
    },
    {
      department: "shuiwu",
      localCode: "tax_credit_rating",
      name: "纳税信用等级",
      nameEn: "Tax credit rating",
      description: "纳税人年度纳税信用评价结果（A、B、M、C、D 级）。",
      fields: [
        field({
          name: "creditCode",
          label: "纳税人识别号",
          type: "credit_code",
          classification: "public",
          personal: false,
        }),
        field({ name: "taxpayerName", label: "纳税人名称", type: "string", classification: "public", personal: false }),
        field({ name: "rating", label: "信用等级", type: "string", classification: "internal", personal: false }),
        field({ name: "year", label: "评价年度", type: "integer", classification: "internal", personal: false }),
        field({ name: "evaluatedOn", label: "评价日期", type: "date", classification: "internal", personal: false }),
      ],
      sharingClass: "conditional",
      legalBasis: [{ title: "《纳税信用管理办法》" }],
      updateFrequency: "yearly",
      accessMethod: "api",
      keyField: "creditCode",
      connector: { kind: "table" },
    },
  ];
}

/** The 营商环境 thematic database of a region: enterprise registration beside the tax credit rating. */
function businessEnvironment(region: string, sources: Map<string, ResourceField[]>): Plan {
  const from = (resource: string, name: string, label: string, as = name): ResourceField => {
    const source = sources.get(`${region}.${resource}`)?.find((f) => f.name === name);
    if (!source) throw new Error(`no field ${name} in ${resource}`);
    return { ...source, name: as, label, from: { resource: `${region}.${resource}`, field: name } };
  };
  return {
    department: "zhengwu",
    localCode: "business_environment",
    name: "营商环境主题库",
    nameEn: "Business environment (thematic)",
    description: "汇聚市场监管企业登记与税务纳税信用等级，按统一社会信用代码查询企业画像；各字段按来源资源的授权提供。",
    fields: [
      from("shichang.enterprise_registration", "creditCode", "统一社会信用代码"),
      from("shichang.enterprise_registration", "name", "企业名称", "enterpriseName"),
      from("shichang.enterprise_registration", "legalRepresentative", "法定代表人"),
      from("shichang.enterprise_registration", "registeredCapital", "注册资本（元）"),
      from("shichang.enterprise_registration", "establishedOn", "成立日期"),
      from("shichang.enterprise_registration", "status", "登记状态"),
      from("shuiwu.tax_credit_rating", "rating", "纳税信用等级", "taxCreditRating"),
      from("shuiwu.tax_credit_rating", "year", "评价年度", "ratingYear"),
    ],
    sharingClass: "conditional",
    legalBasis: [{ title: "《优化营商环境条例》" }],
    updateFrequency: "daily",
    accessMethod: "api",
    keyField: "creditCode",
    connector: { kind: "thematic" },
  };
}

export async function seedDemoExchange(
  trx: Db,
  options: {
    now: Date;
    ids: Ids;
    regions: { code: string; prefix: string }[];
    departmentId: (region: string, code: string) => string;
    accountId: (username: string) => string;
    providerPort: number;
  },
) {
  const { now, ids } = options;
  const pools = poolRecords();
  let resources = 0;
  for (const region of options.regions) {
    const resourceIds = new Map<string, string>();
    const fieldsOf = new Map<string, ResourceField[]>();
    const regionPlans = plans();
    for (const plan of regionPlans) fieldsOf.set(`${region.code}.${plan.department}.${plan.localCode}`, plan.fields);
    regionPlans.push(businessEnvironment(region.code, fieldsOf));
    for (const plan of regionPlans) {
      const code = `${region.code}.${plan.department}.${plan.localCode}`;
      const connector = plan.provider
        ? {
            kind: "http" as const,
            url: `http://127.0.0.1:${options.providerPort + plan.provider.offset}/v1/${region.code}/${plan.localCode}`,
          }
        : plan.connector;
      const id = ids.uuid();
      resourceIds.set(`${plan.department}.${plan.localCode}`, id);
      await repo.insertResource(trx, {
        id,
        code,
        region_code: region.code,
        department_id: options.departmentId(region.code, plan.department),
        name: plan.name,
        name_en: plan.nameEn ?? null,
        description: plan.description,
        fields: JSON.stringify(plan.fields),
        sharing_class: plan.sharingClass,
        legal_basis: JSON.stringify(plan.legalBasis),
        update_frequency: plan.updateFrequency,
        access_method: plan.accessMethod,
        key_field: plan.keyField ?? null,
        connector: JSON.stringify(connector),
        search_text: searchTextOf({ ...plan, code }),
        created_by: options.accountId(`${region.prefix}.${stewardOf(plan.department)}`),
        created_at: now,
        updated_at: now,
      });
      resources++;
    }
    const pool = pools[region.code];
    if (pool) {
      for (const [name, records] of Object.entries(pool)) {
        const department = name === "tax_credit_rating" ? "shuiwu" : "shichang";
        await repo.upsertPoolRecords(
          trx,
          resourceIds.get(`${department}.${name}`) as string,
          records.map((data) => ({ key: String(data.creditCode), data })),
          now,
        );
      }
    }

    // 民政 holds a grant on 公安's household registration for marriage registration …
    const requestId = ids.uuid();
    const grantFields = ["idNumber", "name", "householdHead", "relationToHead", "householdType", "registeredAddress"];
    const until = `${now.getUTCFullYear() + 1}-12-31`;
    await repo.insertRequest(trx, {
      id: requestId,
      resource_id: resourceIds.get("gongan.household_registration") as string,
      consumer_department_id: options.departmentId(region.code, "minzheng"),
      requested_by: options.accountId(`${region.prefix}.mz.handler`),
      purpose: "婚姻登记时核验当事人户籍信息（户口簿免提交）",
      legal_basis: "《婚姻登记条例》第五条",
      fields: grantFields,
      expires_on: until,
      status: "approved",
      decided_by: options.accountId(`${region.prefix}.ga.steward`),
      decided_at: now,
      decision_note: "同意共享核验所需字段",
      created_at: now,
    });
    await repo.insertGrant(trx, {
      id: ids.uuid(),
      request_id: requestId,
      resource_id: resourceIds.get("gongan.household_registration") as string,
      consumer_department_id: options.departmentId(region.code, "minzheng"),
      fields: grantFields,
      purpose: "婚姻登记时核验当事人户籍信息（户口簿免提交）",
      legal_basis: "《婚姻登记条例》第五条",
      expires_at: new Date(Date.parse(`${until}T00:00:00+08:00`) + 86_400_000),
      rate_limit_per_minute: 600,
      granted_by: options.accountId(`${region.prefix}.ga.steward`),
      granted_at: now,
      revoked_at: null,
      revoked_by: null,
      revoke_reason: null,
    });
    // … and 人社 waits for the 公安 steward's decision on resident identity.
    await repo.insertRequest(trx, {
      id: ids.uuid(),
      resource_id: resourceIds.get("gongan.resident_identity") as string,
      consumer_department_id: options.departmentId(region.code, "renshe"),
      requested_by: options.accountId(`${region.prefix}.rs.handler`),
      purpose: "社会保障卡申领时核验申领人身份信息",
      legal_basis: "《中华人民共和国社会保险法》第五十八条",
      fields: ["idNumber", "name", "sex", "birthDate"],
      expires_on: until,
      status: "pending",
      decided_by: null,
      decided_at: null,
      decision_note: null,
      created_at: now,
    });
  }
  await recordChange(trx, {
    type: "demo.exchange_seeded",
    subject: "demo-world",
    actor: null,
    at: now,
    facts: { resources },
  });
}

function stewardOf(department: string): string {
  const prefix: Record<string, string> = {
    gongan: "ga",
    minzheng: "mz",
    renshe: "rs",
    jiaoyu: "jy",
    shichang: "sc",
    shuiwu: "sw",
    zhengwu: "zw",
  };
  return `${prefix[department]}.steward`;
}
