import type { FieldValue, MaskingRule } from "@tongban/contracts";

const star = (n: number) => "*".repeat(Math.max(0, n));

/** Keeps `head` characters in front and `tail` behind; with too few characters, hides all of them. */
function keepEnds(chars: string[], head: number, tail: number): string {
  if (chars.length <= head + tail) return star(chars.length);
  return chars.slice(0, head).join("") + star(chars.length - head - tail) + chars.slice(chars.length - tail).join("");
}

/** The end of the district part of an address (…区, …县, …市 after the city, …旗), or -1. */
function districtEnd(chars: string[]): number {
  for (let i = 2; i < chars.length - 1; i++) {
    const c = chars[i] as string;
    if (c === "区" || c === "县" || c === "旗") return i;
  }
  return -1;
}

/**
 * Masks one value as the resource's field says. Characters are counted as code points, so a Chinese
 * name keeps its first character whole. Null stays null: absence is not personal data.
 */
export function maskValue(value: FieldValue, rule: MaskingRule): FieldValue {
  if (value === null || rule === "none") return value;
  if (rule === "hidden") return "******";
  const chars = [...String(value)];
  switch (rule) {
    case "id_number":
      // 3502**********1234: region of birth prefix and the last four, as on printed certificates.
      return keepEnds(chars, 4, 4);
    case "name":
      // 张*, 欧阳**: the surname's first character only.
      return chars.length <= 1 ? star(chars.length) : (chars[0] as string) + star(chars.length - 1);
    case "phone":
      return keepEnds(chars, 3, 4);
    case "address": {
      const end = districtEnd(chars);
      const kept = end >= 0 ? end + 1 : Math.min(6, Math.floor(chars.length / 2));
      return `${chars.slice(0, kept).join("")}****`;
    }
    case "birth_date":
      return /^\d{4}-\d{2}-\d{2}$/.test(String(value)) ? `${String(value).slice(0, 4)}-**-**` : "******";
    case "partial":
      return chars.length <= 2 ? `${chars[0] ?? ""}${star(chars.length - 1)}` : keepEnds(chars, 1, 1);
  }
}
