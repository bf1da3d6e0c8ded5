// Cross-province cases (跨省通办) over the federation's messages. 全程网办: a resident applies on the
// home node for a service of another region; the origin node checks the jurisdiction and hands the
// case over (case.handover); the competent node files it as one of its applications and reports each
// action back (case.update), so the resident follows it from home. Each node keeps a federated_cases
// row naming the origin node, the competent node and, through the envelopes' subject, the messages.
// 异地代收代办 is the same hand-over made by a window that received the applicant in person, with
// the scanned materials in the envelope; the result comes back to that window, which delivers it
// (case.delivered). 多地联办 is coordinated by the competent node of the joint item: it files each
// linked step where it runs (its own, or a hand-over to the step's region) and reports every step of
// every node to the origin as one timeline (joint.ts). The messages' bodies are in case-messages.ts.

import {
  type CreateFederatedCase,
  type CreateRemoteCase,
  checkCreditCode,
  checkIdNumber,
  type DeliverFederatedCase,
  type Delivery,
  type FederatedCase,
  type FederatedCaseStep,
  type FederatedJointStep,
  type FederatedServiceDetail,
  type FederatedServiceQuery,
  type FederatedServices,
  type FederationMessage,
  type FieldIssue,
  type Reception,
  ServiceDetail,
  type ServiceDetail as ServiceDetailType,
  ServiceSummary,
  type ServiceSummary as ServiceSummaryType,
} from "@tongban/contracts";
import { z } from "zod";
import type { Db } from "../../db/database.ts";
import { AppError, fieldError } from "../../http/errors.ts";
import { groupCommit } from "../../lib/group-commit.ts";
import { type Actor, authorize, decide } from "../../policy/policy.ts";
import { type FileStore, sha256Hex } from "../../ports/files.ts";
import type { Clock, Ids } from "../../ports/index.ts";
import { chinaDate } from "../../reference/calendar.ts";
import type { AccountsService } from "../accounts/accounts.service.ts";
import type { ApplicationsService } from "../applications/applications.service.ts";
import type { CatalogService, ServiceVersion } from "../catalog/catalog.service.ts";
import { compileForm, type FormCheck } from "../catalog/form-validator.ts";
import { recordChange } from "../ledger/outbox.ts";
import {
  type CarriedMaterial,
  type CaseRow,
  DELIVERABLE,
  type DeliveredBody,
  findCase,
  formFor,
  type HandoverBody,
  insertOriginCases,
  lockOriginCases,
  materialIssues,
  type UpdateBody,
  writeOriginCases,
} from "./case-messages.ts";
import type { FederationService, InboundMessage, SharedReads } from "./federation.service.ts";
import { createJointCoordinator } from "./joint.ts";
import { notCompetentReason, withinRegion } from "./jurisdiction.ts";
import type { PeerTransport } from "./transport.ts";

export function createFederatedCasesService({
  db,
  clock,
  ids,
  federation,
  transport,
  applications,
  accounts,
  catalog,
  files,
}: {
  db: Db;
  clock: Clock;
  ids: Ids;
  federation: FederationService;
  transport: PeerTransport;
  applications: Pick<
    ApplicationsService,
    "receiveHandover" | "receiveHandovers" | "onAction" | "get" | "recordRemoteDelivery"
  >;
  catalog: Pick<CatalogService, "currentVersion" | "versionById">;
  accounts: Pick<AccountsService, "ensureApplicant" | "ensureApplicants" | "findById" | "findForSession">;
  files: FileStore;
}) {
  const self = federation.self;
  const regionName = (code: string) => federation.nodeFor(code)?.name ?? code;

  // Peers' service guides as last read: fresh for a minute; an older copy serves while the peer is
  // down, so residents can still hand cases over (they wait in the outbox until it is back).
  const guides = new Map<string, { detail: ServiceDetailType; at: number }>();
  // The competent node's form schema, compiled once per service version, to check a form here.
  const formChecks = new Map<string, FormCheck>();

  /** Issues of `form` against the form of the peer's current version (named `form.<field>`). */
  function formIssues(code: string, region: string, detail: ServiceDetailType, form: Record<string, unknown>) {
    const key = `${code}@${detail.version}`;
    let check = formChecks.get(key);
    if (!check) {
      try {
        check = compileForm(detail.item.form.schema);
      } catch (error) {
        throw new AppError("PROVIDER_BAD_ANSWER", {
          region,
          reason: `its form does not compile: ${(error as Error).message}`,
        });
      }
      formChecks.set(key, check);
    }
    return check(form).map((issue) => ({ ...issue, field: `form.${issue.field}` }));
  }

  /** A service of another member, read from that member's public catalogue. */
  async function peerService(code: string) {
    const region = code.slice(0, 6);
    const peer = federation.nodeFor(region);
    if (!peer || region === self)
      throw fieldError([
        {
          field: "serviceCode",
          reason: region === self ? "LOCAL_SERVICE" : "NO_SUCH_REGION",
          message:
            region === self
              ? "This service is this node's own: apply for it directly"
              : `No member of the federation serves region ${region}`,
        },
      ]);
    const known = guides.get(code);
    if (known && clock.now().getTime() - known.at < 60_000) return { peer, detail: known.detail };
    let answer: Awaited<ReturnType<PeerTransport["read"]>>;
    try {
      answer = await transport.read(peer.url, `api/v1/services/${encodeURIComponent(code)}`);
    } catch (error) {
      if (known) return { peer, detail: known.detail };
      throw new AppError("PROVIDER_UNAVAILABLE", { region, reason: (error as Error).message });
    }
    if (answer.status === 404) throw new AppError("SERVICE_NOT_FOUND", { code, region });
    const detail = ServiceDetail.safeParse(answer.body);
    if (answer.status !== 200 || !detail.success) {
      if (known && answer.status >= 500) return { peer, detail: known.detail };
      throw new AppError("PROVIDER_BAD_ANSWER", { region, status: answer.status });
    }
    guides.set(code, { detail: detail.data, at: clock.now().getTime() });
    return { peer, detail: detail.data };
  }

  // Peers' lists of services, by peer and search, fresh for a minute; an older copy serves while the
  // peer is down.
  const lists = new Map<string, { services: ServiceSummaryType[]; at: number }>();

  async function peerServices(peer: { regionCode: string; url: string }, q: string | undefined) {
    const key = `${peer.regionCode}|${q ?? ""}`;
    const known = lists.get(key);
    if (known && clock.now().getTime() - known.at < 60_000) return known.services;
    const params = new URLSearchParams({ regionCode: peer.regionCode });
    if (q) params.set("q", q);
    try {
      const answer = await transport.read(peer.url, `api/v1/services?${params.toString()}`);
      const parsed = z.array(ServiceSummary).safeParse(answer.body);
      if (answer.status !== 200 || !parsed.success) return known?.services;
      lists.set(key, { services: parsed.data, at: clock.now().getTime() });
      if (lists.size > 1_000) lists.delete(lists.keys().next().value as string);
      return parsed.data;
    } catch {
      return known?.services;
    }
  }

  /** The member whose region contains `code` (a county lies within its prefecture's node). */
  function memberFor(code: string) {
    return federation.activeMembers().find((m) => withinRegion(code, m.regionCode));
  }

  function canDeliver(actor: Actor, row: NonNullable<CaseRow>): boolean {
    return (
      row.role === "origin" &&
      row.mode === "remote_acceptance" &&
      !row.delivery &&
      DELIVERABLE.includes(row.status) &&
      decide(actor, "federation.deliver", { regionCode: self, departmentId: row.receiving_department_id }).allowed
    );
  }

  /**
   * The case as its reader sees it; `messages`, when the caller knows them (a hand-over just
   * committed: its one message, queued), saves reading them.
   */
  async function view(
    row: NonNullable<CaseRow>,
    actor?: Actor,
    messages?: FederationMessage[],
  ): Promise<FederatedCase> {
    const timeline = [...(row.timeline as FederatedCaseStep[])].sort((a, b) =>
      a.at < b.at ? -1 : a.at > b.at ? 1 : a.seq - b.seq,
    );
    return {
      id: row.id,
      role: row.role,
      mode: row.mode,
      number: row.number,
      originRegion: row.origin_region,
      originName: regionName(row.origin_region),
      competentRegion: row.competent_region,
      competentName: regionName(row.competent_region),
      serviceCode: row.service_code,
      serviceName: row.service_name,
      applicationId: row.application_id,
      competentNumber: row.competent_number,
      status: row.status,
      step: row.step,
      timeline,
      refusal: row.refusal,
      jointSteps: (row.joint_steps as FederatedJointStep[] | null) ?? null,
      reception: (row.reception as Reception | null) ?? null,
      delivery: (row.delivery as Delivery | null) ?? null,
      canDeliver: actor ? canDeliver(actor, row) : false,
      messages: messages ?? (await federation.messagesAbout({ subject: row.id, limit: 200 })),
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
    };
  }

  /** The report of a case's update as the message that carries it to the origin. */
  const updateMessage = (origin: string, update: UpdateBody) => ({
    to: origin,
    type: "case.update",
    subject: update.caseId,
    idempotencyKey: `${update.caseId}/update/${update.seq}`,
    body: update as unknown as Record<string, unknown>,
    actor: null,
  });

  async function report(trx: Db, origin: string, update: UpdateBody) {
    // A joint case applied for here, at its coordinating node, is followed here: nothing to send.
    if (origin === self) return;
    await federation.send(trx, updateMessage(origin, update));
  }

  const { planView, planJoint, onJointStep, startLocalJoint } = createJointCoordinator({
    self,
    clock,
    ids,
    federation,
    catalog,
    applications,
    regionName,
    memberFor,
    report,
  });

  // --- Messages ---------------------------------------------------------------------------------

  type PreparedHandover = {
    version: ServiceVersion;
    materials: { code: string; fileName: string; sha256: string; contentType: string; size: number }[];
  };

  /** What the competent node files for a handed-over case (the application's input). */
  function filingOf(message: InboundMessage, { version, materials }: PreparedHandover, applicantId: string) {
    const body = message.body as unknown as HandoverBody;
    return {
      id: body.caseId,
      applicantId,
      applicantKind: body.applicant.kind,
      form: body.joint ? formFor(version, body.form) : body.form,
      channel: body.channel === "window" ? ("window" as const) : body.channel,
      idempotencyKey: `federation:${message.id}`,
      materials,
      payload: {
        mode: body.mode,
        origin: message.from,
        ...(body.reception ? { reception: body.reception } : {}),
        ...(body.joint ? { joint: body.joint } : {}),
      },
    };
  }

  /** The competent node's federated_cases row of a filed case, its first step and the report back. */
  function competentCase(
    message: InboundMessage,
    applicantId: string,
    filed: { id: string; number: string },
    now: Date,
    plan?: Awaited<ReturnType<typeof planJoint>>,
  ) {
    const body = message.body as unknown as HandoverBody;
    const first: FederatedCaseStep = {
      seq: 1,
      type: "submit",
      status: "submitted",
      step: null,
      at: now.toISOString(),
      region: self,
      regionName: regionName(self),
      ...(body.joint ? { stepKey: body.joint.stepKey } : {}),
    };
    if (plan) first.stepKey = plan[0]?.key;
    const row = {
      id: body.caseId,
      role: "competent" as const,
      mode: body.mode,
      number: body.number,
      origin_region: message.from,
      competent_region: self,
      service_code: body.serviceCode,
      service_name: body.serviceName,
      applicant_id: applicantId,
      application_id: filed.id,
      competent_number: filed.number,
      status: "submitted",
      step: plan ? (plan[0]?.name ?? null) : null,
      timeline: JSON.stringify([first]),
      last_seq: 1,
      joint_steps: plan ? JSON.stringify(planView(plan)) : null,
      joint_case_id: body.joint?.caseId ?? null,
      // The receiving window's record, for this node's staff who decide (异地代收).
      reception: body.reception ? JSON.stringify(body.reception) : null,
      created_at: now,
      updated_at: now,
    };
    const update: UpdateBody = {
      ...first,
      caseId: body.caseId,
      competentNumber: filed.number,
      ...(plan ? { plan: planView(plan) } : {}),
    };
    return { row, update };
  }

  // At the competent node: a handed-over case becomes one of its applications, filed and submitted
  // in the inbox's transaction, and the origin hears at once that it is filed. The materials a window
  // sent with it (异地代收) are checked against this node's own material list and stored first.
  async function handleHandover(trx: Db, message: InboundMessage, prepared: unknown) {
    const body = message.body as unknown as HandoverBody;
    const { version } = prepared as PreparedHandover;
    const now = clock.now();
    const applicantId = await accounts.ensureApplicant(trx, body.applicant);
    const filed = await applications.receiveHandover(
      trx,
      version,
      filingOf(message, prepared as PreparedHandover, applicantId),
    );
    // A joint item filed here for the first time: this node coordinates its linked steps.
    const plan =
      body.mode === "joint" && !body.joint
        ? await planJoint(trx, { caseId: body.caseId, version, form: body.form, number: filed.number, now })
        : undefined;
    const { row, update } = competentCase(message, applicantId, filed, now, plan);
    await trx.insertInto("federated_cases").values(row).execute();
    await report(trx, message.from, update);
  }

  /**
   * The version a hand-over of `code` is filed under, read once for all the hand-overs of one
   * delivery request. The case's later actions read its version from the catalogue's cache inside
   * their transactions; filling it now keeps them from reading it through a second connection.
   */
  function versionToFile(code: string, shared: SharedReads): Promise<ServiceVersion> {
    const key = `case.handover:version:${code}`;
    let version = shared.get(key) as Promise<ServiceVersion> | undefined;
    if (!version) {
      version = catalog.currentVersion(code, "serviceCode").then(async (current) => {
        await catalog.versionById(current.id);
        return current;
      });
      // Each message awaits it; none is left unhandled when the read fails.
      version.catch(() => {});
      shared.set(key, version);
    }
    return version;
  }

  federation.on("case.handover", handleHandover, async (message, shared) => {
    const body = message.body as unknown as HandoverBody;
    const code = String(body.serviceCode);
    if (code.slice(0, 6) !== self)
      throw new AppError("FEDERATION_MESSAGE_REFUSED", { reason: `${code} is not a service of ${self}` });
    const version = await versionToFile(code, shared);
    // The carried files are checked against this node's material list and stored before the
    // transaction (the store is addressed by content, so a retried message stores nothing twice).
    const carried = (body.materials ?? []).map((m) => ({ ...m, bytes: Buffer.from(String(m.content), "base64") }));
    const problems: FieldIssue[] = [];
    for (const [index, m] of carried.entries())
      if (sha256Hex(m.bytes) !== m.sha256)
        problems.push({
          field: `materials.${index}.sha256`,
          reason: "HASH_MISMATCH",
          message: "The file is not the one described",
        });
    const { issues, types } = await materialIssues(version.item.materials, carried, "materials");
    // A hand-over without materials (全程网办) is checked for them by the application's own rules.
    problems.push(...(carried.length > 0 ? issues : []));
    if (problems.length > 0) throw fieldError(problems);
    const materials = [];
    for (const [index, m] of carried.entries()) {
      await files.put(m.bytes);
      materials.push({
        code: m.code,
        fileName: m.fileName,
        sha256: m.sha256,
        contentType: types[index] as string,
        size: m.bytes.length,
      });
    }
    return { version, materials };
  });

  // Several hand-overs delivered together: their applicants, applications, federated_cases rows and
  // reports back each in one statement (a joint item's first filing plans its steps: those go one by
  // one, in order with the rest).
  federation.onMany("case.handover", async (trx, messages) => {
    const now = clock.now();
    const joint = (m: InboundMessage) => (m.body as unknown as HandoverBody).mode === "joint";
    const plain = messages.filter(({ message }) => !joint(message));
    const applicantIds = await accounts.ensureApplicants(
      trx,
      plain.map(({ message }) => (message.body as unknown as HandoverBody).applicant),
    );
    const filed = await applications.receiveHandovers(
      trx,
      plain.map(({ message, prepared }, i) => ({
        version: (prepared as PreparedHandover).version,
        input: filingOf(message, prepared as PreparedHandover, applicantIds[i] as string),
      })),
    );
    const cases = plain.map(({ message }, i) =>
      competentCase(message, applicantIds[i] as string, filed[i] as { id: string; number: string }, now),
    );
    if (cases.length > 0)
      await trx
        .insertInto("federated_cases")
        .values(cases.map((c) => c.row))
        .execute();
    await federation.sendMany(
      trx,
      plain.flatMap(({ message }, i) =>
        message.from === self ? [] : [updateMessage(message.from, (cases[i] as (typeof cases)[number]).update)],
      ),
    );
    for (const { message, prepared } of messages.filter(({ message }) => joint(message)))
      await handleHandover(trx, message, prepared);
  });

  // At the node where an application runs: every action on a case that came from another node goes
  // back to it, in the action's own transaction. At a coordinating node, the actions on the linked
  // steps it runs itself join the joint case's timeline.
  applications.onAction(async (trx, action) => {
    if (action.type === "note" || action.payload.remoteDelivery) return;
    const reason = typeof action.payload.reason === "string" ? action.payload.reason : undefined;
    const entry: FederatedCaseStep = {
      seq: action.seq,
      type: action.type,
      status: action.status,
      step: action.step,
      at: action.at.toISOString(),
      region: self,
      regionName: regionName(self),
      ...(reason ? { reason } : {}),
    };
    if (action.type === "submit" && !action.payload.handedOver && (await startLocalJoint(trx, action, entry))) return;
    const row = await trx
      .selectFrom("federated_cases")
      .select(["id", "mode", "origin_region", "timeline", "last_seq", "joint_steps", "joint_case_id"])
      .where("application_id", "=", action.applicationId)
      .where("role", "=", "competent")
      .executeTakeFirst();
    // 异地代收: the result goes back to the window that received the applicant, which delivers it;
    // a window here delivering it too would hand out a second result (the whole action rolls back).
    if (row?.mode === "remote_acceptance" && action.type === "deliver")
      throw new AppError("ACTION_NOT_ALLOWED", {
        action: "deliver",
        reason: `the result is delivered at the window of ${regionName(row.origin_region)} that received the case`,
      });
    if (row?.joint_steps) {
      await onJointStep(trx, row.id, 0, { status: action.status, seq: action.seq }, entry);
      return;
    }
    if (row) {
      // A linked step run here for another node's joint case numbers its reports itself.
      const seq = row.joint_case_id ? row.last_seq + 1 : action.seq;
      const step = { ...entry, seq };
      await trx
        .updateTable("federated_cases")
        .set({
          status: action.status,
          step: action.step,
          timeline: JSON.stringify([...(row.timeline as FederatedCaseStep[]), step]),
          last_seq: seq,
          updated_at: action.at,
        })
        .where("id", "=", row.id)
        .where("role", "=", "competent")
        .execute();
      await report(trx, row.origin_region, { ...step, caseId: row.id, competentNumber: action.number });
      return;
    }
    const linked = await trx
      .selectFrom("federated_joint_steps")
      .select(["joint_case_id", "position"])
      .where("application_id", "=", action.applicationId)
      .executeTakeFirst();
    if (linked)
      await onJointStep(trx, linked.joint_case_id, linked.position, { status: action.status, seq: action.seq }, entry);
  });

  // At the origin node: the competent node's reports, applied in order of their sequence (a late
  // report of an earlier action joins the timeline without turning the status back). At a
  // coordinating node: reports of a linked step another node runs.
  /** A case at the origin as the competent node's reports change it. */
  type OriginState = Pick<
    NonNullable<CaseRow>,
    "timeline" | "competent_number" | "joint_steps" | "status" | "step" | "last_seq" | "delivery"
  >;

  /** The report in a case.update and the step it adds to the timeline. */
  function reportOf(message: InboundMessage) {
    const body = message.body as unknown as UpdateBody & { caseStatus?: string; caseStep?: string | null };
    const { caseId, competentNumber, plan, caseStatus, caseStep, ...fields } = body;
    const step: FederatedCaseStep = {
      seq: fields.seq,
      type: fields.type,
      status: fields.status,
      step: fields.step,
      at: fields.at,
      ...(fields.reason ? { reason: fields.reason } : {}),
      ...(fields.region ? { region: fields.region, regionName: regionName(fields.region) } : {}),
      ...(fields.stepKey ? { stepKey: fields.stepKey } : {}),
    };
    return { caseId, competentNumber, plan, caseStatus, caseStep, fields, step };
  }

  /**
   * The origin's case after a report, applied by its sequence (a late report of an earlier action
   * joins the timeline without turning the status back); undefined when the report was applied before.
   */
  function reported(row: OriginState, message: InboundMessage): OriginState | undefined {
    const { competentNumber, plan, caseStatus, caseStep, fields, step } = reportOf(message);
    const timeline = row.timeline as FederatedCaseStep[];
    if (timeline.some((s) => !s.local && s.seq === fields.seq)) return undefined;
    const newer = fields.seq > row.last_seq;
    return {
      ...row,
      timeline: [...timeline, step].sort((a, b) => a.seq - b.seq),
      competent_number: competentNumber,
      ...(plan && newer ? { joint_steps: plan } : {}),
      // Once delivered at this node's window, the case stays delivered.
      ...(newer && !row.delivery
        ? {
            status: caseStatus ?? fields.status,
            step: caseStep === undefined ? fields.step : caseStep,
            last_seq: fields.seq,
          }
        : newer
          ? { last_seq: fields.seq }
          : {}),
    };
  }

  const notHandedOver = (caseId: string, from: string) =>
    new AppError("FEDERATION_MESSAGE_REFUSED", { reason: `no case ${caseId} handed over to ${from}` });

  /** A report about a linked step another node runs, at the coordinating node. */
  async function reportOfLinkedStep(trx: Db, message: InboundMessage) {
    const { caseId, competentNumber, fields, step } = reportOf(message);
    const linked = await trx
      .selectFrom("federated_joint_steps")
      .selectAll()
      .where("step_case_id", "=", caseId)
      .executeTakeFirst();
    if (!linked || linked.region_code.trim() !== message.from) throw notHandedOver(caseId, message.from);
    const newer = fields.seq > linked.last_seq;
    await onJointStep(
      trx,
      linked.joint_case_id,
      linked.position,
      newer ? { status: fields.status, number: competentNumber, seq: fields.seq } : { number: competentNumber },
      { ...step, region: message.from },
    );
  }

  // At the origin node: the competent node's reports. At a coordinating node: reports of a linked
  // step another node runs.
  federation.on("case.update", async (trx, message) => {
    const { caseId } = reportOf(message);
    const row = await findCase(trx, caseId, "origin");
    if (!row) return reportOfLinkedStep(trx, message);
    if (row.competent_region !== message.from) throw notHandedOver(caseId, message.from);
    const next = reported(row, message);
    if (next)
      await writeOriginCases(trx, [
        { ...next, id: row.id, timeline: next.timeline as FederatedCaseStep[], updated_at: clock.now() },
      ]);
  });

  // Several reports delivered together: the origin's cases read (locked) in one statement, the
  // reports applied to them in order in memory, and the cases written back in one statement.
  federation.onMany("case.update", async (trx, messages) => {
    const rows = await lockOriginCases(trx, [...new Set(messages.map(({ message }) => reportOf(message).caseId))]);
    const cases = new Map(rows.map((row) => [row.id, row]));
    const changed = new Map<string, OriginState>();
    const linkedSteps: InboundMessage[] = [];
    for (const { message } of messages) {
      const { caseId } = reportOf(message);
      const row = cases.get(caseId);
      if (!row) {
        linkedSteps.push(message);
        continue;
      }
      if (row.competent_region !== message.from) throw notHandedOver(caseId, message.from);
      const next = reported(changed.get(caseId) ?? row, message);
      if (next) changed.set(caseId, next);
    }
    const now = clock.now();
    await writeOriginCases(
      trx,
      [...changed].map(([id, next]) => ({
        ...next,
        id,
        timeline: next.timeline as FederatedCaseStep[],
        updated_at: now,
      })),
    );
    for (const message of linkedSteps) await reportOfLinkedStep(trx, message);
  });

  // At the origin node: the competent node refused the hand-over (its form check, a wrong applicant).
  // At a coordinating node: the step's node refused a linked step, which ends the joint case.
  federation.onRefused("case.handover", async (trx, message) => {
    const refused = await trx
      .updateTable("federated_cases")
      .set({ status: "refused", refusal: JSON.stringify({ error: message.error }), updated_at: clock.now() })
      .where("id", "=", String(message.subject))
      .where("role", "=", "origin")
      .executeTakeFirst();
    if (Number(refused.numUpdatedRows) > 0) return;
    const linked = await trx
      .selectFrom("federated_joint_steps")
      .select(["joint_case_id", "position"])
      .where("step_case_id", "=", String(message.subject))
      .executeTakeFirst();
    if (linked)
      await onJointStep(
        trx,
        linked.joint_case_id,
        linked.position,
        { status: "refused" },
        {
          seq: 0,
          type: "refused",
          status: "refused",
          step: null,
          at: clock.now().toISOString(),
          region: message.to,
          reason: message.error.slice(0, 500),
        },
      );
  });

  // At the competent node: the receiving window handed the result over (异地代收); the case is
  // delivered here too, so no window here delivers it again.
  federation.on("case.delivered", async (trx, message) => {
    const body = message.body as unknown as DeliveredBody;
    const row = await findCase(trx, String(body.caseId), "competent");
    if (!row || row.origin_region !== message.from || row.mode !== "remote_acceptance" || !row.application_id)
      throw new AppError("FEDERATION_MESSAGE_REFUSED", {
        reason: `no case ${body.caseId} received by ${message.from}`,
      });
    const at = new Date(body.at);
    const recorded = await applications.recordRemoteDelivery(trx, row.application_id, {
      region: message.from,
      officialName: String(body.officialName),
      departmentName: String(body.departmentName),
      at,
    });
    if (!recorded)
      throw new AppError("FEDERATION_MESSAGE_REFUSED", { reason: `case ${body.caseId} is not awaiting delivery here` });
    const step: FederatedCaseStep = {
      seq: row.last_seq + 1,
      type: "deliver",
      status: "delivered",
      step: null,
      at: at.toISOString(),
      region: message.from,
      regionName: regionName(message.from),
    };
    await trx
      .updateTable("federated_cases")
      .set({
        status: "delivered",
        timeline: JSON.stringify([...(row.timeline as FederatedCaseStep[]), step]),
        last_seq: step.seq,
        updated_at: clock.now(),
      })
      .where("id", "=", row.id)
      .where("role", "=", "competent")
      .execute();
  });

  /** A hand-over waiting to be committed with the others that arrive meanwhile. */
  interface PendingHandover {
    row: {
      id: string;
      mode: HandoverBody["mode"];
      applicantId: string | null;
      applicantIdentifier: string | null;
      peer: string;
      item: ServiceDetailType["item"];
      actorId: string;
      reception?: Reception;
      receivedBy?: string;
      receivingDepartmentId?: string | null;
    };
    body: Omit<HandoverBody, "caseId" | "number" | "mode" | "serviceName">;
    at: Date;
    /** Filled in by the transaction that commits it. */
    committed?: { row: NonNullable<CaseRow>; message: FederationMessage };
  }

  /**
   * Writes hand-overs in the caller's transaction: the origin's rows with their ledger entries in one
   * statement and their messages in one, whatever their number.
   */
  async function writeHandovers(trx: Db, pending: PendingHandover[]) {
    const numberOf = ({ row, at }: PendingHandover) =>
      `${self}-X${chinaDate(at).replaceAll("-", "")}-${row.id.slice(0, 8).toUpperCase()}`;
    const inserted = await insertOriginCases(
      trx,
      pending.map((p) => ({
        row: {
          id: p.row.id,
          mode: p.row.mode,
          number: numberOf(p),
          origin_region: self,
          competent_region: p.row.peer,
          service_code: p.body.serviceCode,
          service_name: p.row.item.name,
          applicant_id: p.row.applicantId,
          applicant_identifier: p.row.applicantIdentifier,
          received_by: p.row.receivedBy ?? null,
          receiving_department_id: p.row.receivingDepartmentId ?? null,
          reception: p.row.reception ?? null,
          at: p.at,
        },
        change: {
          type: "federation.case_handed_over",
          subject: p.row.id,
          actor: p.row.actorId,
          at: p.at,
          facts: {
            mode: p.row.mode,
            to: p.row.peer,
            service: p.body.serviceCode,
            ...(p.body.materials
              ? { materials: p.body.materials.map((m) => ({ code: m.code, sha256: m.sha256 })) }
              : {}),
          },
        },
      })),
    );
    // Queued now, after the cases' rows, as a single hand-over queued its message (the time a
    // message's acknowledgement is measured from).
    const queuedAt = clock.now();
    const messages = pending.map((p) => ({
      to: p.row.peer,
      type: "case.handover",
      subject: p.row.id,
      idempotencyKey: `${p.row.id}/handover`,
      body: {
        ...p.body,
        caseId: p.row.id,
        number: numberOf(p),
        mode: p.row.mode,
        serviceName: p.row.item.name,
      } satisfies HandoverBody as unknown as Record<string, unknown>,
      actor: p.row.actorId,
      at: queuedAt,
    }));
    const messageIds = await federation.sendMany(trx, messages);
    for (const [i, p] of pending.entries())
      p.committed = {
        row: inserted[i] as NonNullable<CaseRow>,
        message: {
          id: messageIds[i] as string,
          direction: "sent",
          peerRegion: p.row.peer,
          type: "case.handover",
          subject: p.row.id,
          status: "pending",
          attempts: 0,
          lastError: null,
          at: queuedAt.toISOString(),
          deliveredAt: null,
          ledgerIndex: null,
        },
      };
  }

  // Hand-overs requested at the same time are committed together (group commit): one transaction of
  // two statements for all that arrived while the previous one was being written; one that fails
  // its batch is written again alone, so it fails only its own request.
  const handovers = groupCommit((pending: PendingHandover[]) =>
    db.transaction().execute((trx) => writeHandovers(trx, pending)),
  );

  /**
   * Queues the hand-over and records the origin's row, in one transaction (全程网办, 联办, 代收) that
   * may hold other hand-overs requested meanwhile; answers the row as committed and its message.
   */
  async function queueHandover(row: PendingHandover["row"], body: PendingHandover["body"]) {
    const pending: PendingHandover = { row, body, at: clock.now() };
    await handovers.submit(pending);
    return pending.committed as NonNullable<PendingHandover["committed"]>;
  }

  return {
    /**
     * 全程网办 (and 多地联办 for an item with linked steps): a resident or enterprise applies from this
     * node for a service of another member. The jurisdiction rule of the service and the applicant's
     * data must make that member competent.
     */
    async handOver(actor: Actor, input: CreateFederatedCase): Promise<FederatedCase> {
      if (actor.kind === "staff")
        throw new AppError("FORBIDDEN", { reason: "residents and enterprises apply; window staff use 异地代收" });
      const { peer, detail } = await peerService(input.serviceCode);
      const item = detail.item;
      if (!(item.applicantKinds as string[]).includes(actor.kind))
        throw fieldError([
          {
            field: "serviceCode",
            reason: "WRONG_APPLICANT",
            message: `This service is for ${item.applicantKinds.join(" and ")} applicants`,
          },
        ]);
      const joint = item.joint && item.handlingModes.includes("joint") ? item.joint : undefined;
      if (!item.handlingModes.includes("online") && !joint)
        throw fieldError([
          {
            field: "serviceCode",
            reason: "NOT_ONLINE",
            message: "This service cannot be handled fully online (全程网办)",
          },
        ]);
      // The competent node checks the form again when the case arrives; checking it here first lets
      // the applicant correct it at once instead of learning of a refusal later.
      const issues = formIssues(input.serviceCode, peer.regionCode, detail, input.form);
      if (joint && !issues.some((i) => i.field === `form.${joint.sourceRegionField}`)) {
        const source = memberFor(String(input.form[joint.sourceRegionField] ?? ""));
        if (!source || source.regionCode === peer.regionCode)
          issues.push({
            field: `form.${joint.sourceRegionField}`,
            reason: "NOT_A_MEMBER",
            message: source
              ? `The other region cannot be ${peer.name} itself`
              : "No member of the federation serves this region: this joint service cannot be handled across it",
          });
      }
      if (issues.length > 0) throw fieldError(issues);
      // The caller's own account, as its session found it (the authentication cache: at most
      // AUTH_CACHE_SECONDS old, as for every authenticated request) — a read fewer per hand-over.
      const account = await accounts.findForSession(actor.accountId);
      if (!account) throw new AppError("UNAUTHENTICATED");
      const notCompetent = notCompetentReason(
        item.jurisdiction,
        peer.regionCode,
        {
          kind: actor.kind === "enterprise" ? "enterprise" : "resident",
          idNumber: account.id_number,
          creditCode: account.credit_code,
        },
        input.form,
      );
      if (notCompetent)
        throw fieldError([
          { field: "serviceCode", reason: "NOT_COMPETENT", message: `${peer.name} is not competent: ${notCompetent}` },
        ]);
      const id = ids.uuid();
      const { row, message } = await queueHandover(
        {
          id,
          mode: joint ? "joint" : "online",
          applicantId: actor.accountId,
          applicantIdentifier: account.username,
          peer: peer.regionCode,
          item,
          actorId: actor.accountId,
        },
        {
          serviceCode: input.serviceCode,
          applicant: {
            kind: actor.kind === "enterprise" ? "enterprise" : "resident",
            identifier: account.username,
            name: account.name,
            phone: account.phone,
          },
          form: input.form,
          channel: input.channel,
        },
      );
      // The applicant's own case and its message, as committed: no need to read them back.
      return view(row, actor, [message]);
    },

    /**
     * 异地代收代办: window staff here received the applicant in person for a service of another
     * member, checked identity and the form of the materials (both recorded), scanned the materials;
     * the case goes to the competent node with them, which decides. Every problem is named at once.
     */
    async receiveInPerson(actor: Actor, input: CreateRemoteCase): Promise<FederatedCase> {
      authorize(actor, "federation.receive", { regionCode: self });
      const { peer, detail } = await peerService(input.serviceCode);
      const item = detail.item;
      const issues: FieldIssue[] = [];
      if (!(item.applicantKinds as string[]).includes(input.applicant.kind))
        issues.push({
          field: "applicant.kind",
          reason: "WRONG_APPLICANT",
          message: `This service is for ${item.applicantKinds.join(" and ")} applicants`,
        });
      if (!item.handlingModes.includes("remote_acceptance"))
        issues.push({
          field: "serviceCode",
          reason: "NOT_REMOTE_ACCEPTANCE",
          message: `${peer.name} does not take this service through other regions' windows (异地代收代办)`,
        });
      const identifier =
        input.applicant.kind === "resident"
          ? checkIdNumber(input.applicant.identifier, clock.now())
          : checkCreditCode(input.applicant.identifier);
      if (!identifier.ok) issues.push({ field: "applicant.identifier", ...identifier.problem });
      issues.push(...formIssues(input.serviceCode, peer.regionCode, detail, input.form));
      const uploads = input.materials.map((m) => ({ ...m, bytes: Buffer.from(m.content, "base64") }));
      const checked = await materialIssues(item.materials, uploads, "materials");
      issues.push(...checked.issues);
      if (issues.length > 0) throw fieldError(issues);
      const identifierValue = identifier.ok ? identifier.value : input.applicant.identifier;
      const notCompetent = notCompetentReason(
        item.jurisdiction,
        peer.regionCode,
        {
          kind: input.applicant.kind,
          idNumber: input.applicant.kind === "resident" ? identifierValue : null,
          creditCode: input.applicant.kind === "enterprise" ? identifierValue : null,
        },
        input.form,
      );
      if (notCompetent)
        throw fieldError([
          { field: "serviceCode", reason: "NOT_COMPETENT", message: `${peer.name} is not competent: ${notCompetent}` },
        ]);
      const official = await accounts.findById(actor.accountId);
      if (!official) throw new AppError("UNAUTHENTICATED");
      const department = await db
        .selectFrom("departments")
        .select(["name"])
        .where("id", "=", actor.departmentId as string)
        .executeTakeFirst();
      // The person received may hold an account here: it follows the case.
      const holder = await db
        .selectFrom("accounts")
        .select(["id", "kind"])
        .where("username", "=", identifierValue)
        .executeTakeFirst();
      const carried: CarriedMaterial[] = [];
      for (const upload of uploads) {
        const sha256 = await files.put(upload.bytes);
        carried.push({ code: upload.code, fileName: upload.fileName, sha256, content: upload.content });
      }
      const reception: Reception = {
        officialName: official.name,
        departmentName: department?.name ?? "",
        regionCode: self,
        identityCheck: input.identityCheck,
        materials: uploads.map((u, i) => ({
          code: u.code,
          name: item.materials.find((m) => m.code === u.code)?.name ?? u.code,
          fileName: u.fileName,
          sha256: carried[i]?.sha256 as string,
          size: u.bytes.length,
          originalSeen: u.originalSeen,
        })),
        note: input.note,
        at: clock.now().toISOString(),
      };
      const id = ids.uuid();
      await queueHandover(
        {
          id,
          mode: "remote_acceptance",
          applicantId: holder && holder.kind === input.applicant.kind ? holder.id : null,
          applicantIdentifier: identifierValue,
          peer: peer.regionCode,
          item,
          actorId: actor.accountId,
          reception,
          receivedBy: actor.accountId,
          receivingDepartmentId: actor.departmentId,
        },
        {
          serviceCode: input.serviceCode,
          applicant: { ...input.applicant, identifier: identifierValue },
          form: input.form,
          channel: "window",
          materials: carried,
          reception,
        },
      );
      return this.get(actor, id);
    },

    /**
     * 异地代收代办: the receiving window hands the competent node's result to the applicant (after
     * checking who collects it) and the competent node hears that it is delivered.
     */
    async deliver(actor: Actor, id: string, input: DeliverFederatedCase): Promise<FederatedCase> {
      const found = await findCase(db, id, "origin");
      if (found?.mode !== "remote_acceptance") throw new AppError("APPLICATION_NOT_FOUND", { id });
      authorize(actor, "federation.deliver", { regionCode: self, departmentId: found.receiving_department_id });
      const official = await accounts.findById(actor.accountId);
      const department = await db
        .selectFrom("departments")
        .select(["name"])
        .where("id", "=", actor.departmentId as string)
        .executeTakeFirst();
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        const row = await trx
          .selectFrom("federated_cases")
          .selectAll()
          .where("id", "=", id)
          .where("role", "=", "origin")
          .forUpdate()
          .executeTakeFirstOrThrow();
        if (row.delivery || !DELIVERABLE.includes(row.status))
          throw new AppError("ACTION_NOT_ALLOWED", {
            status: row.status,
            action: "deliver",
            reason: row.delivery
              ? "the result was delivered already"
              : `${regionName(row.competent_region)} has not decided the case yet`,
          });
        const delivery: Delivery = {
          officialName: official?.name ?? "",
          departmentName: department?.name ?? "",
          recipientCheck: input.recipientCheck,
          note: input.note,
          at: now.toISOString(),
        };
        const timeline = row.timeline as FederatedCaseStep[];
        const entry: FederatedCaseStep = {
          seq: timeline.filter((s) => s.local).length + 1,
          type: "deliver",
          status: "delivered",
          step: null,
          at: now.toISOString(),
          region: self,
          regionName: regionName(self),
          local: true,
        };
        await trx
          .updateTable("federated_cases")
          .set({
            status: "delivered",
            delivery: JSON.stringify(delivery),
            timeline: JSON.stringify([...timeline, entry]),
            updated_at: now,
          })
          .where("id", "=", id)
          .where("role", "=", "origin")
          .execute();
        await recordChange(trx, {
          type: "federation.case_delivered",
          subject: id,
          actor: actor.accountId,
          at: now,
          facts: { decided: row.status, by: row.competent_region, recipientCheck: input.recipientCheck },
        });
        const body: DeliveredBody = {
          caseId: id,
          officialName: delivery.officialName,
          departmentName: delivery.departmentName,
          at: delivery.at,
        };
        await federation.send(trx, {
          to: row.competent_region,
          type: "case.delivered",
          subject: id,
          idempotencyKey: `${id}/delivered`,
          body: body as unknown as Record<string, unknown>,
          actor: actor.accountId,
        });
      });
      return this.get(actor, id);
    },

    /**
     * The other members' services that can be applied for from this node: fully online (全程网办)
     * and joint (多地联办), or for a window those taken through other regions' windows (异地代收代办);
     * each with the region that decides it; members that did not answer are named.
     */
    async services(query: FederatedServiceQuery): Promise<FederatedServices> {
      const peers = federation.activeMembers().filter((m) => m.regionCode !== self);
      const answers = await Promise.all(
        peers.map(async (peer) => ({ peer, services: await peerServices(peer, query.q) })),
      );
      const offered = (modes: readonly string[]) =>
        query.mode === "remote_acceptance"
          ? modes.includes("remote_acceptance")
          : modes.includes("online") || modes.includes("joint");
      return {
        services: answers.flatMap(({ peer, services }) =>
          (services ?? [])
            .filter((s) => s.regionCode === peer.regionCode && offered(s.handlingModes))
            .map((s) => ({ ...s, regionName: peer.name })),
        ),
        unavailable: answers
          .filter((a) => !a.services)
          .map(({ peer }) => ({ regionCode: peer.regionCode, name: peer.name })),
      };
    },

    /** One service of another member, as its catalogue publishes it (for the guide and the form). */
    async service(code: string): Promise<FederatedServiceDetail> {
      const { peer, detail } = await peerService(code);
      return { ...detail, regionCode: peer.regionCode, regionName: peer.name };
    },

    /**
     * The caller's cross-province cases at this node (as origin), newest first: a resident's or
     * enterprise's own (also those a window received for them); for window staff, those their
     * department received in person (异地代收).
     */
    async mine(actor: Actor): Promise<FederatedCase[]> {
      let query = db.selectFrom("federated_cases").selectAll().where("role", "=", "origin");
      if (actor.kind === "staff") {
        authorize(actor, "federation.deliver", { regionCode: self, departmentId: actor.departmentId });
        query = query.where("receiving_department_id", "=", actor.departmentId as string);
      } else {
        const account = await accounts.findById(actor.accountId);
        query = db
          .selectFrom("federated_cases")
          .selectAll()
          .where((eb) =>
            eb.or([
              eb.and([
                eb("role", "=", "origin"),
                eb.or([
                  eb("applicant_id", "=", actor.accountId),
                  eb.and([eb("applicant_id", "is", null), eb("applicant_identifier", "=", account?.username ?? "-")]),
                ]),
              ]),
              // A joint case applied for here and coordinated here.
              eb.and([
                eb("role", "=", "competent"),
                eb("origin_region", "=", self),
                eb("applicant_id", "=", actor.accountId),
              ]),
            ]),
          );
      }
      const rows = await query.orderBy("updated_at", "desc").limit(100).execute();
      return Promise.all(rows.map((row) => view(row, actor)));
    },

    /**
     * One cross-province case: the applicant sees theirs at the origin; the receiving window's
     * department too (异地代收); at the competent node whoever may read the application; the node's
     * administrators and security officers either.
     */
    async get(actor: Actor, id: string): Promise<FederatedCase> {
      const rows = await db.selectFrom("federated_cases").selectAll().where("id", "=", id).execute();
      for (const row of rows) {
        if (row.role === "competent" && row.origin_region.trim() === self && actor.kind !== "staff")
          if (row.applicant_id === actor.accountId) return view(row, actor);
        if (row.role === "origin" && actor.kind !== "staff") {
          if (row.applicant_id === actor.accountId) return view(row, actor);
          if (row.applicant_id === null && row.applicant_identifier) {
            const account = await accounts.findById(actor.accountId);
            if (account?.username === row.applicant_identifier) return view(row, actor);
          }
        }
        if (
          row.role === "origin" &&
          row.receiving_department_id &&
          decide(actor, "federation.deliver", { regionCode: self, departmentId: row.receiving_department_id }).allowed
        )
          return view(row, actor);
        if (row.role === "competent" && row.application_id) {
          try {
            await applications.get(actor, row.application_id);
            return view(row, actor);
          } catch {
            // not this reader's; try the administrators' rule below
          }
        }
        if (actor.kind === "staff" && decide(actor, "federation.read", { regionCode: self }).allowed)
          return view(row, actor);
      }
      throw new AppError("APPLICATION_NOT_FOUND", { id });
    },
  };
}
export type FederatedCasesService = ReturnType<typeof createFederatedCasesService>;
