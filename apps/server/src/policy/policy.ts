import { type AccountKind, type Classification, classificationRank, type StaffRole } from "@tongban/contracts";
import { AppError } from "../http/errors.ts";

/**
 * The one place that decides who may do what. Every route asks here; nothing else compares
 * roles, departments, regions, clearances or owners.
 */
export interface Actor {
  accountId: string;
  kind: AccountKind;
  roles: readonly StaffRole[];
  regionCode: string | null;
  departmentId: string | null;
  clearance: Classification;
}

/** What an action touches: its region and department, its owner, and its classification. */
export interface Resource {
  regionCode?: string | null;
  departmentId?: string | null;
  ownerId?: string | null;
  classification?: Classification;
}

export type Action =
  | "department.list"
  | "department.manage"
  | "staff.list"
  | "staff.manage"
  | "service.manage"
  | "messages.read"
  | "record.read"
  | "case.read"
  | "case.act"
  | "enquiry.read"
  | "enquiry.answer"
  | "exchange.browse"
  | "exchange.manage"
  | "exchange.request"
  | "exchange.query"
  | "security.read"
  | "data_access.read"
  | "federation.read"
  | "federation.receive"
  | "federation.deliver"
  | "payment.refund"
  | "reconciliation.read"
  | "invoice.reimburse";

export type Decision = { allowed: true } | { allowed: false; reason: string };

const allow: Decision = { allowed: true };
const deny = (reason: string): Decision => ({ allowed: false, reason });

function hasClearance(actor: Actor, resource: Resource): boolean {
  return classificationRank[actor.clearance] >= classificationRank[resource.classification ?? "public"];
}

function sameRegion(actor: Actor, resource: Resource): boolean {
  return actor.regionCode !== null && actor.regionCode === resource.regionCode;
}

function sameDepartment(actor: Actor, resource: Resource): boolean {
  return actor.departmentId !== null && actor.departmentId === resource.departmentId;
}

const caseRoles: readonly StaffRole[] = ["window", "handling", "supervisor"];

export function decide(actor: Actor, action: Action, resource: Resource = {}, role?: StaffRole): Decision {
  const isStaff = actor.kind === "staff";
  switch (action) {
    case "department.list":
      return isStaff ? allow : deny("staff only");
    case "department.manage":
    case "messages.read":
    case "service.manage":
    case "staff.list":
    case "staff.manage":
      if (!isStaff || !actor.roles.includes("admin")) return deny("administrators only");
      if (!sameRegion(actor, resource)) return deny("outside the administrator's region");
      return allow;
    case "record.read":
      if (!hasClearance(actor, resource)) return deny("clearance below the record's classification");
      if (resource.ownerId && resource.ownerId === actor.accountId) return allow;
      if (!isStaff) return deny("not the owner");
      if (resource.departmentId && !sameDepartment(actor, resource))
        return deny("outside the staff member's department");
      if (resource.regionCode && !sameRegion(actor, resource)) return deny("outside the staff member's region");
      return allow;
    case "case.read":
      if (resource.ownerId && resource.ownerId === actor.accountId && !isStaff) return allow;
      if (!isStaff) return deny("not the applicant");
      if (!hasClearance(actor, resource)) return deny("clearance below the case's classification");
      if (actor.roles.includes("supervisor") && sameRegion(actor, resource)) return allow;
      if (!sameDepartment(actor, resource)) return deny("outside the staff member's department");
      if (!actor.roles.some((r) => caseRoles.includes(r))) return deny("no case-handling role");
      return allow;
    case "case.act":
      if (!isStaff) return deny("staff only");
      if (!sameDepartment(actor, resource)) return deny("outside the staff member's department");
      if (!hasClearance(actor, resource)) return deny("clearance below the case's classification");
      if (role && !actor.roles.includes(role)) return deny(`needs the ${role} role`);
      return allow;
    // Enquiries (咨询): the asker reads their own; the asked department's window and handling staff
    // read and answer them; supervisors read their region's.
    case "enquiry.read":
      if (!isStaff) return resource.ownerId === actor.accountId ? allow : deny("not the asker");
      if (actor.roles.includes("supervisor") && sameRegion(actor, resource)) return allow;
      if (!sameDepartment(actor, resource)) return deny("outside the staff member's department");
      if (!actor.roles.some((r) => r === "window" || r === "handling")) return deny("no role that answers enquiries");
      return allow;
    case "enquiry.answer":
      if (!isStaff) return deny("staff only");
      if (!sameDepartment(actor, resource)) return deny("outside the staff member's department");
      if (!actor.roles.some((r) => r === "window" || r === "handling")) return deny("no role that answers enquiries");
      return allow;
    // Data sharing: staff browse the catalogue, ask for resources and query through the gateway (which
    // then enforces the grant); a department's data steward manages its resources and decides requests.
    case "exchange.browse":
    case "exchange.request":
    case "exchange.query":
      return isStaff ? allow : deny("staff only");
    case "exchange.manage":
      if (!isStaff || !actor.roles.includes("data_steward")) return deny("data stewards only");
      if (!sameDepartment(actor, resource)) return deny("outside the steward's department");
      return allow;
    case "security.read":
      if (!isStaff || !actor.roles.includes("security_officer")) return deny("security officers only");
      if (!sameRegion(actor, resource)) return deny("outside the security officer's region");
      return allow;
    // The node's federation traffic: its administrators and security officers.
    case "federation.read":
      if (!isStaff || !actor.roles.some((r) => r === "admin" || r === "security_officer"))
        return deny("administrators and security officers only");
      if (!sameRegion(actor, resource)) return deny("outside the staff member's region");
      return allow;
    // 异地代收代办: the node's window staff receive applicants in person for other regions' services…
    case "federation.receive":
      if (!isStaff || !actor.roles.includes("window")) return deny("window staff only");
      if (!sameRegion(actor, resource)) return deny("outside the staff member's region");
      return allow;
    // …and the receiving window's department follows those cases and hands their results over.
    case "federation.deliver":
      if (!isStaff || !actor.roles.includes("window")) return deny("window staff only");
      if (!sameRegion(actor, resource)) return deny("outside the staff member's region");
      if (!sameDepartment(actor, resource)) return deny("outside the receiving window's department");
      return allow;
    // Refunds (退费): window or handling staff of the department that charged the fee.
    case "payment.refund":
      if (!isStaff) return deny("staff only");
      if (!sameDepartment(actor, resource)) return deny("outside the staff member's department");
      if (!actor.roles.some((r) => r === "window" || r === "handling")) return deny("no role that refunds fees");
      return allow;
    // The daily reconciliation: the region's administrators.
    case "reconciliation.read":
      if (!isStaff || !actor.roles.includes("admin")) return deny("administrators only");
      if (!sameRegion(actor, resource)) return deny("outside the administrator's region");
      return allow;
    // 一票一报: an organisation (法人 account) claims an invoice for its books.
    case "invoice.reimburse":
      return actor.kind === "enterprise" ? allow : deny("only an organisation's (法人) account reimburses invoices");
    case "data_access.read":
      if (isStaff) return deny("residents and enterprises only");
      return resource.ownerId === actor.accountId ? allow : deny("not the data subject");
  }
}

/** Throws FORBIDDEN with the reason when the policy says no. */
export function authorize(actor: Actor, action: Action, resource: Resource = {}, role?: StaffRole): void {
  const decision = decide(actor, action, resource, role);
  if (!decision.allowed) throw new AppError("FORBIDDEN", { action, reason: decision.reason });
}
