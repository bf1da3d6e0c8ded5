import { createHash } from "node:crypto";
import type { CreateEnquiry, Enquiry, EnquiryListItem, EnquiryQuery } from "@tongban/contracts";
import type { Db } from "../../db/database.ts";
import { AppError, fieldError } from "../../http/errors.ts";
import { type Actor, authorize, decide } from "../../policy/policy.ts";
import type { Clock, Ids } from "../../ports/index.ts";
import type { OutgoingMessage } from "../../ports/messaging.ts";
import { chinaDate } from "../../reference/calendar.ts";
import type { CatalogService } from "../catalog/catalog.service.ts";
import type { DepartmentsService } from "../departments/departments.service.ts";
import { recordChange } from "../ledger/outbox.ts";
import type { NotificationsService } from "../notifications/notifications.service.ts";
import { type EnquiryRow, enquiriesRepository as repo } from "./enquiries.repository.ts";

type Allowed = Enquiry["allowed"][number];

const bodyHash = (text: string) => createHash("sha256").update(text).digest("hex");

/**
 * Enquiries (咨询) with first-contact responsibility (首问负责): the first official of the asked
 * department who takes an enquiry — by taking it or by answering it — is recorded, and answers it to
 * the end; nobody else of the department can answer in their place unless their account is disabled.
 * The asker is told of every answer in the portal and by SMS or email; every step is on the ledger.
 */
export function createEnquiriesService({
  db,
  clock,
  ids,
  catalog,
  departments,
  notifications,
}: {
  db: Db;
  clock: Clock;
  ids: Ids;
  catalog: CatalogService;
  departments: DepartmentsService;
  notifications: NotificationsService;
}) {
  const resourceOf = (row: EnquiryRow) => ({
    regionCode: row.region_code,
    departmentId: row.department_id,
    ownerId: row.asker_id,
  });

  /** Whether `actor` may answer now: the first contact, or anyone of the department before one exists. */
  function answerer(actor: Actor, row: EnquiryRow): "first" | "takes" | "other" | "no" {
    if (!decide(actor, "enquiry.answer", resourceOf(row)).allowed) return "no";
    if (row.first_contact_id === actor.accountId) return "first";
    if (row.first_contact_id === null || row.first_contact_disabled) return "takes";
    return "other";
  }

  function allowedFor(actor: Actor, row: EnquiryRow): Allowed[] {
    if (row.status === "closed") return [];
    if (actor.kind !== "staff") return row.asker_id === actor.accountId ? ["reply", "close"] : [];
    const role = answerer(actor, row);
    if (role === "takes") return ["take", "reply"];
    if (role === "first") return ["reply"];
    return [];
  }

  function listItem(row: EnquiryRow): EnquiryListItem {
    return {
      id: row.id,
      number: row.number,
      regionCode: row.region_code,
      departmentId: row.department_id,
      departmentName: row.department_name,
      serviceCode: row.service_code,
      serviceName: row.service_name,
      askerName: row.asker_name,
      subject: row.subject,
      status: row.status,
      firstContactName: row.first_contact_name,
      firstContactAt: row.first_contact_at ? new Date(row.first_contact_at).toISOString() : null,
      createdAt: new Date(row.created_at).toISOString(),
      updatedAt: new Date(row.updated_at).toISOString(),
    };
  }

  async function load(actor: Actor, id: string, conn: Db = db): Promise<EnquiryRow> {
    const row = await repo.find(conn, id);
    // Someone else's enquiry answers as if it did not exist.
    if (!row || !decide(actor, "enquiry.read", resourceOf(row)).allowed)
      throw new AppError("ENQUIRY_NOT_FOUND", { id });
    return row;
  }

  async function view(actor: Actor, id: string, conn: Db = db): Promise<Enquiry> {
    const row = await load(actor, id, conn);
    const messages = await repo.messages(conn, id);
    return {
      ...listItem(row),
      messages: messages.map((m) => ({
        id: m.id,
        authorName: m.author_name,
        authorRole: m.author_role,
        body: m.body,
        at: new Date(m.at).toISOString(),
      })),
      allowed: allowedFor(actor, row),
    };
  }

  /** Records `actor` as the first contact, in the caller's transaction (a reassignment when one existed). */
  async function take(trx: Db, actor: Actor, row: EnquiryRow, now: Date): Promise<void> {
    const previous = row.first_contact_id;
    await repo.update(trx, row.id, { first_contact_id: actor.accountId, first_contact_at: now, updated_at: now });
    await recordChange(trx, {
      type: previous ? "enquiry.reassigned" : "enquiry.taken",
      subject: row.id,
      actor: actor.accountId,
      at: now,
      facts: previous ? { from: previous, reason: "first contact's account disabled" } : {},
    });
  }

  /** Runs `change` with the enquiry locked, and answers the enquiry as `actor` then sees it. */
  async function change(
    actor: Actor,
    id: string,
    body: (trx: Db, row: EnquiryRow, now: Date) => Promise<OutgoingMessage[] | undefined>,
  ): Promise<Enquiry> {
    let messages: OutgoingMessage[] = [];
    const answer = await db.transaction().execute(async (trx) => {
      if (!(await repo.lock(trx, id))) throw new AppError("ENQUIRY_NOT_FOUND", { id });
      const row = await load(actor, id, trx);
      if (row.status === "closed") throw new AppError("ENQUIRY_CLOSED", { id });
      messages = (await body(trx, row, clock.now())) ?? [];
      return view(actor, id, trx);
    });
    await notifications.dispatch(messages);
    return answer;
  }

  return {
    async create(actor: Actor, input: CreateEnquiry): Promise<Enquiry> {
      if (actor.kind === "staff")
        throw new AppError("FORBIDDEN", { reason: "enquiries are put by residents and enterprises" });
      let department: { id: string; regionCode: string };
      let serviceCode: string | null = null;
      if (input.serviceCode) {
        const version = await catalog.currentVersion(input.serviceCode, "serviceCode");
        if (input.departmentId && input.departmentId !== version.departmentId)
          throw fieldError([
            {
              field: "departmentId",
              reason: "INVALID_VALUE",
              message: "The service is handled by another department; name the service or the department",
            },
          ]);
        department = { id: version.departmentId, regionCode: version.regionCode };
        serviceCode = version.code;
      } else {
        const found = await departments.requireById(input.departmentId as string, "departmentId");
        department = { id: found.id, regionCode: found.regionCode };
      }
      const id = ids.uuid();
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        const sequence = await repo.nextNumber(trx);
        await repo.insert(trx, {
          id,
          number: `${department.regionCode}-ZX-${chinaDate(now).replaceAll("-", "")}-${String(sequence).padStart(6, "0")}`,
          region_code: department.regionCode,
          department_id: department.id,
          service_code: serviceCode,
          asker_id: actor.accountId,
          subject: input.subject,
          status: "open",
          created_at: now,
          updated_at: now,
        });
        await repo.insertMessage(trx, {
          id: ids.uuid(),
          enquiry_id: id,
          author_id: actor.accountId,
          author_role: "asker",
          body: input.body,
          at: now,
        });
        await recordChange(trx, {
          type: "enquiry.asked",
          subject: id,
          actor: actor.accountId,
          at: now,
          facts: { department: department.id, service: serviceCode, bodyHash: bodyHash(input.body) },
        });
      });
      return view(actor, id);
    },

    async list(actor: Actor, query: EnquiryQuery): Promise<EnquiryListItem[]> {
      const page = { status: query.status, limit: query.limit, offset: query.offset };
      let rows: EnquiryRow[];
      if (actor.kind !== "staff") rows = await repo.list(db, { ...page, askerId: actor.accountId });
      else if (actor.roles.includes("supervisor") && !query.mine)
        rows = await repo.list(db, { ...page, regionCode: actor.regionCode ?? "-" });
      else {
        authorize(actor, "enquiry.answer", { departmentId: actor.departmentId });
        rows = await repo.list(db, {
          ...page,
          departmentId: actor.departmentId ?? "-",
          firstContactId: query.mine ? actor.accountId : undefined,
        });
      }
      return rows.map(listItem);
    },

    get: (actor: Actor, id: string) => view(actor, id),

    /** 首问: the official takes the enquiry and is recorded as responsible for answering it. */
    take(actor: Actor, id: string): Promise<Enquiry> {
      return change(actor, id, async (trx, row, now) => {
        const role = answerer(actor, row);
        if (role === "no") authorize(actor, "enquiry.answer", resourceOf(row));
        if (role === "other")
          throw new AppError("ENQUIRY_OTHER_FIRST_CONTACT", { firstContactName: row.first_contact_name });
        if (role === "takes") await take(trx, actor, row, now);
        return undefined;
      });
    },

    /** The asker adds to the question, or the first contact answers (taking it if nobody has). */
    reply(actor: Actor, id: string, text: string): Promise<Enquiry> {
      return change(actor, id, async (trx, row, now) => {
        const asker = actor.kind !== "staff";
        if (!asker) {
          const role = answerer(actor, row);
          if (role === "no") authorize(actor, "enquiry.answer", resourceOf(row));
          if (role === "other")
            throw new AppError("ENQUIRY_OTHER_FIRST_CONTACT", { firstContactName: row.first_contact_name });
          if (role === "takes") await take(trx, actor, row, now);
        }
        await repo.insertMessage(trx, {
          id: ids.uuid(),
          enquiry_id: id,
          author_id: actor.accountId,
          author_role: asker ? "asker" : "staff",
          body: text,
          at: now,
        });
        await repo.update(trx, id, { status: asker ? "open" : "answered", updated_at: now });
        await recordChange(trx, {
          type: "enquiry.replied",
          subject: id,
          actor: actor.accountId,
          at: now,
          facts: { role: asker ? "asker" : "staff", bodyHash: bodyHash(text) },
        });
        if (asker) return undefined;
        return notifications.record(trx, {
          accountId: row.asker_id,
          regionCode: row.region_code,
          applicationId: null,
          kind: "enquiry.answered",
          title: `咨询已答复：${row.subject}`,
          body: `您的咨询（编号 ${row.number}）已由${row.department_name}答复，请登录查看。`,
          phone: row.asker_phone,
          email: row.asker_email,
        });
      });
    },

    /** The asker closes the enquiry once answered to their satisfaction. */
    close(actor: Actor, id: string): Promise<Enquiry> {
      return change(actor, id, async (trx, row, now) => {
        if (actor.kind === "staff" || row.asker_id !== actor.accountId)
          throw new AppError("FORBIDDEN", { reason: "only the asker closes an enquiry" });
        await repo.update(trx, id, { status: "closed", updated_at: now });
        await recordChange(trx, { type: "enquiry.closed", subject: id, actor: actor.accountId, at: now });
        return undefined;
      });
    },
  };
}
export type EnquiriesService = ReturnType<typeof createEnquiriesService>;
