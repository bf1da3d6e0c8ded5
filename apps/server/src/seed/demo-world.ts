import { randomInt } from "node:crypto";
import {
  type Classification,
  creditCodeCheckCharacter,
  idNumberCheckCharacter,
  organisationCodeCheckCharacter,
  type StaffRole,
} from "@tongban/contracts";
import { generateSecret } from "otplib";
import type { Db } from "../db/database.ts";
import { hashPassword } from "../modules/auth/credentials.ts";
import { seedDemoExchange } from "../modules/exchange/exchange.seed.ts";
import { recordChange } from "../modules/ledger/outbox.ts";
import type { Clock, Ids } from "../ports/index.ts";

/** One line of `<DATA_DIR>/demo-accounts.json`. */
export interface DemoAccount {
  username: string;
  password: string;
  roles: StaffRole[];
  department: string | null;
  region: string | null;
  totpSecret: string | null;
}

interface RegionPlan {
  code: string;
  name: string;
  nameEn: string;
  prefix: string;
  /** Department names differ a little from city to city, as they do in life. */
  departments: { code: string; name: string; nameEn: string }[];
}

const standardDepartments = (city: string, extra: { dataOffice: string; dataOfficeEn: string; court: string }) => [
  { code: "zhengwu", name: extra.dataOffice, nameEn: extra.dataOfficeEn },
  { code: "gongan", name: `${city}公安局`, nameEn: "Public Security Bureau" },
  { code: "minzheng", name: `${city}民政局`, nameEn: "Civil Affairs Bureau" },
  { code: "renshe", name: `${city}人力资源和社会保障局`, nameEn: "Human Resources and Social Security Bureau" },
  { code: "jiaoyu", name: `${city}教育局`, nameEn: "Education Bureau" },
  { code: "shuiwu", name: `国家税务总局${city}税务局`, nameEn: "Taxation Bureau" },
  { code: "shichang", name: `${city}市场监督管理局`, nameEn: "Market Regulation Administration" },
  { code: "sifa", name: `${city}司法局`, nameEn: "Justice Bureau" },
  { code: "fayuan", name: extra.court, nameEn: "Intermediate People's Court" },
];

export const demoRegions: RegionPlan[] = [
  {
    code: "350100",
    name: "福州市",
    nameEn: "Fuzhou",
    prefix: "fz",
    departments: standardDepartments("福州市", {
      dataOffice: "福州市行政服务中心管理委员会",
      dataOfficeEn: "Administrative Service Center Commission",
      court: "福州市中级人民法院",
    }),
  },
  {
    code: "610500",
    name: "渭南市",
    nameEn: "Weinan",
    prefix: "wn",
    departments: standardDepartments("渭南市", {
      dataOffice: "渭南市行政审批服务局",
      dataOfficeEn: "Administrative Approval Service Bureau",
      court: "渭南市中级人民法院",
    }),
  },
  {
    code: "500000",
    name: "重庆市",
    nameEn: "Chongqing",
    prefix: "cq",
    departments: standardDepartments("重庆市", {
      dataOffice: "重庆市大数据应用发展管理局",
      dataOfficeEn: "Big Data Development Bureau",
      court: "重庆市第一中级人民法院",
    }),
  },
];

interface StaffPlan {
  suffix: string;
  name: string;
  department: string;
  roles: StaffRole[];
  clearance: Classification;
}

const staffPlan: StaffPlan[] = [
  { suffix: "admin", name: "系统管理员", department: "zhengwu", roles: ["admin"], clearance: "confidential" },
  { suffix: "window", name: "窗口受理员", department: "zhengwu", roles: ["window"], clearance: "internal" },
  { suffix: "supervisor", name: "督办专员", department: "zhengwu", roles: ["supervisor"], clearance: "secret" },
  {
    suffix: "security",
    name: "安全管理员",
    department: "zhengwu",
    roles: ["security_officer"],
    clearance: "confidential",
  },
  { suffix: "ga.window", name: "户籍窗口", department: "gongan", roles: ["window"], clearance: "internal" },
  { suffix: "ga.handler", name: "户籍审批员", department: "gongan", roles: ["handling"], clearance: "secret" },
  { suffix: "ga.steward", name: "公安数据专员", department: "gongan", roles: ["data_steward"], clearance: "secret" },
  // Data stewards of the other providing departments (data sharing, issue 5).
  { suffix: "mz.steward", name: "民政数据专员", department: "minzheng", roles: ["data_steward"], clearance: "secret" },
  { suffix: "rs.steward", name: "人社数据专员", department: "renshe", roles: ["data_steward"], clearance: "secret" },
  { suffix: "jy.steward", name: "教育数据专员", department: "jiaoyu", roles: ["data_steward"], clearance: "internal" },
  {
    suffix: "sc.steward",
    name: "市场监管数据专员",
    department: "shichang",
    roles: ["data_steward"],
    clearance: "internal",
  },
  { suffix: "sw.steward", name: "税务数据专员", department: "shuiwu", roles: ["data_steward"], clearance: "internal" },
  { suffix: "zw.steward", name: "政务数据专员", department: "zhengwu", roles: ["data_steward"], clearance: "secret" },
  {
    suffix: "mz.window",
    name: "婚姻登记员",
    department: "minzheng",
    roles: ["window"],
    clearance: "internal",
  },
  { suffix: "mz.handler", name: "婚姻登记审核员", department: "minzheng", roles: ["handling"], clearance: "internal" },
  {
    suffix: "rs.handler",
    name: "社保审批员",
    department: "renshe",
    roles: ["window", "handling"],
    clearance: "internal",
  },
  { suffix: "jy.handler", name: "学籍审核员", department: "jiaoyu", roles: ["handling"], clearance: "internal" },
  {
    suffix: "sc.handler",
    name: "登记注册员",
    department: "shichang",
    roles: ["window", "handling"],
    clearance: "internal",
  },
  { suffix: "sf.handler", name: "公证员", department: "sifa", roles: ["window", "handling"], clearance: "internal" },
  {
    suffix: "fy.handler",
    name: "立案庭法官助理",
    department: "fayuan",
    roles: ["window", "handling"],
    clearance: "secret",
  },
];

// Staff names: a surname per region keeps the accounts apart on screen.
const staffSurname: Record<string, string> = { fz: "林", wn: "王", cq: "张" };

/** A valid GB 11643 ID number for a birth place, date and sequence (odd for men, even for women). */
export function makeIdNumber(regionCode: string, birthDate: string, sequence: number): string {
  const first17 = `${regionCode}${birthDate.replaceAll("-", "")}${String(sequence).padStart(3, "0")}`;
  return first17 + idNumberCheckCharacter(first17);
}

/** A valid GB 32100 credit code for an enterprise registered with market regulation (9, 1). */
export function makeCreditCode(regionCode: string, organisationBody: string): string {
  const organisation = organisationBody + organisationCodeCheckCharacter(organisationBody);
  const first17 = `91${regionCode}${organisation}`;
  return first17 + creditCodeCheckCharacter(first17);
}

const residents = [
  { name: "林晓燕", region: "350102", birth: "1990-03-15", seq: 22, phone: "13905910321", home: "350100" },
  { name: "陈志强", region: "350104", birth: "1985-11-02", seq: 37, phone: "13805912876", home: "350100" },
  { name: "王建军", region: "610502", birth: "1988-07-21", seq: 15, phone: "13991300417", home: "610500" },
  { name: "李娜", region: "610502", birth: "1993-01-09", seq: 26, phone: "18691362205", home: "610500" },
  { name: "张伟", region: "500103", birth: "1991-05-30", seq: 11, phone: "13883010572", home: "500000" },
  { name: "刘洋", region: "500106", birth: "1996-12-18", seq: 48, phone: "15923048816", home: "500000" },
];

const enterprises = [
  { name: "福州闽江数字科技有限公司", region: "350100", body: "MA2YQ8K3", phone: "13705918842", home: "350100" },
  { name: "重庆两江智造有限公司", region: "500000", body: "MA5UX3N7", phone: "13983456120", home: "500000" },
];

/** The demo residents and enterprises, for the demo department systems' records (same ID numbers). */
export const demoResidents: readonly (typeof residents)[number][] = residents;
export const demoEnterprises: readonly (typeof enterprises)[number][] = enterprises;

/** The first port of the demo department systems (公安, 民政, 教育, 人社 on this and the next three). */
export const DEMO_PROVIDER_PORT = 8091;

function demoPassword(): string {
  const letters = "abcdefghjkmnpqrstuvwxyz";
  const pick = () => letters[randomInt(letters.length)];
  return `Tb-${pick()}${pick()}${pick()}${pick()}-${randomInt(1000, 10000)}`;
}

/** True when the database has no regions yet, i.e. the demo world has not been seeded. */
export async function needsSeeding(db: Db): Promise<boolean> {
  const row = await db.selectFrom("regions").select("code").limit(1).executeTakeFirst();
  return row === undefined;
}

/**
 * Seeds the three regions of the source, their departments, staff of every role, residents with
 * valid ID numbers and enterprises with valid credit codes, in one transaction. Passwords and
 * TOTP secrets are generated here and answered, never stored in the repository.
 */
export async function seedDemoWorld(
  db: Db,
  clock: Clock,
  ids: Ids,
  options: {
    demoProviderPort?: number;
    /** Seed only these regions, with the residents and enterprises at home there (a regional node). */
    regions?: readonly string[];
  } = {},
): Promise<DemoAccount[]> {
  const now = clock.now();
  const wanted = (code: string) => !options.regions || options.regions.includes(code);
  const seededRegions = demoRegions.filter((r) => wanted(r.code));
  const accounts: DemoAccount[] = [];
  const departmentIds = new Map<string, { id: string; name: string }>();
  const hashes = new Map<string, string>();
  const hashFor = async (password: string) => {
    let hashed = hashes.get(password);
    if (!hashed) {
      hashed = await hashPassword(password);
      hashes.set(password, hashed);
    }
    return hashed;
  };

  type Row = Parameters<typeof insertAccount>[1];
  const rows: Row[] = [];
  for (const region of seededRegions) {
    for (const department of region.departments) {
      departmentIds.set(`${region.code}/${department.code}`, { id: ids.uuid(), name: department.name });
    }
    for (const plan of staffPlan) {
      const password = demoPassword();
      const totpSecret = generateSecret();
      const department = departmentIds.get(`${region.code}/${plan.department}`);
      if (!department) throw new Error(`no department ${plan.department}`);
      const username = `${region.prefix}.${plan.suffix}`;
      rows.push({
        id: ids.uuid(),
        kind: "staff",
        username,
        name: `${staffSurname[region.prefix]}${plan.name}`,
        phone: null,
        id_number: null,
        credit_code: null,
        region_code: region.code,
        department_id: department.id,
        roles: plan.roles,
        clearance: plan.clearance,
        password_hash: await hashFor(password),
        totp_secret: totpSecret,
        totp_enrolled_at: now,
        totp_last_step: null,
        locked_until: null,
        last_login_at: null,
        created_at: now,
        updated_at: now,
      });
      accounts.push({
        username,
        password,
        roles: plan.roles,
        department: department.name,
        region: region.code,
        totpSecret,
      });
    }
  }
  for (const person of residents.filter((p) => wanted(p.home))) {
    const idNumber = makeIdNumber(person.region, person.birth, person.seq);
    const password = demoPassword();
    rows.push({
      id: ids.uuid(),
      kind: "resident",
      username: idNumber,
      name: person.name,
      phone: person.phone,
      id_number: idNumber,
      credit_code: null,
      region_code: null,
      department_id: null,
      password_hash: await hashFor(password),
      totp_secret: null,
      totp_enrolled_at: null,
      totp_last_step: null,
      locked_until: null,
      last_login_at: null,
      created_at: now,
      updated_at: now,
    });
    accounts.push({ username: idNumber, password, roles: [], department: null, region: person.home, totpSecret: null });
  }
  for (const enterprise of enterprises.filter((e) => wanted(e.home))) {
    const creditCode = makeCreditCode(enterprise.region, enterprise.body);
    const password = demoPassword();
    rows.push({
      id: ids.uuid(),
      kind: "enterprise",
      username: creditCode,
      name: enterprise.name,
      phone: enterprise.phone,
      id_number: null,
      credit_code: creditCode,
      region_code: null,
      department_id: null,
      password_hash: await hashFor(password),
      totp_secret: null,
      totp_enrolled_at: null,
      totp_last_step: null,
      locked_until: null,
      last_login_at: null,
      created_at: now,
      updated_at: now,
    });
    accounts.push({
      username: creditCode,
      password,
      roles: [],
      department: null,
      region: enterprise.home,
      totpSecret: null,
    });
  }

  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto("regions")
      .values(seededRegions.map((r) => ({ code: r.code, name: r.name, name_en: r.nameEn, created_at: now })))
      .execute();
    for (const region of seededRegions) {
      await trx
        .insertInto("departments")
        .values(
          region.departments.map((d) => ({
            id: departmentIds.get(`${region.code}/${d.code}`)?.id as string,
            region_code: region.code,
            code: d.code,
            name: d.name,
            name_en: d.nameEn,
            created_at: now,
            updated_at: now,
          })),
        )
        .execute();
    }
    for (const row of rows) await insertAccount(trx, row);
    await seedDemoExchange(trx, {
      now,
      ids,
      regions: seededRegions.map((r) => ({ code: r.code, prefix: r.prefix })),
      departmentId: (region, code) => departmentIds.get(`${region}/${code}`)?.id as string,
      accountId: (username) => rows.find((r) => r.username === username)?.id as string,
      providerPort: options.demoProviderPort ?? DEMO_PROVIDER_PORT,
    });
    await recordChange(trx, {
      type: "demo.seeded",
      subject: "demo-world",
      actor: null,
      at: now,
      facts: { accounts: rows.length },
    });
  });
  return accounts;
}

async function insertAccount(db: Db, row: import("../db/schema.ts").NewAccount) {
  await db.insertInto("accounts").values(row).execute();
}
