import { createHash } from "node:crypto";
import {
  type Classification,
  type CreateDataResource,
  type CreateSharingRequest,
  classificationRank,
  type DataAccessItem,
  type DataAccessQuery,
  type DataResource,
  type DataResourceQuery,
  type DataResourceSummary,
  type ExchangeAnswer,
  type ExchangeQuery,
  type FieldIssue,
  type GatewayKey,
  type Grant,
  type GrantQuery,
  type SharingDecision,
  type SharingRequest,
  type SharingRequestQuery,
  type UpdateDataResource,
} from "@tongban/contracts";
import type { Database, Db, NotifyChannel } from "../../db/database.ts";
import { AppError, fieldError } from "../../http/errors.ts";
import { canonicalJson } from "../../lib/canonical-json.ts";
import { type Actor, authorize, decide } from "../../policy/policy.ts";
import type { Clock, Ids, KeyStore } from "../../ports/index.ts";
import { chinaDate } from "../../reference/calendar.ts";
import type { DepartmentsService } from "../departments/departments.service.ts";
import { recordChange } from "../ledger/outbox.ts";
import { type Connector, httpConnector, tableConnector } from "./connectors.ts";
import { type GrantRow, type RequestRow, exchangeRepository as repo } from "./exchange.repository.ts";
import { createGateway, type GrantRow as GatewayGrantRow } from "./gateway.ts";
import {
  checkDefinition,
  type ResourceDefinition,
  type ResourceModel,
  searchTextOf,
  toDataResource,
  toModel,
} from "./model.ts";
import { checkRecords } from "./records.ts";
import { gatewaySigner, generateGatewayKey } from "./signing.ts";

const DAY_MS = 86_400_000;
const RESOURCE_CACHE_MS = 2000;
/** The channel on which server processes tell each other that grants or resources changed. */
const CHANGES_CHANNEL = "tongban_exchange_changes";
/** More cached grant sets than this and the cache starts again (departments × resource sets stay few). */
const GRANT_CACHE_ENTRIES = 10_000;
/** The longest a grant may run: a sharing agreement is renewed, not open-ended. */
const MAX_GRANT_YEARS = 5;

/** The resource code a service material's `dataResource` (e.g. gongan.household_registration) means in a region. */
export function resourceCodeFor(regionCode: string, dataResource: string): string {
  return `${regionCode}.${dataResource}`;
}

/** The instant a grant ending on `date` (China time) stops: the start of the next day in China. */
function endOfChinaDay(date: string): Date {
  return new Date(Date.parse(`${date}T00:00:00+08:00`) + DAY_MS);
}

function isRealDate(date: string): boolean {
  const parsed = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === date;
}

function toSummary(model: ResourceModel): DataResourceSummary {
  const { fields: _f, legalBasis: _l, keyField: _k, connector: _c, createdAt: _a, ...summary } = toDataResource(model);
  return summary;
}

/** Dates are YYYY-MM-DD strings; a driver that hands back a Date (PGlite clones) is corrected here. */
function dateString(value: unknown): string {
  return value instanceof Date ? value.toISOString().slice(0, 10) : String(value);
}

function toRequest(row: RequestRow): SharingRequest {
  return {
    id: row.id,
    resource: row.resource_code,
    resourceName: row.resource_name,
    providerDepartmentId: row.provider_department_id,
    providerDepartmentName: row.provider_department_name,
    consumerDepartmentId: row.consumer_department_id,
    consumerDepartmentName: row.consumer_department_name,
    requestedByName: row.requested_by_name,
    purpose: row.purpose,
    legalBasis: row.legal_basis,
    fields: row.fields,
    expiresOn: dateString(row.expires_on),
    status: row.status,
    decidedByName: row.decided_by_name,
    decidedAt: row.decided_at ? row.decided_at.toISOString() : null,
    decisionNote: row.decision_note,
    grantId: row.grant_id,
    createdAt: row.created_at.toISOString(),
  };
}

function toGrant(row: GrantRow, now: Date): Grant {
  return {
    id: row.id,
    requestId: row.request_id,
    resource: row.resource_code,
    resourceName: row.resource_name,
    providerDepartmentId: row.provider_department_id,
    providerDepartmentName: row.provider_department_name,
    consumerDepartmentId: row.consumer_department_id,
    consumerDepartmentName: row.consumer_department_name,
    fields: row.fields,
    purpose: row.purpose,
    legalBasis: row.legal_basis,
    expiresAt: row.expires_at.toISOString(),
    rateLimitPerMinute: row.rate_limit_per_minute,
    grantedByName: row.granted_by_name,
    grantedAt: row.granted_at.toISOString(),
    status: row.revoked_at ? "revoked" : row.expires_at <= now ? "expired" : "active",
    revokedAt: row.revoked_at ? row.revoked_at.toISOString() : null,
    revokeReason: row.revoke_reason,
  };
}

/** What item 6 (materials fetched at application time) passes to `queryForApplication`. */
export interface ApplicationDataRequest {
  /** Who triggers the fetch: the applicant submitting, or staff handling the case. */
  actor: Actor;
  application: { id: string; departmentId: string; classification: Classification };
  /** The applicant, whose consent covers their own data only. */
  applicant: { idNumber: string | null; creditCode: string | null };
  /** When the applicant consented; without consent nothing is fetched. */
  consentAt: Date | null;
  /** The full resource code (see `resourceCodeFor`). */
  resource: string;
  fields?: string[];
  /** e.g. "办件 350100-20261130-000123：户口簿" — shown to the applicant under "who read my data". */
  purpose: string;
}

export function createExchangeService(deps: {
  db: Db;
  clock: Clock;
  ids: Ids;
  keys: KeyStore;
  departments: DepartmentsService;
  /** Tests may pass connectors of the same interface; production uses HTTP and the data pools. */
  connectors?: Partial<{ http: Connector; table: Connector }>;
  unconditionalPerMinute?: number;
  /** PostgreSQL's LISTEN/NOTIFY, when several server processes share the database (absent on PGlite). */
  listen?: Database["listen"];
}) {
  const { db, clock, ids, departments } = deps;
  const signer = gatewaySigner(deps.keys.getOrCreate("exchange-gateway-key", generateGatewayKey));
  const subjectKey = deps.keys.getOrCreate("exchange-subject-key", () => ids.token(32));

  // The gateway reads catalogue entries on every query; they change seldom, so it keeps them for a
  // moment. A change made here clears the entry at once; one made by another server process as soon
  // as its notice arrives (below), and within RESOURCE_CACHE_MS at the latest.
  const cached = new Map<string, { model: ResourceModel; until: number }>();

  // The gateway reads the consumer's grants on every query. They change only by a decision or a
  // revocation, so they are kept in memory and dropped on every change: at once in the process that
  // made it, and in the others when they hear it over LISTEN/NOTIFY (before the deciding steward is
  // answered). A process that is not listening (its channel is down) does not use the cache at all, so
  // a revocation can never be missed; PGlite belongs to one process, which sees every change itself.
  const grantCache = new Map<string, Promise<GatewayGrantRow[]>>();
  let grantCacheOn = !deps.listen;
  let channel: NotifyChannel | undefined;
  const forgetAll = () => {
    grantCache.clear();
    cached.clear();
  };
  const listening = deps
    .listen?.(
      CHANGES_CHANNEL,
      () => {
        forgetAll();
        grantCacheOn = true;
      },
      () => {
        grantCacheOn = false;
        forgetAll();
      },
    )
    .then((opened) => {
      channel = opened;
      grantCacheOn = true;
    })
    .catch(() => {
      grantCacheOn = false;
    });
  async function loadGrants(consumerDepartmentId: string, resourceIds: string[]): Promise<GatewayGrantRow[]> {
    if (!grantCacheOn) return repo.grantsFor(db, consumerDepartmentId, resourceIds);
    const key = `${consumerDepartmentId}|${[...resourceIds].sort().join(",")}`;
    let found = grantCache.get(key);
    if (!found) {
      if (grantCache.size >= GRANT_CACHE_ENTRIES) grantCache.clear();
      found = repo.grantsFor(db, consumerDepartmentId, resourceIds);
      grantCache.set(key, found);
      // A failed read is not remembered.
      found.catch(() => grantCache.delete(key));
    }
    return found;
  }
  /** After a grant or a resource changed: forget here, and tell the other processes. */
  async function changed(resourceCode?: string) {
    grantCache.clear();
    if (resourceCode) cached.delete(resourceCode);
    await channel?.notify();
  }
  async function loadResources(codes: string[]): Promise<ResourceModel[]> {
    const now = Date.now();
    const missing = codes.filter((c) => (cached.get(c)?.until ?? 0) <= now);
    if (missing.length > 0) {
      for (const row of await repo.findResources(db, missing)) {
        cached.set(row.code, { model: toModel(row), until: now + RESOURCE_CACHE_MS });
      }
    }
    return codes.flatMap((c) => {
      const entry = cached.get(c);
      return entry && entry.until > now ? [entry.model] : [];
    });
  }

  async function requireResource(code: string): Promise<ResourceModel> {
    const row = await repo.findResource(db, code);
    if (!row) throw new AppError("DATA_RESOURCE_NOT_FOUND", { code });
    return toModel(row);
  }

  const gateway = createGateway({
    db,
    clock,
    ids,
    subjectKey,
    loadResources,
    loadGrants,
    unconditionalPerMinute: deps.unconditionalPerMinute,
    connectors: {
      http: deps.connectors?.http ?? httpConnector({ signer }),
      table: deps.connectors?.table ?? tableConnector({ db }),
    },
  });

  /** Checks a definition, with the sources of a thematic database; answers the fields to store. */
  async function checked(definition: ResourceDefinition, self?: string) {
    const sourceCodes = definition.fields.flatMap((f) => (f.from ? [f.from.resource] : []));
    const sources = new Map((await loadResources([...new Set(sourceCodes)])).map((m) => [m.code, m]));
    const { issues, fields } = checkDefinition(definition, sources, self);
    if (issues.length > 0) throw fieldError(issues);
    return fields;
  }

  function checkExpiry(expiresOn: string, field: string, latest?: string): FieldIssue[] {
    const today = chinaDate(clock.now());
    const limit = `${Number(today.slice(0, 4)) + MAX_GRANT_YEARS}${today.slice(4)}`;
    if (!isRealDate(expiresOn)) return [{ field, reason: "INVALID_FORMAT", message: "Not a calendar date" }];
    if (expiresOn < today) return [{ field, reason: "IN_PAST", message: "The last day cannot be in the past" }];
    if (expiresOn > limit) {
      return [{ field, reason: "TOO_LATE", message: `A grant runs at most ${MAX_GRANT_YEARS} years (until ${limit})` }];
    }
    if (latest && expiresOn > latest) {
      return [{ field, reason: "TOO_LATE", message: `The request asked until ${latest}; a grant cannot run longer` }];
    }
    return [];
  }

  function requireDepartment(actor: Actor): string {
    if (!actor.departmentId) throw new AppError("FORBIDDEN", { reason: "staff of a department only" });
    return actor.departmentId;
  }

  function sharingScope(actor: Actor, side: "incoming" | "outgoing" | undefined) {
    const departmentId = requireDepartment(actor);
    const steward = actor.roles.includes("data_steward");
    if (side === "incoming" && !steward) {
      throw new AppError("FORBIDDEN", { action: "exchange.manage", reason: "data stewards only" });
    }
    return {
      providerDepartmentId: side !== "outgoing" && steward ? departmentId : undefined,
      consumerDepartmentId: side !== "incoming" ? departmentId : undefined,
    };
  }

  return {
    /** Waits for the queries being recorded, and stops listening for other processes' changes. */
    async close() {
      await gateway.drain();
      await listening;
      await channel?.close();
    },

    gatewayKey(): GatewayKey {
      return { keyId: signer.keyId, algorithm: "ed25519", publicKey: signer.publicKey };
    },

    async listResources(actor: Actor, query: DataResourceQuery): Promise<DataResourceSummary[]> {
      authorize(actor, "exchange.browse");
      const rows = await repo.listResources(db, { ...query, q: query.q?.toLowerCase() });
      return rows.map((row) => toSummary(toModel(row)));
    },

    async getResource(actor: Actor, code: string): Promise<DataResource> {
      authorize(actor, "exchange.browse");
      return toDataResource(await requireResource(code));
    },

    async createResource(actor: Actor, input: CreateDataResource): Promise<DataResource> {
      const departmentId = requireDepartment(actor);
      authorize(actor, "exchange.manage", { departmentId });
      const department = await departments.requireById(departmentId);
      const code = `${department.regionCode}.${department.code}.${input.localCode}`;
      const fields = await checked(input, code);
      if (await repo.findResource(db, code)) throw new AppError("DATA_RESOURCE_EXISTS", { code });
      const now = clock.now();
      const id = ids.uuid();
      const definition = { ...input, fields, code };
      await db.transaction().execute(async (trx) => {
        await repo.insertResource(trx, {
          id,
          code,
          region_code: department.regionCode,
          department_id: departmentId,
          name: input.name,
          name_en: input.nameEn ?? null,
          description: input.description,
          fields: JSON.stringify(fields),
          sharing_class: input.sharingClass,
          legal_basis: JSON.stringify(input.legalBasis),
          update_frequency: input.updateFrequency,
          access_method: input.accessMethod,
          key_field: input.keyField ?? null,
          connector: JSON.stringify(input.connector),
          search_text: searchTextOf(definition),
          created_by: actor.accountId,
          created_at: now,
          updated_at: now,
        });
        await recordChange(trx, {
          type: "data_resource.created",
          subject: code,
          actor: actor.accountId,
          at: now,
          facts: {
            sharingClass: input.sharingClass,
            hash: createHash("sha256").update(canonicalJson(definition)).digest("hex"),
          },
        });
      });
      await changed(code);
      return toDataResource(await requireResource(code));
    },

    async updateResource(actor: Actor, code: string, patch: UpdateDataResource): Promise<DataResource> {
      const current = await requireResource(code);
      authorize(actor, "exchange.manage", { departmentId: current.departmentId });
      const merged: ResourceDefinition = {
        name: patch.name ?? current.name,
        nameEn: patch.nameEn ?? current.nameEn,
        description: patch.description ?? current.description,
        fields: patch.fields ?? current.fields,
        sharingClass: patch.sharingClass ?? current.sharingClass,
        legalBasis: patch.legalBasis ?? current.legalBasis,
        updateFrequency: patch.updateFrequency ?? current.updateFrequency,
        accessMethod: patch.accessMethod ?? current.accessMethod,
        keyField: patch.keyField ?? current.keyField,
        connector: patch.connector ?? current.connector,
      };
      const fields = await checked(merged, code);
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        await repo.updateResource(trx, current.id, {
          name: merged.name,
          name_en: merged.nameEn ?? null,
          description: merged.description,
          fields: JSON.stringify(fields),
          sharing_class: merged.sharingClass,
          legal_basis: JSON.stringify(merged.legalBasis),
          update_frequency: merged.updateFrequency,
          access_method: merged.accessMethod,
          key_field: merged.keyField ?? null,
          connector: JSON.stringify(merged.connector),
          search_text: searchTextOf({ ...merged, fields, code }),
          updated_at: now,
        });
        await recordChange(trx, {
          type: "data_resource.updated",
          subject: code,
          actor: actor.accountId,
          at: now,
          facts: {
            changed: Object.keys(patch).sort(),
            sharingClass: merged.sharingClass,
            hash: createHash("sha256")
              .update(canonicalJson({ ...merged, fields, code }))
              .digest("hex"),
          },
        });
      });
      await changed(code);
      return toDataResource(await requireResource(code));
    },

    /** Loads records into a resource's data pool, replacing those with the same key. */
    async loadPool(actor: Actor, code: string, records: Record<string, unknown>[]): Promise<{ loaded: number }> {
      const resource = await requireResource(code);
      authorize(actor, "exchange.manage", { departmentId: resource.departmentId });
      if (resource.connector.kind !== "table") throw new AppError("DATA_POOL_NOT_USED", { code });
      const keyField = resource.keyField;
      const names = new Set(resource.fields.map((f) => f.name));
      const issues: FieldIssue[] = [];
      const rows = records.map((record, i) => {
        for (const name of Object.keys(record)) {
          if (!names.has(name)) {
            issues.push({
              field: `records.${i}.${name}`,
              reason: "UNKNOWN_FIELD",
              message: "Not a field of this resource",
            });
          }
        }
        try {
          checkRecords(resource.fields, [record], { limit: 1 });
        } catch (error) {
          const problem = String((error as { detail?: { problem?: string } }).detail?.problem ?? "not valid");
          const field = resource.fields.find((f) => problem.includes(` ${f.name} `))?.name;
          issues.push({
            field: `records.${i}${field ? `.${field}` : ""}`,
            reason: "INVALID_TYPE",
            message: problem.replace(/^record 0: /, ""),
          });
        }
        const key = keyField ? record[keyField] : undefined;
        if (keyField && (typeof key !== "string" || key.length === 0)) {
          issues.push({ field: `records.${i}.${keyField}`, reason: "REQUIRED", message: "Each record needs its key" });
        }
        return {
          key: keyField ? String(key) : createHash("sha256").update(canonicalJson(record)).digest("hex"),
          data: record,
        };
      });
      if (issues.length > 0) throw fieldError(issues);
      const unique = [...new Map(rows.map((r) => [r.key, r])).values()];
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        await repo.upsertPoolRecords(trx, resource.id, unique, now);
        await recordChange(trx, {
          type: "data_pool.loaded",
          subject: code,
          actor: actor.accountId,
          at: now,
          facts: { records: unique.length, hash: createHash("sha256").update(canonicalJson(unique)).digest("hex") },
        });
      });
      return { loaded: unique.length };
    },

    async createRequest(actor: Actor, input: CreateSharingRequest): Promise<SharingRequest> {
      authorize(actor, "exchange.request");
      const departmentId = requireDepartment(actor);
      const row = await repo.findResource(db, input.resource);
      if (!row) throw fieldError([{ field: "resource", reason: "NOT_FOUND", message: "No such data resource" }]);
      const resource = toModel(row);
      if (resource.sharingClass === "none") {
        throw new AppError("EXCHANGE_NOT_SHAREABLE", { resource: resource.code, legalBasis: resource.legalBasis });
      }
      if (resource.departmentId === departmentId) {
        throw new AppError("EXCHANGE_NO_REQUEST_NEEDED", { resource: resource.code, reason: "own" });
      }
      if (resource.connector.kind === "thematic") {
        throw new AppError("EXCHANGE_NO_REQUEST_NEEDED", {
          resource: resource.code,
          reason: "thematic",
          sources: [...new Set(resource.fields.map((f) => f.from?.resource))],
        });
      }
      if (resource.sharingClass === "unconditional") {
        throw new AppError("EXCHANGE_NO_REQUEST_NEEDED", { resource: resource.code, reason: "unconditional" });
      }
      const names = new Set(resource.fields.map((f) => f.name));
      const issues: FieldIssue[] = input.fields.flatMap((f, i) =>
        names.has(f)
          ? []
          : [{ field: `fields.${i}`, reason: "NOT_FOUND", message: `${resource.code} has no field ${f}` }],
      );
      issues.push(...checkExpiry(input.expiresOn, "expiresOn"));
      if (issues.length > 0) throw fieldError(issues);
      const id = ids.uuid();
      const now = clock.now();
      const fields = [...new Set(input.fields)];
      await db.transaction().execute(async (trx) => {
        await repo.insertRequest(trx, {
          id,
          resource_id: resource.id,
          consumer_department_id: departmentId,
          requested_by: actor.accountId,
          purpose: input.purpose,
          legal_basis: input.legalBasis,
          fields,
          expires_on: input.expiresOn,
          status: "pending",
          decided_by: null,
          decided_at: null,
          decision_note: null,
          created_at: now,
        });
        await recordChange(trx, {
          type: "sharing.requested",
          subject: id,
          actor: actor.accountId,
          at: now,
          facts: { resource: resource.code, consumerDepartmentId: departmentId, fields, expiresOn: input.expiresOn },
        });
      });
      return toRequest((await repo.findRequest(db, id)) as RequestRow);
    },

    async getRequest(actor: Actor, id: string): Promise<SharingRequest> {
      const row = await repo.findRequest(db, id);
      const visible =
        row &&
        (row.consumer_department_id === actor.departmentId ||
          decide(actor, "exchange.manage", { departmentId: row.provider_department_id }).allowed);
      if (!row || !visible) throw new AppError("SHARING_REQUEST_NOT_FOUND", { id });
      return toRequest(row);
    },

    async listRequests(actor: Actor, query: SharingRequestQuery): Promise<SharingRequest[]> {
      authorize(actor, "exchange.browse");
      const rows = await repo.listRequests(db, {
        ...sharingScope(actor, query.side),
        resourceCode: query.resource,
        status: query.status,
        limit: query.limit,
        offset: query.offset,
      });
      return rows.map(toRequest);
    },

    /** The provider's steward approves (possibly fewer fields, an earlier end) or refuses with reasons. */
    async decide(actor: Actor, id: string, decision: SharingDecision): Promise<SharingRequest> {
      const row = await repo.findRequest(db, id);
      if (!row) throw new AppError("SHARING_REQUEST_NOT_FOUND", { id });
      authorize(actor, "exchange.manage", { departmentId: row.provider_department_id });
      const requestedUntil = toRequest(row).expiresOn;
      const now = clock.now();
      if (decision.decision === "approve") {
        const resource = await requireResource(row.resource_code);
        if (resource.sharingClass === "none") {
          throw new AppError("EXCHANGE_NOT_SHAREABLE", { resource: resource.code, legalBasis: resource.legalBasis });
        }
        const issues: FieldIssue[] = (decision.fields ?? []).flatMap((f, i) =>
          row.fields.includes(f)
            ? []
            : [
                {
                  field: `fields.${i}`,
                  reason: "NOT_REQUESTED",
                  message: `${f} was not asked for; grant fewer, not more`,
                },
              ],
        );
        const names = new Set(resource.fields.map((f) => f.name));
        const fields = [...new Set(decision.fields ?? row.fields)].filter((f) => names.has(f));
        if (issues.length === 0 && fields.length === 0) {
          issues.push({ field: "fields", reason: "REQUIRED", message: "None of the fields asked for exists any more" });
        }
        const expiresOn = decision.expiresOn ?? requestedUntil;
        issues.push(...checkExpiry(expiresOn, "expiresOn", requestedUntil));
        if (issues.length > 0) throw fieldError(issues);
        const grantId = ids.uuid();
        await db.transaction().execute(async (trx) => {
          const locked = await repo.lockRequest(trx, id);
          if (locked?.status !== "pending")
            throw new AppError("SHARING_REQUEST_DECIDED", { id, status: locked?.status });
          await repo.decideRequest(trx, id, {
            status: "approved",
            decided_by: actor.accountId,
            decided_at: now,
            decision_note: decision.note ?? null,
          });
          await repo.insertGrant(trx, {
            id: grantId,
            request_id: id,
            resource_id: row.resource_id,
            consumer_department_id: row.consumer_department_id,
            fields,
            purpose: row.purpose,
            legal_basis: row.legal_basis,
            expires_at: endOfChinaDay(expiresOn),
            rate_limit_per_minute: decision.rateLimitPerMinute,
            granted_by: actor.accountId,
            granted_at: now,
            revoked_at: null,
            revoked_by: null,
            revoke_reason: null,
          });
          await recordChange(trx, {
            type: "sharing.approved",
            subject: id,
            actor: actor.accountId,
            at: now,
            facts: {
              grantId,
              resource: row.resource_code,
              fields,
              expiresOn,
              rateLimitPerMinute: decision.rateLimitPerMinute,
            },
          });
        });
      } else {
        await db.transaction().execute(async (trx) => {
          const locked = await repo.lockRequest(trx, id);
          if (locked?.status !== "pending")
            throw new AppError("SHARING_REQUEST_DECIDED", { id, status: locked?.status });
          await repo.decideRequest(trx, id, {
            status: "refused",
            decided_by: actor.accountId,
            decided_at: now,
            decision_note: decision.reason,
          });
          await recordChange(trx, {
            type: "sharing.refused",
            subject: id,
            actor: actor.accountId,
            at: now,
            facts: { resource: row.resource_code },
          });
        });
      }
      await changed();
      return toRequest((await repo.findRequest(db, id)) as RequestRow);
    },

    async listGrants(actor: Actor, query: GrantQuery): Promise<Grant[]> {
      authorize(actor, "exchange.browse");
      const now = clock.now();
      const rows = await repo.listGrants(db, {
        ...sharingScope(actor, query.side),
        resourceCode: query.resource,
        status: query.status,
        limit: query.limit,
        offset: query.offset,
        now,
      });
      return rows.map((row) => toGrant(row, now));
    },

    async revokeGrant(actor: Actor, id: string, reason: string): Promise<Grant> {
      const row = await repo.findGrant(db, id);
      if (!row) throw new AppError("GRANT_NOT_FOUND", { id });
      authorize(actor, "exchange.manage", { departmentId: row.provider_department_id });
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        const locked = await repo.lockGrant(trx, id);
        if (locked?.revoked_at) throw new AppError("GRANT_ALREADY_REVOKED", { id });
        await repo.revokeGrant(trx, id, { revoked_at: now, revoked_by: actor.accountId, revoke_reason: reason });
        await recordChange(trx, {
          type: "grant.revoked",
          subject: id,
          actor: actor.accountId,
          at: now,
          facts: { resource: row.resource_code, consumerDepartmentId: row.consumer_department_id },
        });
      });
      await changed();
      return toGrant((await repo.findGrant(db, id)) as GrantRow, now);
    },

    /**
     * A query through the gateway by staff, for their department. `prepare` is given the answer while
     * the query's record commits (the route serialises it then); its result is answered after the commit.
     */
    query<T = ExchangeAnswer>(actor: Actor, input: ExchangeQuery, prepare?: (answer: ExchangeAnswer) => T): Promise<T> {
      return gateway.run(
        {
          actor,
          consumerDepartmentId: actor.departmentId,
          resource: input.resource,
          key: input.key,
          purpose: input.purpose,
          grant: input.grant,
          fields: input.fields,
          offset: input.offset,
          limit: input.limit,
        },
        prepare,
      );
    },

    /**
     * For the applications module (材料免提交): fetches a material's data about the applicant with
     * their consent, for the case's competent department. The consent stands in for a grant, but only
     * for the applicant's own records, never for a resource that is not shared, and only up to the
     * case's classification. The caller has checked that `actor` may act on the application.
     */
    async queryForApplication(input: ApplicationDataRequest): Promise<ExchangeAnswer> {
      const subject = input.applicant.idNumber
        ? { type: "id_number" as const, value: input.applicant.idNumber }
        : input.applicant.creditCode
          ? { type: "credit_code" as const, value: input.applicant.creditCode }
          : undefined;
      if (!input.consentAt || !subject) {
        throw new AppError("EXCHANGE_CONSENT_MISMATCH", { reason: input.consentAt ? "no identifier" : "no consent" });
      }
      return gateway.run({
        actor: input.actor,
        consumerDepartmentId: input.application.departmentId,
        resource: input.resource,
        key: subject.value,
        purpose: input.purpose,
        fields: input.fields,
        offset: 0,
        limit: 20,
        consent: { applicationId: input.application.id, subject, classification: input.application.classification },
      });
    },

    /**
     * What fetching from these resources for a case of `classification` would read: each resource's
     * name, its department and the fields the case may receive (shown before the applicant consents).
     */
    async describeForApplication(codes: string[], classification: Classification) {
      const models = await loadResources([...new Set(codes)]);
      return new Map(
        models.map((m) => [
          m.code,
          {
            name: m.name,
            departmentName: m.departmentName,
            fields: m.fields
              .filter((f) => classificationRank[f.classification] <= classificationRank[classification])
              .map((f) => ({ name: f.name, label: f.label })),
          },
        ]),
      );
    },

    /** Every access to data about the logged-in resident or enterprise, newest first. */
    async myDataAccess(
      actor: Actor,
      identifiers: { idNumber: string | null; creditCode: string | null },
      query: DataAccessQuery,
    ): Promise<DataAccessItem[]> {
      authorize(actor, "data_access.read", { ownerId: actor.accountId });
      const refs = [
        ...(identifiers.idNumber ? [gateway.subjectRef("id_number", identifiers.idNumber)] : []),
        ...(identifiers.creditCode ? [gateway.subjectRef("credit_code", identifiers.creditCode)] : []),
      ];
      if (refs.length === 0) return [];
      const rows = await repo.accessesOfSubjects(db, refs, query);
      return rows.map((row) => ({
        id: row.id,
        at: row.at.toISOString(),
        resource: row.resource_code,
        resourceName: row.resource_name,
        providerDepartmentName: row.provider_department_name,
        consumerDepartmentName: row.consumer_department_name,
        consumerRegionCode: row.consumer_region_code,
        purpose: row.purpose,
        basis: row.basis,
        fields: row.fields,
        outcome: row.outcome,
        ledgerIndex: row.ledger_idx === null || row.ledger_idx === undefined ? null : Number(row.ledger_idx),
      }));
    },
  };
}
export type ExchangeService = ReturnType<typeof createExchangeService>;
