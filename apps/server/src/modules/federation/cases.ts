// Cross-province cases (跨省通办) over the federation's messages. 全程网办: a resident applies on the
// home node for a service of another region; the origin node checks the jurisdiction and hands the
// case over (case.handover); the competent node files it as one of its applications and reports each
// action back (case.update), so the resident follows it from home. Each node keeps a federated_cases
// row naming the origin node, the competent node and, through the envelopes' subject, the messages.

import {
  type CreateFederatedCase,
  type FederatedCase,
  type FederatedCaseStep,
  type FederatedServiceDetail,
  type FederatedServiceQuery,
  type FederatedServices,
  ServiceDetail,
  type ServiceDetail as ServiceDetailType,
  ServiceSummary,
  type ServiceSummary as ServiceSummaryType,
} from "@tongban/contracts";
import { z } from "zod";
import type { Db } from "../../db/database.ts";
import { AppError, fieldError } from "../../http/errors.ts";
import { type Actor, authorize } from "../../policy/policy.ts";
import type { Clock, Ids } from "../../ports/index.ts";
import { chinaDate } from "../../reference/calendar.ts";
import type { AccountsService } from "../accounts/accounts.service.ts";
import type { ApplicationsService } from "../applications/applications.service.ts";
import type { CatalogService, ServiceVersion } from "../catalog/catalog.service.ts";
import { compileForm, type FormCheck } from "../catalog/form-validator.ts";
import { recordChange } from "../ledger/outbox.ts";
import type { FederationService, InboundMessage } from "./federation.service.ts";
import { notCompetentReason } from "./jurisdiction.ts";
import type { PeerTransport } from "./transport.ts";

type CaseRow = Awaited<ReturnType<typeof findCase>>;

function findCase(db: Db, id: string, role: "origin" | "competent") {
  return db.selectFrom("federated_cases").selectAll().where("id", "=", id).where("role", "=", role).executeTakeFirst();
}

interface HandoverBody {
  caseId: string;
  number: string;
  mode: "online" | "remote_acceptance" | "joint";
  serviceCode: string;
  serviceName: string;
  applicant: { kind: "resident" | "enterprise"; identifier: string; name: string; phone: string | null };
  form: Record<string, unknown>;
  channel: "pc" | "mobile";
}

interface UpdateBody {
  caseId: string;
  competentNumber: string;
  seq: number;
  type: string;
  status: string;
  step: string | null;
  at: string;
  reason?: string;
}

export function createFederatedCasesService({
  db,
  clock,
  ids,
  federation,
  transport,
  applications,
  accounts,
  catalog,
}: {
  db: Db;
  clock: Clock;
  ids: Ids;
  federation: FederationService;
  transport: PeerTransport;
  applications: Pick<ApplicationsService, "receiveHandover" | "onAction" | "get">;
  catalog: Pick<CatalogService, "currentVersion" | "versionById">;
  accounts: Pick<AccountsService, "ensureApplicant" | "findById">;
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

  async function view(row: NonNullable<CaseRow>): Promise<FederatedCase> {
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
      timeline: row.timeline as FederatedCaseStep[],
      refusal: row.refusal,
      messages: await federation.messagesAbout({ subject: row.id, limit: 200 }),
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
    };
  }

  // At the competent node: a handed-over case becomes one of its applications, filed and submitted
  // in the inbox's transaction, and the origin hears at once that it is filed.
  federation.on(
    "case.handover",
    async (trx, message: InboundMessage, version) => {
      const body = message.body as unknown as HandoverBody;
      const now = clock.now();
      const applicantId = await accounts.ensureApplicant(trx, body.applicant);
      const filed = await applications.receiveHandover(trx, version as ServiceVersion, {
        id: body.caseId,
        applicantId,
        applicantKind: body.applicant.kind,
        form: body.form,
        channel: body.channel,
        idempotencyKey: `federation:${message.id}`,
      });
      const first: FederatedCaseStep = {
        seq: 1,
        type: "submit",
        status: "submitted",
        step: null,
        at: now.toISOString(),
      };
      await trx
        .insertInto("federated_cases")
        .values({
          id: body.caseId,
          role: "competent",
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
          timeline: JSON.stringify([first]),
          last_seq: 1,
          created_at: now,
          updated_at: now,
        })
        .execute();
      await report(trx, { caseId: body.caseId, origin: message.from, competentNumber: filed.number, ...first });
    },
    async (message) => {
      const code = String((message.body as unknown as HandoverBody).serviceCode);
      if (code.slice(0, 6) !== self)
        throw new AppError("FEDERATION_MESSAGE_REFUSED", { reason: `${code} is not a service of ${self}` });
      const version = await catalog.currentVersion(code, "serviceCode");
      // The case's later actions read its version from the catalogue's cache inside their
      // transactions; filling it now keeps them from reading it through a second connection.
      await catalog.versionById(version.id);
      return version;
    },
  );

  async function report(
    trx: Db,
    update: FederatedCaseStep & { caseId: string; origin: string; competentNumber: string },
  ) {
    const { origin, ...rest } = update;
    await federation.send(trx, {
      to: origin,
      type: "case.update",
      subject: update.caseId,
      idempotencyKey: `${update.caseId}/update/${update.seq}`,
      body: rest,
      actor: null,
    });
  }

  // At the competent node: every later action on a handed-over case goes back to its origin, in the
  // action's own transaction.
  applications.onAction(async (trx, action) => {
    const row = await trx
      .selectFrom("federated_cases")
      .select(["id", "origin_region", "timeline"])
      .where("application_id", "=", action.applicationId)
      .where("role", "=", "competent")
      .executeTakeFirst();
    if (!row || action.type === "note") return;
    const reason = typeof action.payload.reason === "string" ? action.payload.reason : undefined;
    const step: FederatedCaseStep = {
      seq: action.seq,
      type: action.type,
      status: action.status,
      step: action.step,
      at: action.at.toISOString(),
      ...(reason ? { reason } : {}),
    };
    await trx
      .updateTable("federated_cases")
      .set({
        status: action.status,
        step: action.step,
        timeline: JSON.stringify([...(row.timeline as FederatedCaseStep[]), step]),
        last_seq: action.seq,
        updated_at: action.at,
      })
      .where("id", "=", row.id)
      .where("role", "=", "competent")
      .execute();
    await report(trx, { caseId: row.id, origin: row.origin_region, competentNumber: action.number, ...step });
  });

  // At the origin node: the competent node's reports, applied in order of their sequence (a late
  // report of an earlier action joins the timeline without turning the status back).
  federation.on("case.update", async (trx, message) => {
    const body = message.body as unknown as UpdateBody;
    const row = await findCase(trx, body.caseId, "origin");
    if (!row || row.competent_region !== message.from)
      throw new AppError("FEDERATION_MESSAGE_REFUSED", {
        reason: `no case ${body.caseId} handed over to ${message.from}`,
      });
    const timeline = row.timeline as FederatedCaseStep[];
    if (timeline.some((s) => s.seq === body.seq)) return;
    const step: FederatedCaseStep = {
      seq: body.seq,
      type: body.type,
      status: body.status,
      step: body.step,
      at: body.at,
      ...(body.reason ? { reason: body.reason } : {}),
    };
    const newer = body.seq > row.last_seq;
    await trx
      .updateTable("federated_cases")
      .set({
        timeline: JSON.stringify([...timeline, step].sort((a, b) => a.seq - b.seq)),
        competent_number: body.competentNumber,
        updated_at: clock.now(),
        ...(newer ? { status: body.status, step: body.step, last_seq: body.seq } : {}),
      })
      .where("id", "=", row.id)
      .where("role", "=", "origin")
      .execute();
  });

  // At the origin node: the competent node refused the hand-over (its form check, a wrong applicant).
  federation.onRefused("case.handover", async (trx, message) => {
    await trx
      .updateTable("federated_cases")
      .set({ status: "refused", refusal: JSON.stringify({ error: message.error }), updated_at: clock.now() })
      .where("id", "=", String(message.subject))
      .where("role", "=", "origin")
      .execute();
  });

  return {
    /**
     * 全程网办: a resident or enterprise applies from this node for a service of another member. The
     * jurisdiction rule of the service and the applicant's data must make that member competent.
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
      if (!item.handlingModes.includes("online"))
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
      if (issues.length > 0) throw fieldError(issues);
      const account = await accounts.findById(actor.accountId);
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
      const now = clock.now();
      const number = `${self}-X${chinaDate(now).replaceAll("-", "")}-${id.slice(0, 8).toUpperCase()}`;
      const applicant = {
        kind: actor.kind === "enterprise" ? ("enterprise" as const) : ("resident" as const),
        identifier: account.username,
        name: account.name,
        phone: account.phone,
      };
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto("federated_cases")
          .values({
            id,
            role: "origin",
            mode: "online",
            number,
            origin_region: self,
            competent_region: peer.regionCode,
            service_code: input.serviceCode,
            service_name: item.name,
            applicant_id: actor.accountId,
            status: "handed_over",
            created_at: now,
            updated_at: now,
          })
          .execute();
        await recordChange(trx, {
          type: "federation.case_handed_over",
          subject: id,
          actor: actor.accountId,
          at: now,
          facts: { mode: "online", to: peer.regionCode, service: input.serviceCode },
        });
        const body: HandoverBody = {
          caseId: id,
          number,
          mode: "online",
          serviceCode: input.serviceCode,
          serviceName: item.name,
          applicant,
          form: input.form,
          channel: input.channel,
        };
        await federation.send(trx, {
          to: peer.regionCode,
          type: "case.handover",
          subject: id,
          idempotencyKey: `${id}/handover`,
          body: body as unknown as Record<string, unknown>,
          actor: actor.accountId,
        });
      });
      return this.get(actor, id);
    },

    /**
     * The other members' services that can be handled fully online (全程网办), read from their public
     * catalogues, each with the region that decides it; members that did not answer are named.
     */
    async services(query: FederatedServiceQuery): Promise<FederatedServices> {
      const peers = federation.activeMembers().filter((m) => m.regionCode !== self);
      const answers = await Promise.all(
        peers.map(async (peer) => ({ peer, services: await peerServices(peer, query.q) })),
      );
      return {
        services: answers.flatMap(({ peer, services }) =>
          (services ?? [])
            .filter((s) => s.regionCode === peer.regionCode && s.handlingModes.includes("online"))
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

    /** The caller's cross-province cases at this node (as origin), newest first. */
    async mine(actor: Actor): Promise<FederatedCase[]> {
      const rows = await db
        .selectFrom("federated_cases")
        .selectAll()
        .where("applicant_id", "=", actor.accountId)
        .where("role", "=", "origin")
        .orderBy("updated_at", "desc")
        .limit(100)
        .execute();
      return Promise.all(rows.map(view));
    },

    /**
     * One cross-province case: the applicant sees theirs at the origin; at the competent node whoever
     * may read the application; the node's administrators and security officers either.
     */
    async get(actor: Actor, id: string): Promise<FederatedCase> {
      const rows = await db.selectFrom("federated_cases").selectAll().where("id", "=", id).execute();
      for (const row of rows) {
        if (row.role === "origin" && row.applicant_id === actor.accountId && actor.kind !== "staff") return view(row);
        if (row.role === "competent" && row.application_id) {
          try {
            await applications.get(actor, row.application_id);
            return view(row);
          } catch {
            // not this reader's; try the administrators' rule below
          }
        }
        if (actor.kind === "staff") {
          try {
            authorize(actor, "federation.read", { regionCode: self });
            return view(row);
          } catch {
            // not allowed either
          }
        }
      }
      throw new AppError("APPLICATION_NOT_FOUND", { id });
    },
  };
}
export type FederatedCasesService = ReturnType<typeof createFederatedCasesService>;
