// Routing by jurisdiction (管辖): whether a region is competent for an applicant under a service
// item's rule, from what the platform knows of the applicant. An ID number's first six digits are
// the GB/T 2260 code of the place of household registration at issue; a credit code's third to
// eighth characters the registering authority's region.
import type { ServiceItem } from "@tongban/contracts";

export type JurisdictionRule = ServiceItem["jurisdiction"];

/** Whether a six-digit code lies within `region` (a province xx0000, a prefecture xxxx00, or a county). */
export function withinRegion(code: string, region: string): boolean {
  if (region.endsWith("0000")) return code.slice(0, 2) === region.slice(0, 2);
  if (region.endsWith("00")) return code.slice(0, 4) === region.slice(0, 4);
  return code === region;
}

const ID_NUMBER = /^\d{17}[\dX]$/;

export interface Applicant {
  kind: "resident" | "enterprise";
  idNumber: string | null;
  creditCode: string | null;
}

/**
 * Answers undefined when `region` is competent for this applicant (and form) under `rule`, or the
 * reason it is not. `residence` and `anywhere` cannot be decided from identity alone: the competent
 * node checks their conditions (proof of residence) itself.
 */
export function notCompetentReason(
  rule: JurisdictionRule,
  region: string,
  applicant: Applicant,
  form: Record<string, unknown>,
): string | undefined {
  switch (rule) {
    case "household_registration":
      if (!applicant.idNumber) return "the service is for residents, decided by household registration";
      return withinRegion(applicant.idNumber.slice(0, 6), region)
        ? undefined
        : `the applicant's household registration (${applicant.idNumber.slice(0, 6)}) is not in ${region}`;
    case "either_applicant_household": {
      // Either party's household registration: the applicant's, or an ID number the form gives (the partner's).
      const numbers = [applicant.idNumber, ...Object.values(form)].filter(
        (v): v is string => typeof v === "string" && ID_NUMBER.test(v),
      );
      return numbers.some((n) => withinRegion(n.slice(0, 6), region))
        ? undefined
        : `neither party's household registration is in ${region}`;
    }
    case "enterprise_registration":
      if (!applicant.creditCode) return "the service is for enterprises, decided by where they are registered";
      return withinRegion(applicant.creditCode.slice(2, 8), region)
        ? undefined
        : `the enterprise is registered in ${applicant.creditCode.slice(2, 8)}, not in ${region}`;
    case "residence":
    case "anywhere":
      return undefined;
  }
}
