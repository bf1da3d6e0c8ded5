import { z } from "zod";
import { AccountKind, Classification, StaffRole } from "./enums.ts";
import { checkCreditCode, checkIdNumber } from "./identity.ts";

/** Adds a field issue with a stable reason code the web translates. */
function fail(ctx: z.RefinementCtx, reason: string, message: string, path: string[] = []) {
  ctx.addIssue({ code: "custom", message, params: { reason }, path });
}

export const PersonName = z
  .string({ error: "Name is required" })
  .trim()
  .min(2, { error: "A name has at least 2 characters" })
  .max(50, { error: "A name has at most 50 characters" });

export const Phone = z
  .string({ error: "Mobile number is required" })
  .trim()
  .regex(/^1[3-9]\d{9}$/, { error: "A mainland mobile number has 11 digits and starts with 13–19" });

/** At least 8 characters with a letter and a digit; at most 128 so hashing stays bounded. */
export const Password = z
  .string({ error: "Password is required" })
  .min(8, { error: "A password has at least 8 characters" })
  .max(128, { error: "A password has at most 128 characters" })
  .superRefine((value, ctx) => {
    if (!/[A-Za-z]/.test(value) || !/\d/.test(value)) {
      fail(ctx, "PASSWORD_WEAK", "A password needs at least one letter and one digit");
    }
  });

export const IdNumber = z.string({ error: "ID number is required" }).transform((raw, ctx) => {
  const result = checkIdNumber(raw);
  if (!result.ok) {
    fail(ctx, result.problem.reason, result.problem.message);
    return z.NEVER;
  }
  return result.value;
});

export const CreditCode = z.string({ error: "Credit code is required" }).transform((raw, ctx) => {
  const result = checkCreditCode(raw);
  if (!result.ok) {
    fail(ctx, result.problem.reason, result.problem.message);
    return z.NEVER;
  }
  return result.value;
});

/** Optional: where notifications go by email besides SMS. */
export const Email = z.email({ error: "Not a valid email address" }).max(120, { error: "At most 120 characters" });

export const RegisterResident = z.object({
  kind: z.literal("resident"),
  name: PersonName,
  idNumber: IdNumber,
  phone: Phone,
  email: Email.optional(),
  password: Password,
});
export const RegisterEnterprise = z.object({
  kind: z.literal("enterprise"),
  name: z
    .string({ error: "Enterprise name is required" })
    .trim()
    .min(2, { error: "An enterprise name has at least 2 characters" })
    .max(100, { error: "An enterprise name has at most 100 characters" }),
  creditCode: CreditCode,
  phone: Phone,
  email: Email.optional(),
  password: Password,
});
export const RegisterRequest = z.discriminatedUnion("kind", [RegisterResident, RegisterEnterprise], {
  error: "kind must be resident or enterprise",
});
export type RegisterRequest = z.infer<typeof RegisterRequest>;

export const LoginRequest = z.object({
  username: z.string({ error: "Account is required" }).trim().min(1, { error: "Account is required" }).max(64),
  password: z.string({ error: "Password is required" }).min(1, { error: "Password is required" }).max(128),
  totp: z
    .string()
    .regex(/^\d{6}$/, { error: "A one-time code has 6 digits" })
    .optional(),
});
export type LoginRequest = z.infer<typeof LoginRequest>;

export const TotpEnrolRequest = z.object({
  enrolmentToken: z.string().min(1),
  totp: z.string().regex(/^\d{6}$/, { error: "A one-time code has 6 digits" }),
});
export type TotpEnrolRequest = z.infer<typeof TotpEnrolRequest>;

/** What the platform tells a logged-in user about themselves. */
export const CurrentUser = z.object({
  id: z.string(),
  kind: AccountKind,
  username: z.string(),
  name: z.string(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  roles: z.array(StaffRole),
  clearance: Classification,
  regionCode: z.string().nullable(),
  regionName: z.string().nullable(),
  departmentId: z.string().nullable(),
  departmentName: z.string().nullable(),
  /** The ID number or credit code, partly masked for display. */
  maskedIdentifier: z.string().nullable(),
});
export type CurrentUser = z.infer<typeof CurrentUser>;

export const SessionInfo = z.object({ user: CurrentUser, csrfToken: z.string() });
export type SessionInfo = z.infer<typeof SessionInfo>;

export const TotpEnrolment = z.object({
  enrolmentToken: z.string(),
  otpauthUri: z.string(),
  secret: z.string(),
  qrSvg: z.string(),
  expiresAt: z.string(),
});
export type TotpEnrolment = z.infer<typeof TotpEnrolment>;

export const Region = z.object({
  code: z.string(),
  name: z.string(),
  nameEn: z.string().nullable(),
  path: z.array(z.string()),
});
export type Region = z.infer<typeof Region>;

export const DepartmentCode = z
  .string({ error: "Department code is required" })
  .trim()
  .regex(/^[a-z][a-z0-9_-]{1,31}$/, {
    error: "A department code has 2–32 lowercase letters, digits, - or _, starting with a letter",
  });

export const Department = z.object({
  id: z.string(),
  regionCode: z.string(),
  code: z.string(),
  name: z.string(),
  nameEn: z.string().nullable(),
  staffCount: z.number().int(),
  createdAt: z.string(),
});
export type Department = z.infer<typeof Department>;

export const CreateDepartment = z.object({
  regionCode: z.string().regex(/^\d{6}$/, { error: "A region code has 6 digits" }),
  code: DepartmentCode,
  name: z
    .string({ error: "Department name is required" })
    .trim()
    .min(2, { error: "A department name has at least 2 characters" })
    .max(60),
  nameEn: z.string().trim().max(120).optional(),
});
export type CreateDepartment = z.infer<typeof CreateDepartment>;

export const UpdateDepartment = CreateDepartment.pick({ name: true, nameEn: true }).partial();
export type UpdateDepartment = z.infer<typeof UpdateDepartment>;

export const StaffUsername = z
  .string({ error: "Account name is required" })
  .trim()
  .regex(/^[a-z][a-z0-9._-]{2,31}$/, {
    error: "An account name has 3–32 lowercase letters, digits, . - or _, starting with a letter",
  });

export const StaffAccount = z.object({
  id: z.string(),
  username: z.string(),
  name: z.string(),
  phone: z.string().nullable(),
  regionCode: z.string(),
  departmentId: z.string(),
  departmentName: z.string(),
  roles: z.array(StaffRole),
  clearance: Classification,
  totpEnrolled: z.boolean(),
  disabled: z.boolean(),
  lockedUntil: z.string().nullable(),
  createdAt: z.string(),
});
export type StaffAccount = z.infer<typeof StaffAccount>;

const Roles = z
  .array(StaffRole, { error: "Roles must be a list" })
  .min(1, { error: "Choose at least one role" })
  .refine((roles) => new Set(roles).size === roles.length, { error: "A role is listed twice" });

export const CreateStaff = z.object({
  username: StaffUsername,
  name: PersonName,
  phone: Phone.optional(),
  departmentId: z.string({ error: "Department is required" }).uuid({ error: "Choose a department" }),
  roles: Roles,
  clearance: Classification,
  password: Password,
});
export type CreateStaff = z.infer<typeof CreateStaff>;

export const UpdateStaff = z.object({
  name: PersonName.optional(),
  phone: Phone.nullable().optional(),
  departmentId: z.string().uuid({ error: "Choose a department" }).optional(),
  roles: Roles.optional(),
  clearance: Classification.optional(),
  disabled: z.boolean().optional(),
  /** Clears a lock after repeated failed logins. */
  unlock: z.literal(true).optional(),
  /** Forces the staff member to enrol a new authenticator at the next login. */
  resetTotp: z.literal(true).optional(),
  password: Password.optional(),
});
export type UpdateStaff = z.infer<typeof UpdateStaff>;

export const StaffQuery = z.object({
  regionCode: z
    .string()
    .regex(/^\d{6}$/)
    .optional(),
  departmentId: z.string().uuid().optional(),
  q: z.string().trim().max(50).optional(),
});
export type StaffQuery = z.infer<typeof StaffQuery>;

export const IdParam = z.object({ id: z.string().uuid({ error: "Not a valid id" }) });
