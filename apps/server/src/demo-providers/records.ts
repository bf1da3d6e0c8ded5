// The records the demo department systems hold: the demo residents of apps/server/src/seed/demo-world.ts
// (same names and ID numbers), their families, schools, employers and marriages, as each city's
// public security, civil affairs, education and human-resources bureau would keep them.
import { demoEnterprises, demoResidents, makeCreditCode, makeIdNumber } from "../seed/demo-world.ts";

type Row = Record<string, string | number | boolean | null>;
/** Records by region code, then by dataset name. */
export type ProviderData = Record<string, Record<string, Row[]>>;

const idOf = (name: string) => {
  const person = demoResidents.find((r) => r.name === name);
  if (!person) throw new Error(`no demo resident ${name}`);
  return makeIdNumber(person.region, person.birth, person.seq);
};
const creditOf = (name: string) => {
  const enterprise = demoEnterprises.find((e) => e.name === name);
  if (!enterprise) throw new Error(`no demo enterprise ${name}`);
  return makeCreditCode(enterprise.region, enterprise.body);
};

interface Person {
  name: string;
  idNumber: string;
  region: string;
  birth: string;
  sex: "男" | "女";
}

function person(name: string): Person {
  const r = demoResidents.find((x) => x.name === name);
  if (!r) throw new Error(`no demo resident ${name}`);
  return { name, idNumber: idOf(name), region: r.home, birth: r.birth, sex: r.seq % 2 === 1 ? "男" : "女" };
}

let built: ReturnType<typeof buildCast> | undefined;
/**
 * The people in the records, built on first use: the seed imports this module while the demo world
 * it reads is still loading.
 */
function cast() {
  built ??= buildCast();
  return built;
}

function buildCast() {
  const lin = person("林晓燕");
  const chen = person("陈志强");
  const wang = person("王建军");
  const li = person("李娜");
  const zhang = person("张伟");
  const liu = person("刘洋");
  /** Family members and other people who hold no account but appear in the departments' records. */
  const others = {
    huangLiping: { name: "黄丽萍", idNumber: makeIdNumber("350103", "1987-04-12", 46) },
    chenZihan: { name: "陈子涵", idNumber: makeIdNumber("350104", "2016-08-09", 51) },
    zhouMin: { name: "周敏", idNumber: makeIdNumber("500105", "1992-10-03", 24) },
    wangYutong: { name: "王雨桐", idNumber: makeIdNumber("610502", "2020-03-27", 62) },
  };
  const addresses: Record<string, string> = {
    [lin.idNumber]: "福建省福州市鼓楼区五四路128号3单元502室",
    [chen.idNumber]: "福建省福州市仓山区上渡路66号榕城花园7座1204室",
    [wang.idNumber]: "陕西省渭南市临渭区朝阳大街西段18号2单元301室",
    [li.idNumber]: "陕西省渭南市临渭区朝阳大街西段18号2单元301室",
    [zhang.idNumber]: "重庆市渝中区解放碑民族路88号15-3",
    [liu.idNumber]: "重庆市沙坪坝区三峡广场汉渝路52号6-2",
  };
  const stations: Record<string, string> = {
    [lin.idNumber]: "福州市公安局鼓楼分局东街派出所",
    [chen.idNumber]: "福州市公安局仓山分局上渡派出所",
    [wang.idNumber]: "渭南市公安局临渭分局人民街派出所",
    [li.idNumber]: "渭南市公安局临渭分局人民街派出所",
    [zhang.idNumber]: "重庆市公安局渝中区分局解放碑派出所",
    [liu.idNumber]: "重庆市公安局沙坪坝区分局小龙坎派出所",
  };
  return { lin, chen, wang, li, zhang, liu, others, addresses, stations };
}

function identity(
  p: { name: string; idNumber: string; sex: string; birth: string },
  authority: string,
  validUntil: string,
) {
  return {
    idNumber: p.idNumber,
    name: p.name,
    sex: p.sex,
    ethnicity: "汉族",
    birthDate: p.birth,
    domicileAddress: cast().addresses[p.idNumber] ?? null,
    issuingAuthority: authority,
    validUntil,
  };
}

function household(
  p: { name: string; idNumber: string },
  head: { name: string; idNumber: string },
  relation: string,
  householdNumber: string,
  registeredOn: string,
) {
  return {
    idNumber: p.idNumber,
    name: p.name,
    householdNumber,
    householdHead: head.name,
    relationToHead: relation,
    householdType: "家庭户",
    registeredAddress: cast().addresses[head.idNumber] ?? null,
    registeredOn,
    policeStation: cast().stations[head.idNumber] ?? null,
  };
}

/** Public security (公安): resident identity, household registration, residence registration. */
export function publicSecurityRecords(): ProviderData {
  const { lin, chen, wang, li, zhang, liu, others, addresses } = cast();
  const chenZihan = { ...others.chenZihan, sex: "男", birth: "2016-08-09" };
  const wangYutong = { ...others.wangYutong, sex: "女", birth: "2020-03-27" };
  return {
    "350100": {
      resident_identity: [
        identity(lin, "福州市公安局鼓楼分局", "2031-04-20"),
        identity(chen, "福州市公安局仓山分局", "2035-09-12"),
        {
          ...identity(chenZihan, "福州市公安局仓山分局", "2027-08-30"),
          domicileAddress: addresses[chen.idNumber] ?? null,
        },
      ],
      household_registration: [
        household(lin, lin, "户主", "350102006521", "2008-09-01"),
        household(chen, chen, "户主", "350104011873", "2013-06-18"),
        household(others.chenZihan, chen, "子", "350104011873", "2016-08-25"),
      ],
      residence_registration: [],
    },
    "610500": {
      resident_identity: [
        identity(wang, "渭南市公安局临渭分局", "2029-11-03"),
        identity(li, "渭南市公安局临渭分局", "2034-02-16"),
        {
          ...identity(wangYutong, "渭南市公安局临渭分局", "2025-04-15"),
          domicileAddress: addresses[wang.idNumber] ?? null,
        },
      ],
      household_registration: [
        household(wang, wang, "户主", "610502004417", "2012-03-08"),
        household(li, wang, "妻", "610502004417", "2019-06-03"),
        household(others.wangYutong, wang, "女", "610502004417", "2020-04-20"),
      ],
      residence_registration: [],
    },
    "500000": {
      resident_identity: [
        identity(zhang, "重庆市公安局渝中区分局", "2033-07-01"),
        identity(liu, "重庆市公安局沙坪坝区分局", "2036-01-09"),
      ],
      household_registration: [
        household(zhang, zhang, "户主", "500103020931", "2015-10-12"),
        household(liu, liu, "户主", "500106017765", "2019-01-07"),
      ],
      // 王建军 of 渭南 works in 重庆 and holds a residence registration there (居住登记, for a 居住证).
      residence_registration: [
        {
          idNumber: wang.idNumber,
          name: wang.name,
          residenceAddress: "重庆市江北区观音桥步行街9号12-6",
          registeredOn: "2025-03-14",
          policeStation: "重庆市公安局江北区分局观音桥派出所",
        },
      ],
    },
  };
}

/** Civil affairs (民政): marriage registrations, one record per spouse. */
export function civilAffairsRecords(): ProviderData {
  const { chen, wang, li, zhang, others } = cast();
  const marriage = (
    a: { name: string; idNumber: string },
    b: { name: string; idNumber: string },
    registeredOn: string,
    authority: string,
    certificate: string,
  ) => [
    {
      idNumber: a.idNumber,
      name: a.name,
      spouseName: b.name,
      spouseIdNumber: b.idNumber,
      maritalStatus: "已婚",
      registeredOn,
      registrationAuthority: authority,
      certificateNumber: `${certificate}-1`,
    },
    {
      idNumber: b.idNumber,
      name: b.name,
      spouseName: a.name,
      spouseIdNumber: a.idNumber,
      maritalStatus: "已婚",
      registeredOn,
      registrationAuthority: authority,
      certificateNumber: `${certificate}-2`,
    },
  ];
  return {
    "350100": {
      marriage_record: marriage(
        chen,
        others.huangLiping,
        "2014-10-18",
        "福州市仓山区民政局婚姻登记处",
        "J350104-2014-003127",
      ),
    },
    "610500": {
      marriage_record: marriage(wang, li, "2019-05-20", "渭南市临渭区民政局婚姻登记处", "J610502-2019-001455"),
    },
    "500000": {
      marriage_record: marriage(
        zhang,
        others.zhouMin,
        "2018-09-29",
        "重庆市渝中区民政局婚姻登记处",
        "J500103-2018-002206",
      ),
    },
  };
}

/** Education (教育): degree records of graduates and the student status (学籍) of pupils. */
export function educationRecords(): ProviderData {
  const { lin, chen, wang, li, zhang, liu, others } = cast();
  const degree = (
    p: { name: string; idNumber: string },
    institution: string,
    level: string,
    degreeName: string,
    major: string,
    graduatedOn: string,
    certificate: string,
  ) => ({
    idNumber: p.idNumber,
    name: p.name,
    institution,
    educationLevel: level,
    degree: degreeName,
    major,
    graduatedOn,
    certificateNumber: certificate,
  });
  return {
    "350100": {
      degree_record: [
        degree(lin, "福州大学", "本科", "工学学士", "计算机科学与技术", "2012-06-30", "103861201205001234"),
        degree(chen, "厦门大学", "硕士研究生", "工商管理硕士", "工商管理", "2010-06-28", "103841201002000517"),
      ],
      student_status: [
        {
          idNumber: others.chenZihan.idNumber,
          name: others.chenZihan.name,
          school: "福州市仓山区第一中心小学",
          grade: "四年级",
          enrolledOn: "2022-09-01",
          status: "在读",
        },
      ],
    },
    "610500": {
      degree_record: [
        degree(wang, "西安交通大学", "本科", "工学学士", "机械工程", "2010-07-01", "106981201005003391"),
        degree(li, "陕西师范大学", "本科", "文学学士", "汉语言文学", "2015-06-26", "107181201505002046"),
      ],
      student_status: [],
    },
    "500000": {
      degree_record: [
        degree(zhang, "重庆大学", "硕士研究生", "工学硕士", "土木工程", "2016-06-24", "106111201602001178"),
        degree(liu, "西南大学", "本科", "管理学学士", "会计学", "2018-06-22", "106351201805004623"),
      ],
      student_status: [],
    },
  };
}

/** Human resources and social security (人社): social-insurance records. */
export function socialSecurityRecords(): ProviderData {
  const { lin, chen, wang, li, zhang, liu } = cast();
  const insured = (
    p: { name: string; idNumber: string },
    employer: string,
    since: string,
    months: number,
    base: number,
    unemployment = "参保缴费",
  ) => ({
    idNumber: p.idNumber,
    name: p.name,
    socialSecurityNumber: p.idNumber,
    pensionStatus: "参保缴费",
    medicalStatus: "参保缴费",
    unemploymentStatus: unemployment,
    insuredSince: since,
    contributionMonths: months,
    employer,
    lastContributionMonth: "2026-10",
    contributionBase: base,
  });
  return {
    "350100": {
      insurance_record: [
        insured(lin, "福州闽江数字科技有限公司", "2012-08-01", 171, 9800),
        insured(chen, "福州闽江数字科技有限公司", "2010-09-01", 194, 16500),
      ],
    },
    "610500": {
      insurance_record: [
        insured(wang, "陕西渭河重工机械有限公司", "2010-08-01", 183, 7200, "暂停缴费"),
        insured(li, "渭南市临渭区实验中学", "2015-09-01", 134, 6400),
      ],
    },
    "500000": {
      insurance_record: [
        insured(zhang, "重庆两江智造有限公司", "2016-08-01", 123, 12800),
        { ...insured(liu, "灵活就业人员", "2018-09-01", 98, 4300), unemploymentStatus: "未参保" },
      ],
    },
  };
}

/** Market regulation's enterprise registrations and the tax bureau's credit ratings, kept in data pools. */
export function poolRecords(): Record<string, { enterprise_registration: Row[]; tax_credit_rating: Row[] }> {
  const { chen, wang, zhang } = cast();
  const minjiang = creditOf("福州闽江数字科技有限公司");
  const liangjiang = creditOf("重庆两江智造有限公司");
  const mawei = makeCreditCode("350100", "MA31RX7T");
  const qindong = makeCreditCode("610500", "MA6W2R4P");
  return {
    "350100": {
      enterprise_registration: [
        {
          creditCode: minjiang,
          name: "福州闽江数字科技有限公司",
          legalRepresentative: chen.name,
          legalRepresentativeIdNumber: chen.idNumber,
          registeredCapital: 5_000_000,
          establishedOn: "2017-03-22",
          address: "福建省福州市鼓楼区软件大道89号福州软件园F区3号楼",
          businessScope: "软件开发；信息系统集成服务；数据处理和存储支持服务",
          status: "存续",
        },
        {
          creditCode: mawei,
          name: "福州马尾船舶配件有限公司",
          legalRepresentative: "郑海生",
          legalRepresentativeIdNumber: makeIdNumber("350105", "1979-02-14", 13),
          registeredCapital: 12_000_000,
          establishedOn: "2009-11-05",
          address: "福建省福州市马尾区儒江西路60号",
          businessScope: "船舶配件制造；金属结构制造；货物进出口",
          status: "存续",
        },
      ],
      tax_credit_rating: [
        {
          creditCode: minjiang,
          taxpayerName: "福州闽江数字科技有限公司",
          rating: "A",
          year: 2025,
          evaluatedOn: "2026-04-15",
        },
        {
          creditCode: mawei,
          taxpayerName: "福州马尾船舶配件有限公司",
          rating: "B",
          year: 2025,
          evaluatedOn: "2026-04-15",
        },
      ],
    },
    "610500": {
      enterprise_registration: [
        {
          creditCode: qindong,
          name: "渭南秦东农业发展有限公司",
          legalRepresentative: wang.name,
          legalRepresentativeIdNumber: wang.idNumber,
          registeredCapital: 3_000_000,
          establishedOn: "2021-05-10",
          address: "陕西省渭南市临渭区龙背镇产业园8号",
          businessScope: "农产品种植、收购、初加工；农业技术推广服务",
          status: "存续",
        },
      ],
      tax_credit_rating: [
        {
          creditCode: qindong,
          taxpayerName: "渭南秦东农业发展有限公司",
          rating: "M",
          year: 2025,
          evaluatedOn: "2026-04-15",
        },
      ],
    },
    "500000": {
      enterprise_registration: [
        {
          creditCode: liangjiang,
          name: "重庆两江智造有限公司",
          legalRepresentative: zhang.name,
          legalRepresentativeIdNumber: zhang.idNumber,
          registeredCapital: 20_000_000,
          establishedOn: "2019-08-16",
          address: "重庆市渝北区两江新区金渝大道99号",
          businessScope: "智能装备制造；工业机器人销售；技术服务",
          status: "存续",
        },
      ],
      tax_credit_rating: [
        {
          creditCode: liangjiang,
          taxpayerName: "重庆两江智造有限公司",
          rating: "A",
          year: 2025,
          evaluatedOn: "2026-04-15",
        },
      ],
    },
  };
}

/** The demo department systems: each its own process on its own port (base port + offset). */
export const demoProviders = {
  gongan: { offset: 0, name: "公安户籍信息系统 (public security)", records: publicSecurityRecords },
  minzheng: { offset: 1, name: "民政婚姻登记系统 (civil affairs)", records: civilAffairsRecords },
  jiaoyu: { offset: 2, name: "教育学历学籍系统 (education)", records: educationRecords },
  renshe: { offset: 3, name: "人社社会保险系统 (human resources and social security)", records: socialSecurityRecords },
} as const;
export type DemoProviderKind = keyof typeof demoProviders;
