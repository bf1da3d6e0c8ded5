// 多地联办 at the coordinating node (the competent node of a joint item): it plans the linked steps,
// files each where it runs once the step before it is approved (here as one of its applications, or as
// a hand-over to the step's region), and merges every step's actions into the joint case's one
// timeline, reported to the origin.
import type { FederatedCaseStep, FederatedJointStep } from "@tongban/contracts";
import type { Db } from "../../db/database.ts";
import { AppError, fieldError } from "../../http/errors.ts";
import type { Clock, Ids } from "../../ports/index.ts";
import type { ApplicationsService } from "../applications/applications.service.ts";
import type { CatalogService, ServiceVersion } from "../catalog/catalog.service.ts";
import {
  type CaseRow,
  DONE,
  FAILED,
  formFor,
  type HandoverBody,
  numberField,
  type UpdateBody,
} from "./case-messages.ts";
import type { FederationService } from "./federation.service.ts";

export function createJointCoordinator({
  self,
  clock,
  ids,
  federation,
  catalog,
  applications,
  regionName,
  memberFor,
  report,
}: {
  self: string;
  clock: Clock;
  ids: Ids;
  federation: Pick<FederationService, "send">;
  catalog: Pick<CatalogService, "currentVersion" | "versionById">;
  applications: Pick<ApplicationsService, "receiveHandover">;
  regionName: (code: string) => string;
  memberFor: (code: string) => { regionCode: string } | undefined;
  report: (trx: Db, origin: string, update: UpdateBody) => Promise<void>;
}) {
  async function jointStepsOf(trx: Db, jointCaseId: string) {
    return trx
      .selectFrom("federated_joint_steps")
      .selectAll()
      .where("joint_case_id", "=", jointCaseId)
      .orderBy("position")
      .execute();
  }

  function planView(steps: Awaited<ReturnType<typeof jointStepsOf>>): FederatedJointStep[] {
    return steps.map((s) => ({
      key: s.key,
      name: s.name,
      regionCode: s.region_code.trim(),
      regionName: regionName(s.region_code.trim()),
      serviceCode: s.service_code,
      status: s.status,
      number: s.number,
    }));
  }

  /** The whole joint case's status and step from its steps' (the first step not done is the current one). */
  function overall(steps: Awaited<ReturnType<typeof jointStepsOf>>): { status: string; step: string | null } {
    const failed = steps.find((s) => FAILED.includes(s.status));
    if (failed) return { status: failed.status, step: failed.name };
    const current = steps.find((s) => !DONE.includes(s.status));
    if (!current) {
      const last = steps[steps.length - 1];
      return { status: last?.status ?? "approved", step: last?.name ?? null };
    }
    if (current.position === 0) return { status: current.status, step: current.name };
    return {
      status: ["pending", "handed_over", "submitted"].includes(current.status) ? "under_review" : current.status,
      step: current.name,
    };
  }

  /**
   * At the coordinating node, when the competent node of a joint item files it: plans the linked
   * steps (where each runs, from the item and the form's source region). The first is the case itself.
   */
  async function planJoint(
    trx: Db,
    input: { caseId: string; version: ServiceVersion; form: Record<string, unknown>; number: string; now: Date },
  ) {
    const definition = input.version.item.joint;
    if (!definition) throw new AppError("FEDERATION_MESSAGE_REFUSED", { reason: "the service has no linked steps" });
    const field = definition.sourceRegionField;
    const source = memberFor(String(input.form[field] ?? ""));
    if (!source || source.regionCode === self)
      throw fieldError([
        {
          field: `form.${field}`,
          reason: "NOT_A_MEMBER",
          message: source
            ? "The other region of a joint case cannot be this region"
            : "No member of the federation serves this region",
        },
      ]);
    for (const [position, step] of definition.steps.entries()) {
      const region = step.at === "self" ? self : source.regionCode;
      await trx
        .insertInto("federated_joint_steps")
        .values({
          joint_case_id: input.caseId,
          position,
          key: step.key,
          name: step.name,
          region_code: region,
          service_code: `${region}-${step.service}`,
          step_case_id: position === 0 ? input.caseId : ids.uuid(),
          application_id: position === 0 ? input.caseId : null,
          number: position === 0 ? input.number : null,
          status: position === 0 ? "submitted" : "pending",
          last_seq: position === 0 ? 1 : 0,
          created_at: input.now,
          updated_at: input.now,
        })
        .execute();
    }
    return jointStepsOf(trx, input.caseId);
  }

  /** The applicant's identity and the joint case's form, read inside the transaction, for a next step. */
  async function stepInput(trx: Db, joint: NonNullable<CaseRow>, steps: Awaited<ReturnType<typeof jointStepsOf>>) {
    const account = await trx
      .selectFrom("accounts")
      .select(["kind", "username", "name", "phone"])
      .where("id", "=", joint.applicant_id as string)
      .executeTakeFirstOrThrow();
    const application = await trx
      .selectFrom("applications")
      .select(["form"])
      .where("id", "=", joint.application_id as string)
      .executeTakeFirstOrThrow();
    const form: Record<string, unknown> = { ...(application.form as Record<string, unknown>) };
    for (const step of steps) if (step.number) form[numberField(step.key)] = step.number;
    return {
      applicant: {
        kind: account.kind === "enterprise" ? ("enterprise" as const) : ("resident" as const),
        identifier: account.username,
        name: account.name,
        phone: account.phone,
      },
      form,
    };
  }

  /**
   * Files the next linked step where it runs: here as one of this node's applications (submitted at
   * once), or handed over to the step's region. Answers the timeline entry when it was filed here.
   */
  async function startStep(
    trx: Db,
    joint: NonNullable<CaseRow>,
    steps: Awaited<ReturnType<typeof jointStepsOf>>,
    next: Awaited<ReturnType<typeof jointStepsOf>>[number],
    now: Date,
  ): Promise<FederatedCaseStep | undefined> {
    const { applicant, form } = await stepInput(trx, joint, steps);
    const region = next.region_code.trim();
    if (region === self) {
      const version = await catalog.currentVersion(next.service_code, undefined, trx);
      await catalog.versionById(version.id, trx);
      const filed = await applications.receiveHandover(trx, version, {
        id: next.step_case_id,
        applicantId: joint.applicant_id as string,
        applicantKind: applicant.kind,
        form: formFor(version, form),
        channel: "pc",
        idempotencyKey: `joint:${next.step_case_id}`,
        payload: { mode: "joint", joint: { caseId: joint.id, stepKey: next.key } },
      });
      await trx
        .updateTable("federated_joint_steps")
        .set({ application_id: filed.id, number: filed.number, status: "submitted", last_seq: 1, updated_at: now })
        .where("step_case_id", "=", next.step_case_id)
        .execute();
      return { seq: 0, type: "submit", status: "submitted", step: null, at: now.toISOString(), region: self };
    }
    const body: HandoverBody = {
      caseId: next.step_case_id,
      number: joint.number,
      mode: "joint",
      serviceCode: next.service_code,
      serviceName: next.name,
      applicant,
      form,
      channel: "pc",
      joint: { caseId: joint.id, stepKey: next.key, stepName: next.name },
    };
    await federation.send(trx, {
      to: region,
      type: "case.handover",
      subject: next.step_case_id,
      idempotencyKey: `${next.step_case_id}/handover`,
      body: body as unknown as Record<string, unknown>,
      actor: null,
    });
    await trx
      .updateTable("federated_joint_steps")
      .set({ status: "handed_over", updated_at: now })
      .where("step_case_id", "=", next.step_case_id)
      .execute();
    return undefined;
  }

  /**
   * At the coordinating node: an action on one linked step (here or reported by the step's node).
   * Records the step's progress, starts the next step once it is approved, appends the action to the
   * joint case's one timeline and reports it to the origin — all in the caller's transaction, with
   * the joint case's row locked so reports from several nodes take turns.
   */
  async function onJointStep(
    trx: Db,
    jointCaseId: string,
    position: number,
    progress: { status?: string; number?: string | null; seq?: number },
    entry: FederatedCaseStep,
  ) {
    const joint = await trx
      .selectFrom("federated_cases")
      .selectAll()
      .where("id", "=", jointCaseId)
      .where("role", "=", "competent")
      .forUpdate()
      .executeTakeFirst();
    if (!joint) throw new AppError("FEDERATION_MESSAGE_REFUSED", { reason: `no joint case ${jointCaseId}` });
    const now = clock.now();
    await trx
      .updateTable("federated_joint_steps")
      .set({
        ...(progress.status ? { status: progress.status } : {}),
        ...(progress.number ? { number: progress.number } : {}),
        ...(progress.seq ? { last_seq: progress.seq } : {}),
        updated_at: now,
      })
      .where("joint_case_id", "=", jointCaseId)
      .where("position", "=", position)
      .execute();
    let steps = await jointStepsOf(trx, jointCaseId);
    const step = steps[position];
    const entries: FederatedCaseStep[] = [{ ...entry, stepKey: step?.key ?? entry.stepKey }];
    const next = steps[position + 1];
    if (progress.status === "approved" && next && next.status === "pending") {
      const filed = await startStep(trx, joint, steps, next, now);
      if (filed) entries.push({ ...filed, stepKey: next.key });
      steps = await jointStepsOf(trx, jointCaseId);
    }
    const plan = planView(steps);
    const { status, step: stepName } = overall(steps);
    let seq = joint.last_seq;
    const numbered = entries.map((e) => ({ ...e, seq: ++seq, regionName: regionName(e.region ?? self) }));
    await trx
      .updateTable("federated_cases")
      .set({
        status,
        step: stepName,
        timeline: JSON.stringify([...(joint.timeline as FederatedCaseStep[]), ...numbered]),
        joint_steps: JSON.stringify(plan),
        last_seq: seq,
        updated_at: now,
      })
      .where("id", "=", jointCaseId)
      .where("role", "=", "competent")
      .execute();
    for (const [i, e] of numbered.entries())
      await report(trx, joint.origin_region, {
        ...e,
        // The origin shows the whole case's status after the last entry; each entry keeps its own.
        ...(i === numbered.length - 1 ? { caseStatus: status, caseStep: stepName } : {}),
        caseId: jointCaseId,
        competentNumber: joint.competent_number ?? joint.number,
        plan,
      } as UpdateBody);
  }

  /**
   * A joint item applied for on this node's own portal (the applicant's account is here): its
   * submission plans the linked steps at once, this node being both origin and coordinator. A source
   * region the federation does not serve refuses the submission (400 on that field). Answers whether
   * the application was such an item.
   */
  async function startLocalJoint(
    trx: Db,
    action: { applicationId: string; at: Date },
    entry: FederatedCaseStep,
  ): Promise<boolean> {
    const application = await trx
      .selectFrom("applications")
      .select(["id", "number", "service_code", "service_version_id", "applicant_id", "form"])
      .where("id", "=", action.applicationId)
      .executeTakeFirstOrThrow();
    const version = await catalog.versionById(application.service_version_id, trx);
    if (!version.item.joint || !version.item.handlingModes.includes("joint")) return false;
    const form = application.form as Record<string, unknown>;
    const plan = await planJoint(trx, {
      caseId: application.id,
      version,
      form,
      number: application.number,
      now: action.at,
    });
    await trx
      .insertInto("federated_cases")
      .values({
        id: application.id,
        role: "competent",
        mode: "joint",
        number: application.number,
        origin_region: self,
        competent_region: self,
        service_code: application.service_code,
        service_name: version.item.name,
        applicant_id: application.applicant_id,
        application_id: application.id,
        competent_number: application.number,
        status: "submitted",
        step: plan[0]?.name ?? null,
        timeline: JSON.stringify([{ ...entry, seq: 1, stepKey: plan[0]?.key }]),
        last_seq: 1,
        joint_steps: JSON.stringify(planView(plan)),
        created_at: action.at,
        updated_at: action.at,
      })
      .execute();
    return true;
  }

  return { jointStepsOf, planView, planJoint, onJointStep, startLocalJoint };
}
export type JointCoordinator = ReturnType<typeof createJointCoordinator>;
