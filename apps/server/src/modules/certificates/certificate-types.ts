// The kinds of e-certificate the platform issues (电子证照目录): their names, which of the case's
// form fields they state, how long they are valid, and whether a new one replaces the holder's
// earlier one of the same kind. A service issues one when its catalogue item names the type as its
// result (`result.certificateType`); a material names the type it accepts (`source: certificate`).
import type { ServiceItem } from "@tongban/contracts";

export interface CertificateType {
  name: string;
  nameEn: string;
  /** Form fields stated on the certificate, in order, when the case's form has them. */
  fields: readonly string[];
  /** A new certificate supersedes the holder's valid one of this type (a licence, a card). */
  supersedes: boolean;
  /** Validity from issuance, in days; none means no end date. */
  validDays?: number;
}

export const certificateTypes: Readonly<Record<string, CertificateType>> = {
  marriage_certificate: {
    name: "结婚证",
    nameEn: "Marriage certificate",
    fields: ["partnerName", "partnerIdNumber"],
    supersedes: false,
  },
  divorce_certificate: {
    name: "离婚证",
    nameEn: "Divorce certificate",
    fields: ["partnerName", "partnerIdNumber", "marriageRegistrationDate"],
    supersedes: false,
  },
  business_licence: {
    name: "营业执照",
    nameEn: "Business licence",
    fields: [
      "creditCode",
      "enterpriseName",
      "newName",
      "enterpriseType",
      "legalRepName",
      "newLegalRepName",
      "registeredCapital",
      "newRegisteredCapital",
      "district",
      "address",
      "newAddress",
      "businessScope",
      "newBusinessScope",
    ],
    supersedes: true,
  },
  residence_permit: {
    name: "居住证",
    nameEn: "Residence permit",
    fields: ["residenceDistrict", "residenceAddress", "residenceSince"],
    supersedes: true,
    validDays: 365,
  },
  social_security_card: {
    name: "社会保障卡",
    nameEn: "Social security card",
    fields: ["applicantCategory", "cooperatingBank"],
    supersedes: true,
  },
  household_registration_certificate: {
    name: "户籍证明",
    nameEn: "Household-registration certificate",
    fields: [
      "certificateKind",
      "subjectName",
      "subjectIdNumber",
      "formerName",
      "relatedPersonName",
      "purpose",
      "usingOrganisation",
    ],
    supersedes: false,
    validDays: 90,
  },
  student_status_certificate: {
    name: "学籍证明",
    nameEn: "Student-status certificate",
    fields: ["studentName", "nationalStudentNumber", "schoolName", "schoolStage", "currentStatus", "purpose"],
    supersedes: false,
    validDays: 180,
  },
  employment_certificate: {
    name: "就业创业证",
    nameEn: "Employment and entrepreneurship certificate",
    fields: ["unemploymentDate", "unemploymentReason", "educationLevel"],
    supersedes: true,
  },
  notarial_certificate: {
    name: "公证书",
    nameEn: "Notarial certificate",
    fields: ["purpose", "credentialLevel", "institutionName", "graduationDate", "destinationCountry"],
    supersedes: false,
  },
  // Accepted as materials; issued by systems outside the demo (hospitals, real-estate registries).
  birth_medical_certificate: {
    name: "出生医学证明",
    nameEn: "Birth medical certificate",
    fields: [],
    supersedes: false,
  },
  real_estate_certificate: {
    name: "不动产权证书",
    nameEn: "Real-estate title certificate",
    fields: [],
    supersedes: true,
  },
};

/** The certificate type a service issues on approval, or undefined. */
export function issuedType(item: ServiceItem): (CertificateType & { code: string }) | undefined {
  const code = item.result.certificateType;
  const type = code ? certificateTypes[code] : undefined;
  return type && code ? { ...type, code } : undefined;
}

/** The certificate's details from the case's form: each listed field with its label, enum values by their label. */
export function detailsFrom(type: CertificateType, item: ServiceItem, form: Record<string, unknown>) {
  const details: { label: string; value: string }[] = [];
  for (const field of type.fields) {
    const value = form[field];
    if (value === undefined || value === null || value === "") continue;
    const hint = item.form.ui.fields[field];
    const label = hint?.label["zh-Hans"] ?? field;
    const shown = (v: unknown) => hint?.options?.[String(v)] ?? String(v);
    details.push({ label, value: Array.isArray(value) ? value.map(shown).join("、") : shown(value) });
  }
  return details;
}
