/**
 * Client-side checks with exactly the server's rules: they call the schemas and identifier
 * checkers from @tongban/contracts, so a rule changed there changes here too. Each check answers
 * a reason code (REQUIRED, TOO_SHORT, ID_CHECK_DIGIT, …) that fieldMessage translates.
 *
 * This module imports contracts at run time (zod and the GB/T 2260 table), so only the lazily
 * loaded form pages import it; the entry chunk stays small.
 */
import {
  CreateDepartment,
  checkCreditCode,
  checkIdNumber,
  DepartmentCode,
  Password,
  PersonName,
  Phone,
  RegisterEnterprise,
  StaffUsername,
} from "@tongban/contracts";
import type { FormRule } from "antd";
import type { TFunction } from "i18next";
import { fieldMessage } from "./errors.ts";

interface IssueLike {
  code: string;
  params?: { reason?: string };
}
interface Parser {
  safeParse(value: unknown): { success: boolean; error?: { issues: IssueLike[] } };
}

// The same mapping the server's error handler applies to schema issues, so the reason (and
// therefore the message) under a field is identical whether the browser or the server found it.
const reasonByIssueCode: Record<string, string> = {
  too_small: "TOO_SHORT",
  too_big: "TOO_LONG",
  invalid_format: "INVALID_FORMAT",
  invalid_value: "INVALID_VALUE",
  invalid_type: "INVALID_TYPE",
  custom: "INVALID_VALUE",
};

export type Check = (value: unknown) => string | null;

function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === "string" && value.trim() === "");
}

function bySchema(schema: Parser): Check {
  return (value) => {
    const result = schema.safeParse(value);
    if (result.success) return null;
    const issue = result.error?.issues[0];
    if (!issue) return "INVALID_VALUE";
    return issue.params?.reason ?? reasonByIssueCode[issue.code] ?? "INVALID_VALUE";
  };
}

function required(check: Check): Check {
  return (value) => (isBlank(value) ? "REQUIRED" : check(value));
}

function optional(check: Check): Check {
  return (value) => (isBlank(value) ? null : check(value));
}

export const checks = {
  name: required(bySchema(PersonName)),
  enterpriseName: required(bySchema(RegisterEnterprise.shape.name)),
  idNumber: required((value) => {
    const result = checkIdNumber(String(value));
    return result.ok ? null : result.problem.reason;
  }),
  creditCode: required((value) => {
    const result = checkCreditCode(String(value));
    return result.ok ? null : result.problem.reason;
  }),
  phone: required(bySchema(Phone)),
  optionalPhone: optional(bySchema(Phone)),
  password: required(bySchema(Password)),
  staffUsername: required(bySchema(StaffUsername)),
  code: required(bySchema(DepartmentCode)),
  deptName: required(bySchema(CreateDepartment.shape.name)),
  nameEn: optional(bySchema(CreateDepartment.shape.nameEn)),
  selected: ((value) => (isBlank(value) || (Array.isArray(value) && value.length === 0) ? "REQUIRED" : null)) as Check,
} satisfies Record<string, Check>;

/** An antd rule running a check and showing its translated reason under the field. */
export function checkRule(
  t: TFunction,
  messages: string,
  check: Check,
  options: { required?: boolean } = {},
): FormRule {
  return {
    required: options.required ?? true,
    validator: async (_rule, value) => {
      const reason = check(value);
      if (reason) throw new Error(fieldMessage(t, messages, reason));
    },
  };
}

/** The confirm-password rule: it compares with the field named `passwordField`. */
export function confirmRule(t: TFunction, passwordField: string): FormRule {
  return ({ getFieldValue }) => ({
    required: true,
    validator: async (_rule, value) => {
      if (isBlank(value)) throw new Error(fieldMessage(t, "confirmPassword", "REQUIRED"));
      if (value !== getFieldValue(passwordField)) throw new Error(fieldMessage(t, "confirmPassword", "MISMATCH"));
    },
  });
}
