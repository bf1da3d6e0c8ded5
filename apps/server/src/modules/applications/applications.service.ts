import { createHash, randomUUID } from "node:crypto";
import type {
  ActionRequest,
  ActionType,
  Application,
  ApplicationListItem,
  ApplicationQuery,
  ApplicationStatus,
  ApplicationSummary,
  Channel,
  CreateApplication,
  DataMaterialSource,
  FetchDataMaterial,
  FieldIssue,
  StaffRole,
  SupplementItem,
} from "@tongban/contracts";
import { fileTypeFromBuffer } from "file-type";
import { type Insertable, sql } from "kysely";
import type { Database, Db, NotifyChannel } from "../../db/database.ts";
import type { MessageOutboxTable, NotificationsTable } from "../../db/schema.ts";
import { AppError, fieldError } from "../../http/errors.ts";
import { canonicalJson } from "../../lib/canonical-json.ts";
import { groupCommitEach, type Settled } from "../../lib/group-commit.ts";
import { type Actor, decide } from "../../policy/policy.ts";
import type { FileStore } from "../../ports/files.ts";
import type { Clock, Ids } from "../../ports/index.ts";
import type { OutgoingMessage } from "../../ports/messaging.ts";
import { addWorkingDays, chinaDate } from "../../reference/calendar.ts";
import type { CatalogService, ServiceVersion } from "../catalog/catalog.service.ts";
import type { CertificatesService } from "../certificates/certificates.service.ts";
import { type ExchangeService, resourceCodeFor } from "../exchange/exchange.service.ts";
import type { IntegratedChange, IntegrationListener } from "../ledger/ledger.service.ts";
import { recordChange } from "../ledger/outbox.ts";
import type { NotificationsService } from "../notifications/notifications.service.ts";
import type { PaymentsService } from "../payments/payments.service.ts";
import type { SignaturesService } from "../signatures/signatures.service.ts";
import { type ApplicationRow, applicationsRepository as repo } from "./applications.repository.ts";
import { createCaseCache } from "./case-cache.ts";
import { deadlineOf, WARNING_SHARE } from "./deadline.ts";
import { type HandedOverRow, handoversRepository as handovers } from "./handovers.repository.ts";
import {
  allowedActions,
  applicantActions,
  apply,
  type DerivedState,
  derive,
  fitsStep,
  holderRole,
  initialState,
  type LoggedAction,
  roleForAction,
} from "./workflow.ts";

type ItemOf = ServiceVersion["item"];
type Full = NonNullable<Awaited<ReturnType<typeof repo.findWithTimeline>>>;
type ActionRow = Full["actions"][number];
type MaterialRow = Full["materials"][number];
type DataMaterialRow = Full["dataMaterials"][number];

/** The applicant's identifiers, from their account: their consent covers data keyed by these only. */
export interface ApplicantIdentifiers {
  idNumber: string | null;
  creditCode: string | null;
}

/** A case handed over by another node, as the receiving node files it. */
export interface HandoverInput {
  id: string;
  applicantId: string;
  applicantKind: "resident" | "enterprise";
  form: Record<string, unknown>;
  channel: Channel;
  idempotencyKey: string;
  /** Files the sending node received with the case (异地代收), already in the file store. */
  materials?: { code: string; fileName: string; sha256: string; contentType: string; size: number }[];
  /** What the submit action records besides `handedOver` (the mode, the receiving window's checks). */
  payload?: Record<string, unknown>;
}

/** The ledger's record of a handed-over case's submission, its first action. */
function handedOverSubmission(
  input: Pick<HandoverInput, "id" | "applicantId">,
  status: ApplicationStatus,
  payload: Record<string, unknown>,
  at: Date,
) {
  return {
    type: "application.submit",
    subject: input.id,
    actor: input.applicantId,
    at,
    facts: {
      seq: 1,
      status,
      role: "applicant",
      payloadHash: createHash("sha256").update(canonicalJson(payload)).digest("hex"),
    },
  };
}

/** What an action listener is told, inside the action's transaction. */
export type ActionListener = (
  trx: Db,
  action: {
    applicationId: string;
    number: string;
    seq: number;
    type: ActionType;
    status: ApplicationStatus;
    step: string | null;
    actorRole: string;
    at: Date;
    payload: Record<string, unknown>;
  },
) => Promise<void>;

export interface ActionContext {
  idempotencyKey: string;
  channel: Channel;
  place: string | null;
  /**
   * The acting account's name, when the caller has it (the session's account): the answer is then
   * the case as this action left it, worked out from what the transaction read and wrote, instead
   * of a second read of the case while its lock is held.
   */
  actorName?: string;
}

/** A file name safe to store and send back: no path separators, no control characters. */
function safeFileName(name: string): string {
  return [...name]
    .map((c) => (c.charCodeAt(0) < 32 || c === "/" || c === "\\" ? "_" : c))
    .join("")
    .slice(0, 200);
}

const EDITABLE: readonly ApplicationStatus[] = ["draft", "awaiting_supplement"];

function toLogged(row: ActionRow): LoggedAction {
  return { type: row.type as ActionType, date: chinaDate(row.at), actorId: row.actor_id, payload: row.payload };
}

/** The notice the applicant gets for an action, or none. */
function noticeFor(
  type: ActionType,
  item: ItemOf,
  number: string,
  state: DerivedState,
  payload: Record<string, unknown>,
  dueOn: string | null,
) {
  const about = `您申请的「${item.name}」（办件编号 ${number}）`;
  switch (type) {
    case "submit":
      return { title: "申请已提交", body: `${about}已提交，等待受理。` };
    case "accept":
      return {
        title: "申请已受理",
        body: `${about}已受理，承诺 ${item.committedLimitDays} 个工作日内办结${dueOn ? `（${dueOn} 前）` : ""}。`,
      };
    case "refuse_acceptance":
      return {
        title: "申请不予受理",
        body: `${about}不予受理。理由：${payload.reason}；依据：${payload.legalBasis}。`,
      };
    case "request_supplement": {
      const items = (payload.items as SupplementItem[]).map((i, n) => `${n + 1}. ${i.problem}`).join("；");
      return { title: "请一次性补正材料", body: `${about}需要补正：${items}` };
    }
    case "complete_step":
      return {
        title: "办件进入下一环节",
        body: `${about}已完成审核，进入${item.workflow.steps[state.stepIndex]?.name ?? "下一环节"}。`,
      };
    case "approve":
      return { title: "申请已获准予", body: `${about}已审批通过，结果：${item.result.name}。` };
    case "reject":
      return {
        title: "申请未获准予",
        body: `${about}未获准予。理由：${payload.reason}；依据：${payload.legalBasis}。`,
      };
    case "deliver":
      return { title: "办理结果已送达", body: `${about}的办理结果已送达，欢迎对本次服务进行评价。` };
    case "withdraw":
      return { title: "申请已撤回", body: `${about}已撤回。` };
    case "suspend":
      return { title: "办件中止（特别程序）", body: `${about}进入特别程序，办理时限暂停计算。原因：${payload.reason}` };
    case "resume":
      return { title: "办件恢复办理", body: `${about}已恢复办理，时限继续计算。` };
    default:
      return undefined;
  }
}

/** A second answer kept for one (account, Idempotency-Key): a unique violation of its primary key. */
function isKeptAnswerConflict(error: unknown): boolean {
  const e = error as { code?: string; constraint?: string } | null;
  return e?.code === "23505" && (e.constraint?.startsWith("idempotent_answers") ?? false);
}

/** The ledger types of the changes that are actions on a case (`application.<action>`). */
const ACTION_CHANGES = new Set(
  Object.values(allowedActions)
    .flat()
    .map((type) => `application.${type}`),
);

/** Where a process announces a change to a case (its id) to the others sharing the database. */
const CASES_CHANNEL = "tongban_cases";

/** The ledger indices a batch gave cases' actions: case id → outbox row → index. */
export function actionIndices(changes: readonly IntegratedChange[]): Map<string, Map<number, number>> {
  const byCase = new Map<string, Map<number, number>>();
  for (const c of changes) {
    if (!ACTION_CHANGES.has(c.type)) continue;
    const indices = byCase.get(c.subject) ?? new Map<number, number>();
    indices.set(c.outboxId, c.index);
    byCase.set(c.subject, indices);
  }
  return byCase;
}

/** A NOTIFY's payload must stay under 8,000 bytes. */
const NOTICE_BYTES = 7_000;

/**
 * Notices of new ledger indices, `<process>|@<case>=<outbox>:<index>;…,<case>=…`, as many as the
 * payload's bound asks for (ids and numbers are ASCII: a character a byte). A case with more indices
 * than one notice holds is named in a plain notice instead: the others forget it.
 */
export function indexedNotices(from: string, indexed: Map<string, Map<number, number>>): string[] {
  const notices: string[] = [];
  let entries: string[] = [];
  let length = 0;
  for (const [id, indices] of indexed) {
    const entry = `${id}=${[...indices].map(([outbox, index]) => `${outbox}:${index}`).join(";")}`;
    if (entry.length > NOTICE_BYTES) {
      notices.push(`${from}|${id}`);
      continue;
    }
    if (entries.length > 0 && length + entry.length + 1 > NOTICE_BYTES) {
      notices.push(`${from}|@${entries.join(",")}`);
      entries = [];
      length = 0;
    }
    entries.push(entry);
    length += entry.length + 1;
  }
  if (entries.length > 0) notices.push(`${from}|@${entries.join(",")}`);
  return notices;
}

/** The cases and indices of one notice's list (after `<process>|`). */
export function readIndexedNotice(list: string): Map<string, Map<number, number>> {
  const indexed = new Map<string, Map<number, number>>();
  for (const entry of list.slice(1).split(",")) {
    const [id, pairs] = entry.split("=");
    if (!id || !pairs) continue;
    indexed.set(id, new Map(pairs.split(";").map((pair) => pair.split(":").map(Number) as [number, number])));
  }
  return indexed;
}

export function createApplicationsService(deps: {
  db: Db;
  clock: Clock;
  ids: Ids;
  files: FileStore;
  catalog: CatalogService;
  notifications: NotificationsService;
  signatures: SignaturesService;
  /** Issues the e-certificate of an approved case whose service has one (电子证照). */
  certificates?: Pick<CertificatesService, "issueForApproval">;
  /** Fees (缴费): assessed at acceptance, and approval waits until they are paid. */
  fees?: Pick<PaymentsService, "assessOnAcceptance" | "assertPaid">;
  /** The exchange gateway, for materials fetched from shared data (材料免提交). */
  exchange: Pick<ExchangeService, "queryForApplication" | "describeForApplication">;
  /** How long a process may answer a case read from memory (CASE_CACHE_SECONDS); 0: never. */
  caseCacheMs?: number;
  /** PostgreSQL's LISTEN/NOTIFY, when several server processes share the database (absent on PGlite). */
  listen?: Database["listen"];
}) {
  const { db, clock, ids, files, catalog, notifications, signatures, exchange } = deps;
  type Full = Awaited<ReturnType<typeof loadFull>>;
  // Case reads answered from memory (case-cache.ts). A case whose steps are not all on the ledger yet
  // is kept too: the batch that gives them their index forgets it (`ledgerListener`, in every process).
  // Not kept: a case handed over by another node, whose delivery is recorded in the federation's own
  // transaction, and one with a fetched material not on the ledger yet (that change names the access,
  // not the case).
  const cases = createCaseCache<Full>({
    ttlMs: deps.caseCacheMs ?? 0,
    keep: ({ actions, dataMaterials }) =>
      actions.every((a) => !(a.payload as { handedOver?: boolean })?.handedOver) &&
      dataMaterials.every((d) => d.ledger_idx !== null && d.ledger_idx !== undefined),
  });
  /** The cases among the changes a ledger batch integrates (their subject is the case). */
  const casesIn = (changes: IntegratedChange[]) => [
    ...new Set(changes.filter((c) => c.type.startsWith("application.")).map((c) => c.subject)),
  ];
  const caseReads = { memory: 0, database: 0 };
  // Actions committed, and the transactions they took (several share one under load).
  const caseActions = { actions: 0, transactions: 0 };
  /** Names this process in its notices to the others. */
  const processTag = randomUUID();
  // Other processes' changes arrive over NOTIFY; while that channel is down, nothing is kept.
  let channel: NotifyChannel | undefined;
  let listening: Promise<unknown> = Promise.resolve();
  if (deps.listen) {
    cases.enable(false);
    listening = deps
      .listen(
        CASES_CHANNEL,
        (payload) => {
          // "<process>|<case id>,<case id>…": a process's own changes are already known to it (and
          // it may have kept what an action left, which its own notice must not forget).
          // "<process>|@<case id>=<outbox id>:<index>;…,…": only ledger indices given to these cases'
          // actions, which a kept copy takes in (see `indexedNotices`).
          const [from, list] = payload?.includes("|") ? payload.split("|") : [undefined, payload];
          if (from === processTag) return;
          if (list?.startsWith("@")) for (const [id, indices] of readIndexedNotice(list)) reviseIndices(id, indices);
          else if (list) for (const id of list.split(",")) cases.changed(id);
          else cases.clear();
          cases.enable(true);
        },
        () => cases.enable(false),
      )
      .then((opened) => {
        channel = opened;
        cases.enable(true);
      })
      .catch(() => cases.enable(false));
  }
  /** Tells the other processes, at the commit of `trx`, that these cases changed (PostgreSQL). */
  async function notifyCases(trx: Db, ids: readonly string[]) {
    // A NOTIFY's payload holds under 8,000 bytes: a hundred ids at most in each.
    for (let i = 0; deps.listen && i < ids.length; i += 100)
      await sql`select pg_notify(${CASES_CHANNEL}, ${`${processTag}|${ids.slice(i, i + 100).join(",")}`})`.execute(trx);
  }
  /**
   * Tells the other processes, at the commit of `trx`, the ledger indices a batch gave cases' actions
   * (PostgreSQL): each takes them into the copy it keeps instead of forgetting it and reading the
   * case again. As many notices as the payload's bound asks for.
   */
  async function notifyIndexed(trx: Db, changes: IntegratedChange[]) {
    if (!deps.listen) return;
    for (const payload of indexedNotices(processTag, actionIndices(changes)))
      await sql`select pg_notify(${CASES_CHANNEL}, ${payload})`.execute(trx);
  }
  /** A kept case takes in its actions' new indices (a new copy, so what readers see alike is made
   * again); one missing an integrated action (a change this process has not heard of) is forgotten. */
  function reviseIndices(id: string, indices: Map<number, number>) {
    cases.revise(id, (full) => {
      const kept = new Set(full.actions.map((a) => Number(a.outbox_id)));
      for (const outboxId of indices.keys()) if (!kept.has(outboxId)) return undefined;
      return {
        ...full,
        actions: full.actions.map((a) =>
          a.outbox_id !== null && indices.has(Number(a.outbox_id))
            ? { ...a, ledger_idx: indices.get(Number(a.outbox_id)) as number }
            : a,
        ),
      };
    });
  }
  /**
   * Runs a change to case `id` in a transaction: this process's copy is forgotten and not refilled
   * until it is over, and the other processes are told at its commit.
   */
  function changeCase<R>(id: string, write: (trx: Db) => Promise<R>): Promise<R> {
    return changeCases([id], write);
  }
  /** `changeCase` for several cases in one transaction (a batch of actions); one NOTIFY names them all. */
  async function changeCases<R>(ids: readonly string[], write: (trx: Db) => Promise<R>): Promise<R> {
    for (const id of ids) cases.begin(id);
    try {
      return await db.transaction().execute(async (trx) => {
        const result = await write(trx);
        await notifyCases(trx, ids);
        return result;
      });
    } finally {
      for (const id of ids) cases.end(id);
    }
  }
  // Told of every action inside its transaction (the federation returns a handed-over case's
  // progress to the node it came from in the same commit).
  const actionListeners: ActionListener[] = [];

  /** A new draft under `version` with its ledger entry, in the caller's transaction; answers its number. */
  async function insertDraft(
    trx: Db,
    version: ServiceVersion,
    draft: {
      id: string;
      applicantId: string;
      form: Record<string, unknown>;
      channel: Channel;
      now: Date;
      handedOver?: boolean;
    },
  ): Promise<string> {
    const sequence = await repo.nextNumber(trx);
    const number = `${version.regionCode}-${chinaDate(draft.now).replaceAll("-", "")}-${String(sequence).padStart(6, "0")}`;
    await repo.insert(trx, {
      id: draft.id,
      number,
      service_code: version.code,
      service_version_id: version.id,
      applicant_id: draft.applicantId,
      region_code: version.regionCode,
      department_id: version.departmentId,
      classification: version.item.classification,
      form: JSON.stringify(draft.form),
      status: "draft",
      channel: draft.channel,
      created_at: draft.now,
      updated_at: draft.now,
    });
    await recordChange(trx, {
      type: "application.created",
      subject: draft.id,
      actor: draft.applicantId,
      at: draft.now,
      facts: { service: version.code, version: version.version, ...(draft.handedOver ? { handedOver: true } : {}) },
    });
    return number;
  }

  async function load(id: string): Promise<ApplicationRow> {
    const row = await repo.find(db, id);
    if (!row) throw new AppError("APPLICATION_NOT_FOUND", { id });
    return row;
  }

  const resourceOf = (row: ApplicationRow) => ({
    ownerId: row.applicant_id,
    departmentId: row.department_id,
    regionCode: row.region_code,
    classification: row.classification as "public" | "internal" | "secret" | "confidential",
  });

  function assertCanRead(actor: Actor, row: ApplicationRow) {
    // A case that is not the caller's answers "not found", so case ids reveal nothing.
    const decision = decide(actor, "case.read", resourceOf(row));
    if (!decision.allowed) throw new AppError("APPLICATION_NOT_FOUND", { id: row.id });
  }

  /** The role with which a staff member may take `type` now, or the reason why not. */
  function staffRole(
    actor: Actor,
    row: ApplicationRow,
    type: ActionType,
    state: DerivedState,
    item: ItemOf,
  ): { role: StaffRole } | { reason: string } {
    if (type === "note") {
      const d = decide(actor, "case.read", resourceOf(row));
      return d.allowed ? { role: actor.roles[0] ?? "handling" } : { reason: d.reason };
    }
    const role = roleForAction(type, state, item.workflow.steps);
    if (!role) return { reason: "no role acts in this state" };
    const d = decide(actor, "case.act", resourceOf(row), role);
    return d.allowed ? { role } : { reason: d.reason };
  }

  function permittedActions(actor: Actor, row: ApplicationRow, state: DerivedState, item: ItemOf): ActionType[] {
    const candidates: readonly ActionType[] = allowedActions[state.status];
    return candidates.filter((type) => {
      if (!fitsStep(type, state, item.workflow.steps)) return false;
      if (applicantActions.includes(type)) return actor.kind !== "staff" && actor.accountId === row.applicant_id;
      if (actor.kind !== "staff") return false;
      if (type === "claim" && state.claimedBy === actor.accountId) return false;
      return "role" in staffRole(actor, row, type, state, item);
    });
  }

  /** The application as `actor` sees it; `conn` is the transaction when called inside one. */
  async function loadFull(id: string, conn: Db = db, options: { lock?: boolean } = {}) {
    const full = await repo.findWithTimeline(conn, id, options);
    if (!full) throw new AppError("APPLICATION_NOT_FOUND", { id });
    return { ...full, item: await itemOf(full.row, conn) };
  }

  /** The service item a case was filed under (versions never change; the catalogue caches them). */
  async function itemOf(row: ApplicationRow, conn: Db = db): Promise<ItemOf> {
    return (await catalog.versionById(row.service_version_id, conn)).item;
  }

  /**
   * What every reader of one loaded case sees alike — its derived state and its materials and log as
   * the API writes them — worked out once per loaded case (a case kept in memory is read many times).
   */
  const shared = new WeakMap<object, ReturnType<typeof sharedView>>();
  function sharedView({
    row,
    actions: actionRows,
    materials: materialRows,
    dataMaterials: dataRows,
    item,
  }: Awaited<ReturnType<typeof loadFull>>) {
    const state = derive(actionRows.map(toLogged), item.workflow.steps);
    const actions = actionRows.map((a) => ({
      seq: a.seq,
      type: a.type as ActionType,
      actorName: a.actor_name,
      actorRole: a.actor_role,
      channel: a.channel,
      at: a.at.toISOString(),
      payload: a.payload,
      ledgerIndex: a.ledger_idx === null || a.ledger_idx === undefined ? null : Number(a.ledger_idx),
    }));
    return {
      state,
      fields: {
        serviceVersion: row.service_version,
        applicantId: row.applicant_id,
        regionCode: row.region_code,
        departmentId: row.department_id,
        form: row.form,
        firstContactName: row.first_contact_name,
        openSupplement: state.openSupplement,
        materials: materialRows.map((m) => ({
          id: m.id,
          materialCode: m.material_code,
          fileName: m.file_name,
          contentType: m.content_type,
          size: m.size,
          sha256: m.file_sha256,
          uploadedAt: m.uploaded_at.toISOString(),
        })),
        dataMaterials: dataRows.map((d) => ({
          id: d.id,
          materialCode: d.material_code,
          resource: d.resource_code,
          resourceName: d.resource_name,
          providerDepartmentName: d.provider_department_name,
          accessId: d.access_id,
          ledgerIndex: d.ledger_idx === null || d.ledger_idx === undefined ? null : Number(d.ledger_idx),
          fields: d.fields,
          records: d.records,
          consentAt: d.consent_at.toISOString(),
          fetchedAt: d.fetched_at.toISOString(),
        })),
        materialsSpared: new Set(dataRows.map((d) => d.material_code)).size,
      },
      actions,
      // Internal notes are for staff; the applicant sees every other action.
      publicActions: actions.filter((a) => a.type !== "note"),
      createdAt: row.created_at.toISOString(),
      submittedAt: row.submitted_at ? row.submitted_at.toISOString() : null,
    };
  }

  /**
   * The applicant's own view of a loaded case, for the day it was made (the deadline counts days): a
   * resident watching their case reads the same answer again until the case changes, and a case kept
   * in memory after an action is the object the action's answer was made from. A changed case is a
   * new object, so nothing here outlives what it was made from.
   */
  const applicantViews = new WeakMap<object, { day: string; view: Application }>();

  /** The application as `actor` sees it, from the case, its action log and its materials. */
  function view(actor: Actor, full: Awaited<ReturnType<typeof loadFull>>): Application {
    const own = actor.kind !== "staff" && actor.accountId === full.row.applicant_id;
    const day = chinaDate(clock.now());
    if (own) {
      const made = applicantViews.get(full);
      if (made?.day === day) return made.view;
    }
    const made = freshView(actor, full, day);
    if (own) applicantViews.set(full, { day, view: made });
    return made;
  }

  function freshView(actor: Actor, full: Awaited<ReturnType<typeof loadFull>>, day: string): Application {
    let common = shared.get(full);
    if (!common) {
      common = sharedView(full);
      shared.set(full, common);
    }
    const { row, item } = full;
    const { state } = common;
    return {
      ...summary(row, item, state, day),
      ...common.fields,
      actions: actor.kind === "staff" ? common.actions : common.publicActions,
      allowedActions: permittedActions(actor, row, state, item),
      createdAt: common.createdAt,
      submittedAt: common.submittedAt,
    };
  }

  function summary(
    row: ApplicationRow,
    item: ItemOf,
    state?: DerivedState,
    day = chinaDate(clock.now()),
  ): ApplicationSummary {
    const derived: DerivedState = state ?? {
      status: row.status as ApplicationStatus,
      stepIndex: row.step_index,
      acceptedOn: row.accepted_on,
      pausedSince: row.paused_since,
      pausedDays: row.paused_days,
      firstContactId: row.first_contact_id,
      claimedBy: row.claimed_by,
      openSupplement: null,
    };
    const steps = item.workflow.steps;
    const inProgress = derived.status === "under_review" || derived.status === "suspended";
    return {
      id: row.id,
      number: row.number,
      serviceCode: row.service_code,
      serviceName: item.name,
      applicantName: row.applicant_name,
      departmentName: row.department_name,
      status: derived.status,
      currentStep:
        derived.status === "submitted"
          ? (steps[0]?.name ?? null)
          : inProgress
            ? (steps[derived.stepIndex]?.name ?? null)
            : null,
      holderRole: holderRole(derived, steps),
      claimedByName: row.claimed_by_name,
      deadline: deadlineOf(derived, item.committedLimitDays, day),
      updatedAt: row.updated_at.toISOString(),
    };
  }

  /** What a submission lacks: each form field and each required upload, at once. */
  function submissionProblems(
    row: ApplicationRow,
    item: ItemOf,
    version: ServiceVersion,
    materials: MaterialRow[],
  ): FieldIssue[] {
    const issues = catalog
      .formCheck(version)(row.form)
      .map((issue) => ({ ...issue, field: `form.${issue.field}` }));
    const uploaded = new Set(materials.map((m) => m.material_code));
    for (const material of item.materials) {
      if (material.required && material.source === "upload" && !uploaded.has(material.code)) {
        issues.push({ field: `materials.${material.code}`, reason: "REQUIRED", message: `Upload ${material.name}` });
      }
    }
    return issues;
  }

  /** Checks an action against the case as it is (its current materials included); throws what is wrong. */
  function checkAction(
    row: ApplicationRow,
    version: ServiceVersion,
    request: ActionRequest,
    actions: ActionRow[],
    materials: MaterialRow[],
    dataMaterials: DataMaterialRow[],
  ) {
    const item = version.item;
    if (request.type === "submit") {
      const problems = submissionProblems(row, item, version, materials);
      if (problems.length > 0) throw fieldError(problems);
    }
    if (request.type === "request_supplement") {
      const targets = new Set([
        ...item.materials.map((m) => m.code),
        ...Object.keys(item.form.schema.properties).map((f) => `form.${f}`),
      ]);
      const bad = request.items.map((i, n) => ({ i, n })).filter(({ i }) => !targets.has(i.target));
      if (bad.length > 0) {
        throw fieldError(
          bad.map(({ i, n }) => ({
            field: `items.${n}.target`,
            reason: "NOT_FOUND",
            message: `${i.target} is neither a material nor a form field of this service`,
          })),
        );
      }
    }
    if (request.type === "supplement") {
      const asked = [...actions].reverse().find((a) => a.type === "request_supplement");
      const items = (asked?.payload.items as SupplementItem[] | undefined) ?? [];
      const since = asked?.at ?? new Date(0);
      // A material fetched again from shared data after the request counts like a new upload.
      const fresh = new Set([
        ...materials.filter((m) => m.uploaded_at > since).map((m) => m.material_code),
        ...dataMaterials.filter((d) => d.fetched_at > since).map((d) => d.material_code),
      ]);
      const missing = items.filter((i) => !i.target.startsWith("form.") && !fresh.has(i.target));
      const formIssues = catalog
        .formCheck(version)(row.form)
        .map((issue) => ({ ...issue, field: `form.${issue.field}` }));
      const problems: FieldIssue[] = [
        ...missing.map((i) => ({
          field: `materials.${i.target}`,
          reason: "NOT_SUPPLEMENTED",
          message: `Upload a new ${i.target}: ${i.problem}`,
        })),
        ...formIssues,
      ];
      if (problems.length > 0) throw fieldError(problems);
    }
  }

  /**
   * What keeps a case handed over by another node from being filed: an applicant of the wrong kind, the
   * form's problems, required uploads it did not bring (all at once, field by field).
   */
  function assertHandoverComplete(
    version: ServiceVersion,
    input: Pick<HandoverInput, "applicantKind" | "form" | "materials">,
  ) {
    const item = version.item;
    if (!(item.applicantKinds as string[]).includes(input.applicantKind))
      throw fieldError([
        {
          field: "serviceCode",
          reason: "WRONG_APPLICANT",
          message: `This service is for ${item.applicantKinds.join(" and ")} applicants`,
        },
      ]);
    const problems = catalog
      .formCheck(version)(input.form)
      .map((issue) => ({ ...issue, field: `form.${issue.field}` }));
    const brought = new Set((input.materials ?? []).map((m) => m.code));
    for (const material of item.materials)
      if (material.required && material.source === "upload" && !brought.has(material.code))
        problems.push({
          field: `materials.${material.code}`,
          reason: "REQUIRED",
          message: `Upload ${material.name}`,
        });
    if (problems.length > 0) throw fieldError(problems);
  }

  interface PendingAction {
    actor: Actor;
    id: string;
    request: ActionRequest;
    context: ActionContext;
  }
  /** An action that passed its checks, on its way through the batch's writes. */
  interface Taking {
    at: number;
    pending: PendingAction;
    scope: string;
    full: Full;
    steps: ItemOf["workflow"]["steps"];
    actorRole: string;
    payload: Record<string, unknown>;
    next: DerivedState;
    seq: number;
    now: Date;
    today: string;
    action: {
      application_id: string;
      seq: number;
      type: ActionType;
      actor_id: string;
      actor_role: string;
      channel: Channel;
      place: string | null;
      at: Date;
      idempotency_key: string;
    };
    outboxId?: number;
    /** The case as the action leaves it, once worked out (kept in memory after the commit). */
    after?: Full;
  }

  /**
   * Takes a batch of actions, each on a different case, in one transaction (group commit): the cases
   * are locked and read together, each action is checked on its own as if it were alone, and the
   * writes of all of them — log entries, ledger outbox rows, new states, notices, kept answers — go in
   * a few statements. An action refused by its checks fails alone before anything of it is written;
   * anything that fails once writing has begun rolls the whole batch back, and `groupCommitEach` then
   * takes each action again in a batch of its own. A batch of one is an action as it always was.
   */
  async function actTogether(batch: PendingAction[]): Promise<Settled<Application>[]> {
    const outcomes: Settled<Application>[] = [];
    const messages: OutgoingMessage[] = [];
    let written = 0;
    let committed: Taking[] = [];
    await changeCases(
      batch.map((b) => b.id),
      async (trx) => {
        // The cases, locked; then the answers kept for these Idempotency-Keys (read after the locks,
        // so an action on the same key that committed while this one waited is seen).
        const loaded = new Map(
          (
            await repo.findManyWithTimelineLocked(
              trx,
              batch.map((b) => b.id),
            )
          ).map((full) => [full.row.id, full]),
        );
        const kept = new Map(
          (
            await repo.keptAnswers(
              trx,
              batch.map((b) => ({ actorId: b.actor.accountId, key: b.context.idempotencyKey })),
            )
          ).map((k) => [`${k.actor_id}\n${k.key}`, k]),
        );
        const taking: Taking[] = [];
        for (const [at, pending] of batch.entries()) {
          const { actor, id, request, context } = pending;
          const scope = createHash("sha256")
            .update(`${id}\n${canonicalJson(request)}`)
            .digest("hex");
          let writing = false;
          try {
            const found = loaded.get(id);
            if (!found) throw new AppError("APPLICATION_NOT_FOUND", { id });
            const keptAnswer = kept.get(`${actor.accountId}\n${context.idempotencyKey}`);
            if (keptAnswer) {
              if (keptAnswer.scope !== scope)
                throw new AppError("IDEMPOTENCY_KEY_REUSED", { key: context.idempotencyKey });
              outcomes[at] = { value: keptAnswer.body as Application };
              continue;
            }
            const { row, actions: actionRows, materials, dataMaterials } = found;
            assertCanRead(actor, row);
            const version = await catalog.versionById(row.service_version_id, trx);
            const item = version.item;
            const steps = item.workflow.steps;
            const state = derive(actionRows.map(toLogged), steps);
            const statusAllows = (allowedActions[state.status] as readonly ActionType[]).includes(request.type);
            if (!statusAllows || !fitsStep(request.type, state, steps)) {
              throw new AppError("ACTION_NOT_ALLOWED", {
                status: state.status,
                action: request.type,
                allowed: permittedActions(actor, row, state, item),
              });
            }
            let actorRole: string;
            if (applicantActions.includes(request.type)) {
              if (actor.kind === "staff" || actor.accountId !== row.applicant_id)
                throw new AppError("FORBIDDEN", { reason: "only the applicant takes this action" });
              actorRole = "applicant";
            } else {
              const decision = staffRole(actor, row, request.type, state, item);
              if ("reason" in decision)
                throw new AppError("FORBIDDEN", { action: request.type, reason: decision.reason });
              actorRole = decision.role;
            }
            checkAction(row, version, request, actionRows, materials, dataMaterials);

            // From here on an action may write (a signing key, a fee check's reads): its failure is
            // the batch's.
            writing = true;
            const now = clock.now();
            const today = chinaDate(now);
            const { type, ...fields } = request;
            const payload: Record<string, unknown> = { ...fields };
            if (type === "accept" || type === "complete_step") payload.step = steps[state.stepIndex]?.key;
            if (type === "approve" || type === "reject") {
              const decision = {
                application: row.number,
                service: `${row.service_code}@${row.service_version}`,
                decision: type === "approve" ? "approved" : "rejected",
                ...fields,
                official: { id: actor.accountId, role: actorRole, department: row.department_name },
                formHash: createHash("sha256").update(canonicalJson(row.form)).digest("hex"),
                at: now.toISOString(),
              };
              payload.signature = await signatures.sign(trx, actor.accountId, canonicalJson(decision));
            }
            if (type === "approve" && deps.fees) await deps.fees.assertPaid(trx, id);
            const next = apply(state, { type, date: today, actorId: actor.accountId, payload }, steps);
            const seq = row.last_action_seq + 1;
            taking.push({
              at,
              pending,
              scope,
              full: { ...found, item },
              steps,
              actorRole,
              payload,
              next,
              seq,
              now,
              today,
              action: {
                application_id: id,
                seq,
                type,
                actor_id: actor.accountId,
                actor_role: actorRole,
                channel: context.channel,
                place: context.place,
                at: now,
                idempotency_key: context.idempotencyKey,
              },
            });
          } catch (error) {
            // Refused before writing anything: this action's failure alone (a batch of one fails as
            // a whole, as an action always did).
            if (writing || batch.length === 1) throw error;
            outcomes[at] = { error };
          }
        }
        if (taking.length === 0) return;

        // The log entries and their ledger outbox rows.
        const outboxIds = await repo.insertActionsWithChanges(
          trx,
          taking.map((t) => ({
            action: { ...t.action, payload: JSON.stringify(t.payload) },
            change: {
              type: `application.${t.action.type}`,
              subject: t.action.application_id,
              actor: t.action.actor_id,
              at: t.now,
              facts: {
                seq: t.seq,
                status: t.next.status,
                role: t.actorRole,
                payloadHash: createHash("sha256").update(canonicalJson(t.payload)).digest("hex"),
              },
            },
          })),
        );
        taking.forEach((t, i) => {
          t.outboxId = outboxIds[i];
        });

        // What other modules do with each action, in its transaction.
        for (const t of taking) {
          const { row, item } = t.full;
          const { type, application_id: id, actor_id: actorId } = t.action;
          const request = t.pending.request;
          if (type === "accept" && deps.fees)
            await deps.fees.assessOnAcceptance(trx, {
              applicationId: id,
              item,
              actorId,
              at: t.now,
              ...(request.type === "accept" && request.fees ? { choices: request.fees } : {}),
            });
          if (type === "approve" && deps.certificates)
            await deps.certificates.issueForApproval(trx, {
              applicationId: id,
              applicationNumber: row.number,
              serviceCode: row.service_code,
              item,
              regionCode: row.region_code,
              departmentId: row.department_id,
              departmentName: row.department_name,
              applicantId: row.applicant_id,
              form: row.form,
              approvedBy: actorId,
              at: t.now,
            });
          for (const listener of actionListeners)
            await listener(trx, {
              applicationId: id,
              number: row.number,
              seq: t.seq,
              type,
              status: t.next.status,
              step: t.steps[t.next.stepIndex]?.name ?? null,
              actorRole: t.actorRole,
              at: t.now,
              payload: t.payload,
            });
        }

        // The cases' new states, the applicants' notices and the answers.
        const portal: Insertable<NotificationsTable>[] = [];
        const messageRows: Insertable<MessageOutboxTable>[] = [];
        const answers: Parameters<typeof repo.finishActions>[3][number][] = [];
        const rereads: Taking[] = [];
        const changes = taking.map((t) => {
          const { row, item } = t.full;
          const { next, now, today } = t;
          const deadline = deadlineOf(next, item.committedLimitDays, today);
          const warnOn = next.acceptedOn
            ? addWorkingDays(next.acceptedOn, Math.ceil(item.committedLimitDays * WARNING_SHARE) + deadline.pausedDays)
            : null;
          const type = t.action.type;
          const change = {
            status: next.status,
            step_index: next.stepIndex,
            holder_role: holderRole(next, t.steps),
            claimed_by: next.claimedBy,
            first_contact_id: next.firstContactId,
            accepted_on: next.acceptedOn,
            paused_since: next.pausedSince,
            paused_days: next.pausedDays,
            due_on: deadline.dueOn,
            warn_on: warnOn,
            last_action_seq: t.seq,
            updated_at: now,
            submitted_at: type === "submit" ? now : null,
          };
          const notice = noticeFor(type, item, row.number, next, t.payload, deadline.dueOn);
          if (notice && !(applicantActions.includes(type) && type !== "submit")) {
            const prepared = notifications.prepare({
              accountId: row.applicant_id,
              regionCode: row.region_code,
              applicationId: row.id,
              kind: `application.${type}`,
              ...notice,
              phone: row.applicant_phone,
              email: row.applicant_email,
            });
            portal.push(prepared.portal);
            messageRows.push(...prepared.messageRows);
            messages.push(...prepared.messages);
          }
          const { actor, context } = t.pending;
          const nameOf = (accountId: string | null, before: string | null, beforeId: string | null) =>
            accountId === null
              ? null
              : accountId === beforeId
                ? before
                : accountId === actor.accountId
                  ? context.actorName
                  : undefined;
          const claimedByName = nameOf(next.claimedBy, row.claimed_by_name, row.claimed_by);
          const firstContactName = nameOf(next.firstContactId, row.first_contact_name, row.first_contact_id);
          if (context.actorName === undefined || claimedByName === undefined || firstContactName === undefined) {
            // A name this process does not know: the case as the database holds it, read after the writes.
            rereads.push(t);
          } else {
            // The case as this action leaves it, from what the transaction read and is writing.
            t.after = {
              ...t.full,
              row: {
                ...row,
                ...change,
                submitted_at: change.submitted_at ?? row.submitted_at,
                claimed_by_name: claimedByName,
                first_contact_name: firstContactName,
              } as ApplicationRow,
              actions: [
                ...t.full.actions,
                {
                  ...t.action,
                  payload: t.payload,
                  outbox_id: t.outboxId ?? null,
                  actor_name: context.actorName,
                  ledger_idx: null,
                } as ActionRow,
              ],
            };
            outcomes[t.at] = { value: view(actor, t.after) };
          }
          return { id: row.id, ...change };
        });
        await repo.updateMany(trx, changes);
        for (const t of taking) {
          if (rereads.includes(t)) {
            t.after = await loadFull(t.action.application_id, trx);
            outcomes[t.at] = { value: view(t.pending.actor, t.after) };
          }
          const outcome = outcomes[t.at] as { value: Application };
          answers.push({
            actor_id: t.pending.actor.accountId,
            key: t.pending.context.idempotencyKey,
            scope: t.scope,
            status: 200,
            body: JSON.stringify(outcome.value),
            created_at: t.now,
          });
        }
        await repo.finishActions(trx, portal, messageRows, answers);
        written = taking.length;
        committed = taking;
      },
    );
    // The next read of each case is answered from what the action left (committed, and no other
    // change to it in this process since: `fill` refuses otherwise; another process's later change
    // arrives over NOTIFY and forgets it).
    for (const t of committed) if (t.after) cases.fill(t.action.application_id, cases.ticket(), t.after);
    if (written > 0) {
      caseActions.transactions++;
      caseActions.actions += written;
    }
    await notifications.dispatch(messages);
    return outcomes;
  }
  const actions = groupCommitEach(actTogether, { maxBatch: 64, concurrency: 4, key: (a) => a.id });

  return {
    /** Case reads answered so far, from memory and from the database (for /metrics). */
    caseReads,
    /** Actions committed so far, and the transactions that committed them (for /metrics). */
    caseActions,

    /**
     * For the ledger: a batch that gives a case's steps their index tells the other processes in its
     * transaction (NOTIFY, heard at its commit) and this one once committed, so no copy kept without
     * the index outlives it.
     */
    ledgerListener: {
      async during(trx: Db, changes: IntegratedChange[]) {
        await notifyIndexed(trx, changes);
      },
      after(changes: IntegratedChange[]) {
        // Cases with only other integrated changes are revised too (nothing to take in; a read
        // under way then fills nothing older than the batch).
        const indexed = actionIndices(changes);
        for (const id of casesIn(changes)) reviseIndices(id, indexed.get(id) ?? new Map());
      },
    } satisfies IntegrationListener,

    /** Stops listening for other processes' changes to cases. */
    async close() {
      await actions.drain();
      await listening;
      await channel?.close();
    },

    /** Registers a listener told of every action, inside the action's transaction. */
    onAction(listener: ActionListener) {
      actionListeners.push(listener);
    },

    /**
     * Files a case handed over by another node (跨省通办) in the caller's transaction: the case is
     * created for `applicantId` under `version` (the service's current one, read before the
     * transaction) and submitted at once, after the same form check a submission gets. Answers the
     * case's id and number; throws what is missing.
     */
    async receiveHandover(
      trx: Db,
      version: ServiceVersion,
      input: HandoverInput,
    ): Promise<{ id: string; number: string }> {
      assertHandoverComplete(version, input);
      const item = version.item;
      const now = clock.now();
      const number = await insertDraft(trx, version, { ...input, now, handedOver: true });
      for (const material of input.materials ?? []) {
        await repo.insertFile(trx, {
          sha256: material.sha256,
          content_type: material.contentType,
          size: material.size,
          created_at: now,
        });
        await repo.insertMaterial(trx, {
          id: ids.uuid(),
          application_id: input.id,
          material_code: material.code,
          file_sha256: material.sha256,
          file_name: safeFileName(material.fileName) || material.code,
          content_type: material.contentType,
          size: material.size,
          uploaded_by: input.applicantId,
          uploaded_at: now,
        });
      }
      const payload = { ...input.payload, handedOver: true };
      const next = apply(
        initialState(),
        { type: "submit", date: chinaDate(now), actorId: input.applicantId, payload },
        item.workflow.steps,
      );
      const outboxId = await recordChange(trx, handedOverSubmission(input, next.status, payload, now));
      await repo.insertAction(trx, {
        application_id: input.id,
        seq: 1,
        type: "submit",
        actor_id: input.applicantId,
        actor_role: "applicant",
        channel: input.channel,
        place: null,
        at: now,
        payload: JSON.stringify(payload),
        idempotency_key: input.idempotencyKey,
        outbox_id: outboxId,
      });
      await repo.update(trx, input.id, {
        status: next.status,
        holder_role: holderRole(next, item.workflow.steps),
        last_action_seq: 1,
        submitted_at: now,
        updated_at: now,
      });
      return { id: input.id, number };
    },

    /**
     * `receiveHandover` for several cases that arrived together (跨省通办), in the caller's
     * transaction and three statements whatever their number: the same checks, the same rows and
     * ledger entries. Cases that carry materials are filed one by one as `receiveHandover` files them.
     * Throws the first case's problem (the caller then files each alone to find whose it is).
     */
    async receiveHandovers(
      trx: Db,
      cases: {
        version: ServiceVersion;
        input: HandoverInput;
      }[],
    ): Promise<{ id: string; number: string }[]> {
      const now = clock.now();
      const filed: ({ id: string; number: string } | undefined)[] = [];
      const rows: HandedOverRow[] = [];
      const at: number[] = [];
      for (const [i, { version, input }] of cases.entries()) {
        if ((input.materials ?? []).length > 0) {
          filed[i] = await this.receiveHandover(trx, version, input);
          continue;
        }
        const item = version.item;
        assertHandoverComplete(version, input);
        const payload = { ...input.payload, handedOver: true };
        const next = apply(
          initialState(),
          { type: "submit", date: chinaDate(now), actorId: input.applicantId, payload },
          item.workflow.steps,
        );
        rows.push({
          id: input.id,
          numberPrefix: `${version.regionCode}-${chinaDate(now).replaceAll("-", "")}-`,
          service_code: version.code,
          service_version_id: version.id,
          applicant_id: input.applicantId,
          region_code: version.regionCode,
          department_id: version.departmentId,
          classification: version.item.classification,
          form: input.form,
          status: next.status,
          holder_role: holderRole(next, item.workflow.steps),
          channel: input.channel,
          at: now,
          payload,
          idempotency_key: input.idempotencyKey,
          created: {
            type: "application.created",
            subject: input.id,
            actor: input.applicantId,
            at: now,
            facts: { service: version.code, version: version.version, handedOver: true },
          },
          submitted: handedOverSubmission(input, next.status, payload, now),
        });
        at.push(i);
      }
      if (rows.length > 0) {
        const sequences = await handovers.nextNumbers(trx, rows.length);
        const numbered = rows.map((row, k) => ({
          ...row,
          number: `${row.numberPrefix}${String(sequences[k]).padStart(6, "0")}`,
        }));
        await handovers.insertSubmitted(trx, numbered);
        for (const [k, row] of numbered.entries()) filed[at[k] as number] = { id: row.id, number: row.number };
      }
      return filed as { id: string; number: string }[];
    },

    /**
     * 异地代收代办: the window of the node that received the case handed the result to the applicant
     * there. Recorded here, in the caller's (the inbox's) transaction, as the case's delivery on the
     * applicant's behalf, with the receiving window named in the payload. Answers false when the case
     * is not in a state to be delivered (then nothing is written).
     */
    async recordRemoteDelivery(
      trx: Db,
      id: string,
      delivery: { region: string; officialName: string; departmentName: string; at: Date },
    ): Promise<boolean> {
      // A handed-over case is never kept in memory (above); this forgets it all the same.
      cases.changed(id);
      const { row, actions: actionRows, item } = await loadFull(id, trx, { lock: true });
      const state = derive(actionRows.map(toLogged), item.workflow.steps);
      if (!(allowedActions[state.status] as readonly ActionType[]).includes("deliver")) return false;
      const payload = { remoteDelivery: true, ...delivery, at: delivery.at.toISOString() };
      const next = apply(
        state,
        { type: "deliver", date: chinaDate(delivery.at), actorId: row.applicant_id, payload },
        item.workflow.steps,
      );
      const seq = row.last_action_seq + 1;
      const outboxId = await recordChange(trx, {
        type: "application.deliver",
        subject: id,
        actor: null,
        at: delivery.at,
        facts: {
          seq,
          status: next.status,
          role: "origin_window",
          payloadHash: createHash("sha256").update(canonicalJson(payload)).digest("hex"),
        },
      });
      await repo.insertAction(trx, {
        application_id: id,
        seq,
        type: "deliver",
        actor_id: row.applicant_id,
        actor_role: "origin_window",
        channel: "window",
        place: `${delivery.region} ${delivery.departmentName}`,
        at: delivery.at,
        payload: JSON.stringify(payload),
        idempotency_key: null,
        outbox_id: outboxId,
      });
      await repo.update(trx, id, {
        status: next.status,
        holder_role: holderRole(next, item.workflow.steps),
        last_action_seq: seq,
        updated_at: delivery.at,
      });
      return true;
    },

    async create(actor: Actor, input: CreateApplication): Promise<Application> {
      if (actor.kind === "staff")
        throw new AppError("FORBIDDEN", { reason: "applications are filed by residents and enterprises" });
      const version = await catalog.currentVersion(input.serviceCode, "serviceCode");
      if (!(version.item.applicantKinds as string[]).includes(actor.kind)) {
        throw fieldError([
          {
            field: "serviceCode",
            reason: "WRONG_APPLICANT",
            message: `This service is for ${version.item.applicantKinds.join(" and ")} applicants`,
          },
        ]);
      }
      if (!version.item.channels.includes(input.channel) && input.channel !== "pc" && input.channel !== "mobile") {
        throw fieldError([
          { field: "channel", reason: "INVALID_VALUE", message: "This service is not offered on that channel" },
        ]);
      }
      const id = ids.uuid();
      const now = clock.now();
      await db
        .transaction()
        .execute((trx) =>
          insertDraft(trx, version, { id, applicantId: actor.accountId, form: {}, channel: input.channel, now }),
        );
      return this.get(actor, id);
    },

    async get(actor: Actor, id: string): Promise<Application> {
      let full = cases.get(id);
      if (full) caseReads.memory++;
      else {
        caseReads.database++;
        const ticket = cases.ticket();
        full = await loadFull(id);
        cases.fill(id, ticket, full);
      }
      assertCanRead(actor, full.row);
      return view(actor, full);
    },

    /** Saves the form of a draft (or during a supplement); incomplete is fine, submit checks it all. */
    async updateForm(actor: Actor, id: string, form: Record<string, unknown>): Promise<Application> {
      const row = await load(id);
      assertCanRead(actor, row);
      if (row.applicant_id !== actor.accountId)
        throw new AppError("FORBIDDEN", { reason: "only the applicant edits the form" });
      if (!EDITABLE.includes(row.status as ApplicationStatus))
        throw new AppError("ACTION_NOT_ALLOWED", {
          status: row.status,
          reason: "the form can only change in a draft or during a supplement",
        });
      const item = await itemOf(row);
      const known = new Set(Object.keys(item.form.schema.properties));
      const unknown = Object.keys(form).filter((k) => !known.has(k));
      if (unknown.length > 0)
        throw fieldError(
          unknown.map((k) => ({
            field: `form.${k}`,
            reason: "UNKNOWN_FIELD",
            message: "This field is not part of the form",
          })),
        );
      if (JSON.stringify(form).length > 100_000) throw new AppError("PAYLOAD_TOO_LARGE");
      const now = clock.now();
      await changeCase(id, async (trx) => {
        await repo.update(trx, id, { form: JSON.stringify(form), updated_at: now });
        await recordChange(trx, {
          type: "application.form_saved",
          subject: id,
          actor: actor.accountId,
          at: now,
          facts: { fields: Object.keys(form).sort() },
        });
      });
      return view(actor, await loadFull(id));
    },

    async addMaterial(
      actor: Actor,
      id: string,
      upload: { materialCode: string; fileName: string; content: Uint8Array },
    ): Promise<Application> {
      const row = await load(id);
      assertCanRead(actor, row);
      if (row.applicant_id !== actor.accountId)
        throw new AppError("FORBIDDEN", { reason: "only the applicant uploads materials" });
      if (!EDITABLE.includes(row.status as ApplicationStatus))
        throw new AppError("ACTION_NOT_ALLOWED", {
          status: row.status,
          reason: "materials can only change in a draft or during a supplement",
        });
      const item = await itemOf(row);
      const material = item.materials.find((m) => m.code === upload.materialCode);
      if (!material)
        throw fieldError([
          { field: "materialCode", reason: "NOT_FOUND", message: "This service asks for no such material" },
        ]);
      if (upload.content.length === 0)
        throw fieldError([{ field: "file", reason: "EMPTY", message: "The file is empty" }]);
      if (upload.content.length > material.maxSizeMb * 1_048_576) {
        throw fieldError([
          { field: "file", reason: "TOO_LARGE", message: `${material.name} may be at most ${material.maxSizeMb} MB` },
        ]);
      }
      // The type comes from the bytes, never from the name or the browser's claim.
      const detected = await fileTypeFromBuffer(upload.content);
      if (!detected || !(material.accept as string[]).includes(detected.mime)) {
        throw fieldError([
          {
            field: "file",
            reason: "WRONG_TYPE",
            message: `${material.name} must be ${material.accept.join(", ")}; this file is ${detected?.mime ?? "of an unknown type"}`,
          },
        ]);
      }
      const sha256 = await files.put(upload.content);
      const now = clock.now();
      const fileName = safeFileName(upload.fileName) || `${material.code}.${detected.ext}`;
      await changeCase(id, async (trx) => {
        await repo.insertFile(trx, {
          sha256,
          content_type: detected.mime,
          size: upload.content.length,
          created_at: now,
        });
        await repo.insertMaterial(trx, {
          id: ids.uuid(),
          application_id: id,
          material_code: material.code,
          file_sha256: sha256,
          file_name: fileName,
          content_type: detected.mime,
          size: upload.content.length,
          uploaded_by: actor.accountId,
          uploaded_at: now,
        });
        await repo.update(trx, id, { updated_at: now });
        await recordChange(trx, {
          type: "application.material_added",
          subject: id,
          actor: actor.accountId,
          at: now,
          facts: { material: material.code, sha256 },
        });
      });
      return view(actor, await loadFull(id));
    },

    /** Where each material obtainable from shared data would be fetched from, for the applicant's consent. */
    async dataSources(actor: Actor, id: string): Promise<DataMaterialSource[]> {
      const row = await load(id);
      assertCanRead(actor, row);
      const item = await itemOf(row);
      const materials = item.materials.flatMap((m) =>
        m.source === "data" && m.dataResource
          ? [{ code: m.code, resource: resourceCodeFor(row.region_code, m.dataResource) }]
          : [],
      );
      const described = await exchange.describeForApplication(
        materials.map((m) => m.resource),
        resourceOf(row).classification,
      );
      return materials.map(({ code, resource }) => {
        const found = described.get(resource);
        return {
          materialCode: code,
          resource,
          resourceName: found?.name ?? null,
          providerDepartmentName: found?.departmentName ?? null,
          fieldLabels: found?.fields.map((f) => f.label) ?? [],
        };
      });
    },

    /**
     * 材料免提交: with the applicant's consent, fetches a material from the department that holds it,
     * through the exchange gateway (which records the access on the ledger, shown to the applicant
     * under "who read my data"), and keeps the answer on the case as verified data. The applicant
     * uploads nothing for it.
     */
    async fetchDataMaterial(
      actor: Actor,
      id: string,
      input: FetchDataMaterial,
      applicant: ApplicantIdentifiers,
    ): Promise<Application> {
      const row = await load(id);
      assertCanRead(actor, row);
      if (row.applicant_id !== actor.accountId)
        throw new AppError("FORBIDDEN", { reason: "only the applicant consents to fetching their data" });
      if (!EDITABLE.includes(row.status as ApplicationStatus))
        throw new AppError("ACTION_NOT_ALLOWED", {
          status: row.status,
          reason: "materials can only change in a draft or during a supplement",
        });
      const item = await itemOf(row);
      const material = item.materials.find((m) => m.code === input.materialCode);
      if (!material)
        throw fieldError([
          { field: "materialCode", reason: "NOT_FOUND", message: "This service asks for no such material" },
        ]);
      if (material.source !== "data" || !material.dataResource)
        throw fieldError([
          {
            field: "materialCode",
            reason: "NOT_FROM_DATA",
            message: `${material.name} is not obtainable from shared data; upload it`,
          },
        ]);
      const consentAt = clock.now();
      const classification = resourceOf(row).classification;
      const answer = await exchange.queryForApplication({
        actor,
        application: { id, departmentId: row.department_id, classification },
        applicant,
        consentAt,
        resource: resourceCodeFor(row.region_code, material.dataResource),
        purpose: `办件 ${row.number}：${material.name}`,
      });
      if (answer.records.length === 0)
        throw new AppError("DATA_MATERIAL_NO_RECORD", { materialCode: material.code, accessId: answer.accessId });
      const labels = new Map(
        (await exchange.describeForApplication([answer.resource], classification))
          .get(answer.resource)
          ?.fields.map((f) => [f.name, f.label]),
      );
      const now = clock.now();
      await changeCase(id, async (trx) => {
        await repo.insertDataMaterial(trx, {
          id: ids.uuid(),
          application_id: id,
          material_code: material.code,
          access_id: answer.accessId,
          resource_code: answer.resource,
          resource_name: answer.resourceName,
          provider_department_name: answer.providerDepartmentName,
          fields: JSON.stringify(answer.fields.map((name) => ({ name, label: labels.get(name) ?? name }))),
          records: JSON.stringify(answer.records),
          consent_at: consentAt,
          fetched_by: actor.accountId,
          fetched_at: new Date(answer.fetchedAt),
        });
        await repo.update(trx, id, { updated_at: now });
        await recordChange(trx, {
          type: "application.data_fetched",
          subject: id,
          actor: actor.accountId,
          at: now,
          facts: {
            material: material.code,
            resource: answer.resource,
            accessId: answer.accessId,
            consentAt: consentAt.toISOString(),
            answerHash: createHash("sha256").update(canonicalJson(answer.records)).digest("hex"),
          },
        });
      });
      return view(actor, await loadFull(id));
    },

    async removeMaterial(actor: Actor, id: string, materialId: string): Promise<Application> {
      const row = await load(id);
      assertCanRead(actor, row);
      if (row.applicant_id !== actor.accountId)
        throw new AppError("FORBIDDEN", { reason: "only the applicant removes materials" });
      if (!EDITABLE.includes(row.status as ApplicationStatus))
        throw new AppError("ACTION_NOT_ALLOWED", { status: row.status });
      const now = clock.now();
      await changeCase(id, async (trx) => {
        if (!(await repo.removeMaterial(trx, id, materialId, now)))
          throw new AppError("FILE_NOT_FOUND", { materialId });
        await recordChange(trx, {
          type: "application.material_removed",
          subject: id,
          actor: actor.accountId,
          at: now,
          facts: { materialId },
        });
      });
      return view(actor, await loadFull(id));
    },

    async materialContent(actor: Actor, id: string, materialId: string) {
      const row = await load(id);
      assertCanRead(actor, row);
      const material = await repo.findMaterial(db, id, materialId);
      if (!material) throw new AppError("FILE_NOT_FOUND", { materialId });
      const content = await files.get(material.file_sha256);
      if (!content) throw new AppError("FILE_NOT_FOUND", { materialId });
      return { content, contentType: material.content_type, fileName: material.file_name };
    },

    /**
     * Takes one action: checks the status table, the policy and the step, validates, signs decisions,
     * appends to the log and updates the derived state — all in one transaction holding the
     * application's row lock, so concurrent actions on one case take turns and at most one decision
     * stands. Actions on other cases arriving meanwhile share the transaction (`actTogether`).
     * A repeated Idempotency-Key answers the first answer without acting again.
     */
    async act(actor: Actor, id: string, request: ActionRequest, context: ActionContext): Promise<Application> {
      try {
        return await actions.submit({ actor, id, request, context });
      } catch (error) {
        // The same key on another case, committed while this action ran: taken again, the action now
        // meets that kept answer and is refused as a reused key.
        if (!isKeptAnswerConflict(error)) throw error;
        return actions.submit({ actor, id, request, context });
      }
    },

    async list(actor: Actor, query: ApplicationQuery): Promise<ApplicationListItem[]> {
      const today = chinaDate(clock.now());
      const base = {
        status: query.status,
        serviceCode: query.serviceCode,
        departmentId: query.departmentId,
        q: query.q,
        limit: query.limit,
        offset: query.offset,
      };
      const deadline =
        query.deadline === "overdue" ? { dueBefore: today } : query.deadline === "warning" ? { warnFrom: today } : {};
      let rows: ApplicationRow[];
      if (actor.kind !== "staff") {
        rows = await repo.list(db, { ...base, ...deadline, applicantId: actor.accountId });
      } else if (actor.roles.includes("supervisor")) {
        rows = await repo.list(db, { ...base, ...deadline, regionCode: actor.regionCode ?? "-" });
      } else {
        const caseRoles = actor.roles.filter((r) => r === "window" || r === "handling");
        if (caseRoles.length === 0 || !actor.departmentId)
          throw new AppError("FORBIDDEN", { reason: "no case-handling role" });
        // A queue holds only the staff member's department: another one's filter finds nothing in it.
        if (query.departmentId && query.departmentId !== actor.departmentId) return [];
        rows = await repo.list(db, {
          ...base,
          ...deadline,
          departmentId: actor.departmentId,
          ...(query.mine === "true" ? { claimedBy: actor.accountId } : query.status ? {} : { holderRoles: caseRoles }),
        });
      }
      // Staff see only what their clearance allows.
      const visible =
        actor.kind === "staff" ? rows.filter((row) => decide(actor, "case.read", resourceOf(row)).allowed) : rows;
      const items = new Map<string, ItemOf>();
      for (const row of visible) {
        if (!items.has(row.service_version_id)) items.set(row.service_version_id, await itemOf(row));
      }
      return visible.map((row) => ({
        ...summary(row, items.get(row.service_version_id) as ItemOf),
        firstContactName: row.first_contact_name,
      }));
    },
  };
}
export type ApplicationsService = ReturnType<typeof createApplicationsService>;
