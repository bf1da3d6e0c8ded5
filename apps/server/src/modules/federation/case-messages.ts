// What the cross-province cases' messages carry between nodes (case.handover, case.update,
// case.delivered), and the checks both ends make of the materials a window sends (异地代收).

import type {
  FederatedCaseStep,
  FederatedJointStep,
  FieldIssue,
  Reception,
  ServiceDetail as ServiceDetailType,
} from "@tongban/contracts";
import { fileTypeFromBuffer } from "file-type";
import { type Selectable, sql } from "kysely";
import type { Db } from "../../db/database.ts";
import type { DB } from "../../db/schema.ts";
import type { ServiceVersion } from "../catalog/catalog.service.ts";
import type { ChangeRecord } from "../ledger/outbox.ts";

export type CaseRow = Awaited<ReturnType<typeof findCase>>;

export function findCase(db: Db, id: string, role: "origin" | "competent") {
  return db.selectFrom("federated_cases").selectAll().where("id", "=", id).where("role", "=", role).executeTakeFirst();
}

/**
 * The origin's rows of these cases, locked for the rest of the transaction (in id order: no deadlock).
 * One statement text whatever their number: an IN list was a new prepared statement for every count.
 */
export function lockOriginCases(db: Db, ids: string[]) {
  return db
    .selectFrom("federated_cases")
    .selectAll()
    .where(sql<boolean>`id = any(${ids}::uuid[])`)
    .where("role", "=", "origin")
    .orderBy("id")
    .forUpdate()
    .execute();
}

/** A case handed over from this node, as its origin row is first written. */
export interface OriginCase {
  id: string;
  mode: HandoverBody["mode"];
  number: string;
  origin_region: string;
  competent_region: string;
  service_code: string;
  service_name: string;
  applicant_id: string | null;
  applicant_identifier: string | null;
  received_by: string | null;
  receiving_department_id: string | null;
  reception: Reception | null;
  at: Date;
}

/**
 * Writes the origin's rows of cases handed over (status handed_over) and, case after case, the
 * ledger entry of each, in ONE statement of one text whatever their number (it was two, a new
 * prepared statement for every count); answers the rows as written, in order.
 */
export async function insertOriginCases(db: Db, cases: { row: OriginCase; change: ChangeRecord }[]) {
  const data = cases.map(({ row, change }, ord) => ({
    ord,
    ...row,
    at: row.at.toISOString(),
    change_type: change.type,
    change_subject: change.subject,
    change_actor: change.actor,
    change_at: change.at.toISOString(),
    change_content: change.facts ?? {},
  }));
  const { rows } = await sql<Selectable<DB["federated_cases"]>>`
    with d as (
      select * from jsonb_to_recordset(${JSON.stringify(data)}::jsonb)
        as r(ord int, id uuid, mode text, number text, origin_region text, competent_region text, service_code text,
          service_name text, applicant_id uuid, applicant_identifier text, received_by uuid,
          receiving_department_id uuid, reception jsonb, at timestamptz, change_type text, change_subject text,
          change_actor text, change_at timestamptz, change_content jsonb)
    ), ledger as (
      insert into outbox (type, subject, actor, at, content)
      select change_type, change_subject, change_actor, change_at, change_content from d order by ord
    )
    insert into federated_cases (id, role, mode, number, origin_region, competent_region, service_code, service_name,
      applicant_id, applicant_identifier, status, received_by, receiving_department_id, reception, created_at,
      updated_at)
    select id, 'origin', mode, number, origin_region, competent_region, service_code, service_name, applicant_id,
      applicant_identifier, 'handed_over', received_by, receiving_department_id, reception, at, at
    from d order by ord
    returning *`.execute(db);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return cases.map(({ row }) => byId.get(row.id) as NonNullable<CaseRow>);
}

/** The origin's rows as the competent nodes' reports leave them, in ONE statement. */
export async function writeOriginCases(
  db: Db,
  rows: {
    id: string;
    timeline: FederatedCaseStep[];
    competent_number: string | null;
    joint_steps: unknown;
    status: string;
    step: string | null;
    last_seq: number;
    updated_at: Date;
  }[],
) {
  if (rows.length === 0) return;
  await sql`
    update federated_cases f set timeline = d.timeline, competent_number = d.competent_number,
      joint_steps = d.joint_steps, status = d.status, step = d.step, last_seq = d.last_seq, updated_at = d.updated_at
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      as d(id uuid, timeline jsonb, competent_number text, joint_steps jsonb, status text, step text, last_seq int,
        updated_at timestamptz)
    where f.id = d.id and f.role = 'origin'`.execute(db);
}

/**
 * 异地代收: the most a case's materials may weigh together, carried in its envelope (about 13.4 MB
 * as base64); each material is also held to its own size in the competent node's catalogue.
 */
export const REMOTE_MATERIALS_MAX_BYTES = 10 * 1_048_576;

/** A material carried in a hand-over envelope: the bytes (base64) and what the sender says of them. */
export interface CarriedMaterial {
  code: string;
  fileName: string;
  sha256: string;
  content: string;
}

export interface HandoverBody {
  caseId: string;
  number: string;
  mode: "online" | "remote_acceptance" | "joint";
  serviceCode: string;
  serviceName: string;
  applicant: { kind: "resident" | "enterprise"; identifier: string; name: string; phone: string | null };
  form: Record<string, unknown>;
  channel: "pc" | "mobile" | "window";
  /** 异地代收: the scanned materials and the receiving window's record. */
  materials?: CarriedMaterial[];
  reception?: Reception;
  /** 多地联办: this case is a linked step of the sender's joint case. */
  joint?: { caseId: string; stepKey: string; stepName: string };
}

export interface UpdateBody extends FederatedCaseStep {
  caseId: string;
  competentNumber: string;
  /** 多地联办: every linked step as the coordinating node knows them. */
  plan?: FederatedJointStep[];
}

export interface DeliveredBody {
  caseId: string;
  officialName: string;
  departmentName: string;
  at: string;
}

/** Step statuses that end a joint case, and those that finish a step. */
export const FAILED = ["rejected", "not_accepted", "withdrawn", "refused"];
export const DONE = ["approved", "delivered"];
/** Statuses at which the receiving window may hand the result over (异地代收). */
export const DELIVERABLE = ["approved", "rejected", "not_accepted"];

/** The form field that carries an earlier linked step's case number to a later one (permit → permitNumber). */
export const numberField = (stepKey: string) =>
  `${stepKey.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase())}Number`;

/**
 * Checks materials against a service's material list: each one known and to be uploaded, of an
 * accepted type (read from the bytes), within its size, all together within the envelope's bound,
 * and every required one present. Issues are named `<prefix>.<index>.<what>` or `<prefix>.<code>`.
 */
export async function materialIssues(
  specs: ServiceDetailType["item"]["materials"],
  materials: { code: string; bytes: Uint8Array }[],
  prefix: string,
): Promise<{ issues: FieldIssue[]; types: string[] }> {
  const issues: FieldIssue[] = [];
  const types: string[] = [];
  let total = 0;
  for (const [index, material] of materials.entries()) {
    const spec = specs.find((m) => m.code === material.code);
    total += material.bytes.length;
    if (spec?.source !== "upload") {
      issues.push({
        field: `${prefix}.${index}.code`,
        reason: "NOT_FOUND",
        message: spec ? `${spec.name} is not uploaded for this service` : "This service asks for no such material",
      });
      types.push("");
      continue;
    }
    if (material.bytes.length === 0)
      issues.push({ field: `${prefix}.${index}.content`, reason: "EMPTY", message: "The file is empty" });
    if (material.bytes.length > spec.maxSizeMb * 1_048_576)
      issues.push({
        field: `${prefix}.${index}.content`,
        reason: "TOO_LARGE",
        message: `${spec.name} may be at most ${spec.maxSizeMb} MB`,
      });
    const detected = material.bytes.length > 0 ? await fileTypeFromBuffer(material.bytes) : undefined;
    types.push(detected?.mime ?? "");
    if (material.bytes.length > 0 && (!detected || !(spec.accept as string[]).includes(detected.mime)))
      issues.push({
        field: `${prefix}.${index}.content`,
        reason: "WRONG_TYPE",
        message: `${spec.name} must be ${spec.accept.join(", ")}; this file is ${detected?.mime ?? "of an unknown type"}`,
      });
  }
  if (total > REMOTE_MATERIALS_MAX_BYTES)
    issues.push({
      field: prefix,
      reason: "TOO_LARGE",
      message: `The materials of one cross-province case may weigh ${REMOTE_MATERIALS_MAX_BYTES / 1_048_576} MB together`,
    });
  const present = new Set(materials.map((m) => m.code));
  for (const spec of specs)
    if (spec.required && spec.source === "upload" && !present.has(spec.code))
      issues.push({ field: `${prefix}.${spec.code}`, reason: "REQUIRED", message: `Scan and attach ${spec.name}` });
  return { issues, types };
}

/** Keeps of `form` what the step's own form knows (each step's service has its own form). */
export function formFor(version: ServiceVersion, form: Record<string, unknown>) {
  const known = new Set(Object.keys(version.item.form.schema.properties));
  return Object.fromEntries(Object.entries(form).filter(([k]) => known.has(k)));
}
