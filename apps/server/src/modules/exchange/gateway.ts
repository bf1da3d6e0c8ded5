// The exchange gateway (交换网关): every query for another department's data goes through here.
// It checks the basis of the query (own data, unconditional sharing, a grant, the applicant's consent),
// the fields against the basis and the asker's clearance, the grant's rate; fetches through the
// resource's connector; checks the answer; lets only the allowed fields out, masked; and records the
// query — allowed, refused or failed — with its ledger entry in one transaction.
import { createHmac, createSecretKey, hash } from "node:crypto";
import {
  type AccessBasis,
  type AccessOutcome,
  type Classification,
  checkCreditCode,
  checkIdNumber,
  classificationRank,
  type ErrorCode,
  type ExchangeAnswer,
  type FieldValue,
  type ResourceField,
  type SecuritySeverity,
} from "@tongban/contracts";
import type { Insertable } from "kysely";
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import type { Db } from "../../db/database.ts";
import type { DataAccessesTable } from "../../db/schema.ts";
import { AppError, fieldError } from "../../http/errors.ts";
import { canonicalJson } from "../../lib/canonical-json.ts";
import { groupCommit } from "../../lib/group-commit.ts";
import { type Actor, decide } from "../../policy/policy.ts";
import type { Clock, Ids } from "../../ports/index.ts";
import type { ChangeRecord } from "../ledger/outbox.ts";
import type { SecurityEventRecord } from "../security/security-events.ts";
import { type Connector, ProviderError } from "./connectors.ts";
import { exchangeRepository as repo } from "./exchange.repository.ts";
import { maskValue } from "./masking.ts";
import type { ResourceModel } from "./model.ts";
import { checkRecords } from "./records.ts";

export type GrantRow = Awaited<ReturnType<typeof repo.grantsFor>>[number];

/** One query's record: its ledger change, its access row and, for some refusals, a security event. */
interface AccessRecord {
  change: ChangeRecord;
  access: Omit<Insertable<DataAccessesTable>, "outbox_id">;
  event?: SecurityEventRecord;
}

/** Refusals that are security events, with their type and severity. */
const securityEvents: Partial<Record<ErrorCode, { type: string; severity: SecuritySeverity }>> = {
  FORBIDDEN: { type: "exchange.forbidden", severity: "medium" },
  EXCHANGE_NOT_SHAREABLE: { type: "exchange.not_shareable", severity: "high" },
  EXCHANGE_NO_GRANT: { type: "exchange.no_grant", severity: "medium" },
  EXCHANGE_GRANT_EXPIRED: { type: "exchange.grant_expired", severity: "low" },
  EXCHANGE_GRANT_REVOKED: { type: "exchange.grant_revoked", severity: "medium" },
  EXCHANGE_GRANT_NOT_YOURS: { type: "exchange.grant_not_yours", severity: "high" },
  EXCHANGE_BEYOND_GRANT: { type: "exchange.beyond_grant", severity: "high" },
  EXCHANGE_CLEARANCE_INSUFFICIENT: { type: "exchange.clearance_insufficient", severity: "medium" },
  EXCHANGE_CONSENT_MISMATCH: { type: "exchange.consent_mismatch", severity: "high" },
  EXCHANGE_RATE_LIMITED: { type: "exchange.rate_limited", severity: "medium" },
};

/** The applicant's consent (授权) for an application: it covers the applicant's own data only. */
export interface Consent {
  applicationId: string;
  subject: { type: "id_number" | "credit_code"; value: string };
  /** Fields classified above this are not fetched for the case. */
  classification: Classification;
}

export interface GatewayRequest {
  actor: Actor;
  /** The department asking: the actor's, or the competent department of an application. */
  consumerDepartmentId: string | null;
  resource: string;
  key?: string;
  purpose: string;
  grant?: string;
  fields?: string[];
  offset: number;
  limit: number;
  consent?: Consent;
}

/** One source resource a query reads, with the basis it reads it on. */
interface Part {
  resource: ResourceModel;
  /** Source field → the name it has in the answer (differs in thematic databases). */
  output: Map<string, string>;
  basis: AccessBasis;
  grant: GrantRow | null;
  limit?: { key: string; perMinute: number };
}

interface Trail {
  id: string;
  at: Date;
  resource: ResourceModel | null;
  basis: AccessBasis;
  grantId: string | null;
  fields: string[];
  subjectRefs: Set<string>;
  /** The identifiers already referenced (`type:value`), so each is keyed once per query. */
  subjects: Set<string>;
  components: { resource: string; basis: AccessBasis; grant: string | null }[];
}

const rank = (c: Classification) => classificationRank[c];
// One-shot hashing: no Hash object per call (a few µs each, several times a query).
const sha256 = (text: string) => hash("sha256", text);

export function createGateway(deps: {
  db: Db;
  clock: Clock;
  ids: Ids;
  connectors: { http: Connector; table: Connector };
  /** HMAC key for data subjects' references (keyed, so the table cannot be reversed by guessing). */
  subjectKey: string;
  loadResources: (codes: string[]) => Promise<ResourceModel[]>;
  /** The consumer department's grants on these resources (the service may keep them in memory). */
  loadGrants: (consumerDepartmentId: string, resourceIds: string[]) => Promise<GrantRow[]>;
  /** Queries per minute per department on an unconditionally shared resource. */
  unconditionalPerMinute?: number;
}) {
  const { db, clock, ids } = deps;
  const limiters = new Map<number, RateLimiterMemory>();
  const unconditionalPerMinute = deps.unconditionalPerMinute ?? 600;

  // Every query's record is durable before the query answers, but concurrent queries share the
  // statement that makes them so (group commit): one INSERT … (its own transaction, one commit) for
  // however many queries arrived while the previous batch was being written.
  const accessLog = groupCommit<AccessRecord>((records) => repo.insertAccessRecords(db, records), {
    maxBatch: 200,
    concurrency: 2,
  });

  // The HMAC key as a key object, made once: the same bytes (a string key is its UTF-8), not re-read per call.
  const subjectKey = createSecretKey(Buffer.from(deps.subjectKey, "utf8"));
  function subjectRef(type: "id_number" | "credit_code", value: string): string {
    return createHmac("sha256", subjectKey).update(`${type}:${value}`).digest("hex");
  }

  /** Adds a data subject to the query's record; the key and the records usually name the same one. */
  function addSubject(trail: Trail, type: "id_number" | "credit_code", value: string) {
    const seen = `${type}:${value}`;
    if (trail.subjects.has(seen)) return;
    trail.subjects.add(seen);
    trail.subjectRefs.add(subjectRef(type, value));
  }

  function limiter(perMinute: number) {
    let found = limiters.get(perMinute);
    if (!found) {
      found = new RateLimiterMemory({ points: perMinute, duration: 60 });
      limiters.set(perMinute, found);
    }
    return found;
  }

  /** Decides on what basis the consumer reads `resource`, and which of its fields that basis allows. */
  function basisFor(
    request: GatewayRequest,
    resource: ResourceModel,
    grants: GrantRow[],
    wanted: string[] | undefined,
    now: Date,
  ): { basis: AccessBasis; grant: GrantRow | null; allowed: Set<string> } {
    const all = new Set(resource.fields.map((f) => f.name));
    if (resource.sharingClass === "none" && resource.departmentId !== request.consumerDepartmentId) {
      throw new AppError("EXCHANGE_NOT_SHAREABLE", { resource: resource.code, legalBasis: resource.legalBasis });
    }
    if (request.consent) return { basis: "consent", grant: null, allowed: all };
    if (resource.departmentId === request.consumerDepartmentId && !request.grant) {
      return { basis: "own", grant: null, allowed: all };
    }
    const usable = (g: GrantRow) => g.revoked_at === null && g.expires_at > now;
    if (request.grant) {
      const grant = grants.find((g) => g.id === request.grant);
      if (!grant) throw new AppError("EXCHANGE_GRANT_NOT_YOURS", { grant: request.grant, resource: resource.code });
      if (grant.revoked_at) throw new AppError("EXCHANGE_GRANT_REVOKED", { grant: grant.id });
      if (grant.expires_at <= now) {
        throw new AppError("EXCHANGE_GRANT_EXPIRED", { grant: grant.id, expiredAt: grant.expires_at.toISOString() });
      }
      return { basis: "grant", grant, allowed: new Set(grant.fields) };
    }
    if (resource.sharingClass === "unconditional") return { basis: "unconditional", grant: null, allowed: all };
    const held = grants.filter((g) => g.resource_id === resource.id);
    const active = held.filter(usable);
    if (active.length === 0) {
      const latest = [...held].sort((a, b) => b.granted_at.getTime() - a.granted_at.getTime())[0];
      if (latest?.revoked_at) throw new AppError("EXCHANGE_GRANT_REVOKED", { grant: latest.id });
      if (latest) {
        throw new AppError("EXCHANGE_GRANT_EXPIRED", { grant: latest.id, expiredAt: latest.expires_at.toISOString() });
      }
      throw new AppError("EXCHANGE_NO_GRANT", { resource: resource.code });
    }
    const covering = active
      .filter((g) => !wanted || wanted.every((f) => g.fields.includes(f)))
      .sort((a, b) => b.expires_at.getTime() - a.expires_at.getTime());
    const grant = covering[0];
    if (!grant) {
      const granted = new Set(active.flatMap((g) => g.fields));
      throw new AppError("EXCHANGE_BEYOND_GRANT", {
        resource: resource.code,
        notGranted: (wanted ?? []).filter((f) => !granted.has(f)),
      });
    }
    return { basis: "grant", grant, allowed: new Set(grant.fields) };
  }

  /** Picks the fields to answer: those asked for (each within the basis and clearance), or all allowed. */
  function chooseFields(
    request: GatewayRequest,
    resource: ResourceModel,
    allowed: Set<string>,
    wanted: string[] | undefined,
    grant: GrantRow | null,
  ): ResourceField[] {
    const cap = request.consent ? request.consent.classification : request.actor.clearance;
    if (wanted) {
      const beyond = wanted.filter((f) => !allowed.has(f));
      if (beyond.length > 0) {
        throw new AppError("EXCHANGE_BEYOND_GRANT", {
          resource: resource.code,
          grant: grant?.id ?? null,
          notGranted: beyond,
        });
      }
      const fields = wanted.map((name) => resource.fields.find((f) => f.name === name) as ResourceField);
      const tooHigh = fields.filter((f) => rank(f.classification) > rank(cap));
      if (tooHigh.length > 0) {
        throw new AppError("EXCHANGE_CLEARANCE_INSUFFICIENT", {
          fields: tooHigh.map((f) => ({ field: f.name, classification: f.classification })),
          clearance: cap,
        });
      }
      return fields;
    }
    const fields = resource.fields.filter((f) => allowed.has(f.name) && rank(f.classification) <= rank(cap));
    if (fields.length === 0) throw new AppError("EXCHANGE_CLEARANCE_INSUFFICIENT", { clearance: cap });
    return fields;
  }

  function checkKey(resource: ResourceModel, keyField: ResourceField | undefined, key: string | undefined) {
    if (key === undefined) {
      if (resource.accessMethod === "api") {
        throw fieldError([
          { field: "key", reason: "REQUIRED", message: `Give the ${keyField?.label ?? "key"} to query` },
        ]);
      }
      return undefined;
    }
    if (!keyField) {
      throw fieldError([{ field: "key", reason: "UNKNOWN_FIELD", message: "This dataset is not filtered by key" }]);
    }
    if (keyField.type === "id_number") {
      const checked = checkIdNumber(key, clock.now());
      if (!checked.ok) throw fieldError([{ field: "key", ...checked.problem }]);
      return checked.value;
    }
    if (keyField.type === "credit_code") {
      const checked = checkCreditCode(key);
      if (!checked.ok) throw fieldError([{ field: "key", ...checked.problem }]);
      return checked.value;
    }
    return key;
  }

  async function consume(parts: Part[]) {
    for (const part of parts) {
      if (!part.limit) continue;
      try {
        await limiter(part.limit.perMinute).consume(part.limit.key);
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        throw new AppError("EXCHANGE_RATE_LIMITED", {
          grant: part.grant?.id ?? null,
          perMinute: part.limit.perMinute,
          retryAfterSeconds: Math.ceil(rejection.msBeforeNext / 1000),
        });
      }
    }
  }

  /** Works out what the query reads, on which basis, checking everything that can be checked before fetching. */
  async function plan(request: GatewayRequest, resource: ResourceModel, trail: Trail, now: Date) {
    const names = new Map(resource.fields.map((f) => [f.name, f]));
    const unknown = (request.fields ?? []).map((f, i) => ({ f, i })).filter(({ f }) => !names.has(f));
    if (unknown.length > 0) {
      throw fieldError(
        unknown.map(({ f, i }) => ({
          field: `fields.${i}`,
          reason: "NOT_FOUND",
          message: `${resource.code} has no field ${f}`,
        })),
      );
    }
    const wanted = request.fields ? [...new Set(request.fields)] : undefined;
    const thematic = resource.connector.kind === "thematic";
    if (thematic && request.grant) {
      throw fieldError([
        {
          field: "grant",
          reason: "INVALID_VALUE",
          message: "A thematic database is read under the grants on its sources",
        },
      ]);
    }
    const keyFieldDef = resource.fields.find((f) => f.name === resource.keyField);
    const sources = thematic
      ? await deps.loadResources([...new Set(resource.fields.map((f) => f.from?.resource as string))])
      : [resource];
    const sourceById = new Map(sources.map((s) => [s.code, s]));
    // A thematic field's type and key type are its source's, as they are now.
    const keyType = thematic
      ? sourceById.get(keyFieldDef?.from?.resource as string)?.fields.find((f) => f.name === keyFieldDef?.from?.field)
          ?.type
      : keyFieldDef?.type;
    if (request.consent && request.consent.subject.type !== keyType) {
      throw new AppError("EXCHANGE_CONSENT_MISMATCH", {
        resource: resource.code,
        reason: "not queried by the applicant's identifier",
      });
    }
    const key = checkKey(resource, keyFieldDef && { ...keyFieldDef, type: keyType ?? keyFieldDef.type }, request.key);
    if (key !== undefined && (keyType === "id_number" || keyType === "credit_code")) {
      addSubject(trail, keyType, key);
    }
    if (request.consent && request.consent.subject.value !== key) {
      throw new AppError("EXCHANGE_CONSENT_MISMATCH", { resource: resource.code, reason: "not the applicant's data" });
    }

    const grants =
      request.consumerDepartmentId && !request.consent
        ? await deps.loadGrants(
            request.consumerDepartmentId,
            sources.map((s) => s.id),
          )
        : [];
    if (request.grant && !grants.some((g) => g.id === request.grant && g.resource_id === resource.id)) {
      throw new AppError("EXCHANGE_GRANT_NOT_YOURS", { grant: request.grant, resource: resource.code });
    }

    const parts: Part[] = [];
    const fields: ResourceField[] = [];
    if (!thematic) {
      const { basis, grant, allowed } = basisFor(request, resource, grants, wanted, now);
      const chosen = chooseFields(request, resource, allowed, wanted, grant);
      parts.push({
        resource,
        output: new Map(chosen.map((f) => [f.name, f.name])),
        basis,
        grant,
        limit: partLimit(request, resource, basis, grant),
      });
      fields.push(...chosen);
    } else {
      if (resource.sharingClass === "none" && resource.departmentId !== request.consumerDepartmentId) {
        throw new AppError("EXCHANGE_NOT_SHAREABLE", { resource: resource.code, legalBasis: resource.legalBasis });
      }
      const viewFields = resource.fields.filter((f) => !wanted || wanted.includes(f.name));
      let firstRefusal: unknown;
      for (const source of sources) {
        const mine = viewFields.filter((f) => f.from?.resource === source.code);
        if (mine.length === 0) continue;
        const sourceWanted = mine.map((f) => f.from?.field as string);
        try {
          const { basis, grant, allowed } = basisFor(request, source, grants, wanted ? sourceWanted : undefined, now);
          const chosen = chooseFields(request, source, allowed, wanted ? sourceWanted : undefined, grant);
          const output = new Map<string, string>();
          for (const f of mine)
            if (chosen.some((c) => c.name === f.from?.field)) output.set(f.from?.field as string, f.name);
          parts.push({ resource: source, output, basis, grant, limit: partLimit(request, source, basis, grant) });
          for (const [from, name] of output) {
            const def = source.fields.find((f) => f.name === from) as ResourceField;
            fields.push({ ...def, name, label: resource.fields.find((f) => f.name === name)?.label ?? def.label });
          }
        } catch (error) {
          // Asked for by name, every field must be allowed; otherwise the view shows what the grants allow.
          if (wanted || !(error instanceof AppError)) throw error;
          firstRefusal ??= error;
        }
      }
      if (parts.length === 0) throw firstRefusal ?? new AppError("EXCHANGE_NO_GRANT", { resource: resource.code });
    }
    trail.basis = combinedBasis(parts);
    trail.grantId = parts.length === 1 ? (parts[0]?.grant?.id ?? null) : null;
    trail.components = thematic
      ? parts.map((p) => ({ resource: p.resource.code, basis: p.basis, grant: p.grant?.id ?? null }))
      : [];
    return { parts, fields, key };
  }

  function partLimit(request: GatewayRequest, resource: ResourceModel, basis: AccessBasis, grant: GrantRow | null) {
    if (grant) return { key: `grant:${grant.id}`, perMinute: grant.rate_limit_per_minute };
    if (basis === "unconditional") {
      return { key: `unconditional:${request.consumerDepartmentId}:${resource.id}`, perMinute: unconditionalPerMinute };
    }
    if (basis === "consent") {
      return { key: `consent:${request.consent?.applicationId}:${resource.id}`, perMinute: 60 };
    }
    return undefined;
  }

  function combinedBasis(parts: Part[]): AccessBasis {
    const order: AccessBasis[] = ["consent", "grant", "unconditional", "own"];
    return order.find((b) => parts.some((p) => p.basis === b)) ?? "none";
  }

  /** Fetches every part and joins them: one record per key for thematic databases. */
  async function fetchAll(request: GatewayRequest, parts: Part[], key: string | undefined, trail: Trail) {
    const results: Record<string, FieldValue>[][] = [];
    for (const part of parts) {
      const { resource } = part;
      // Identifying fields are fetched too (never answered unless allowed), so every data subject
      // the records are about can see this access.
      const fetchNames = new Set([
        ...part.output.keys(),
        ...resource.fields.filter((f) => f.type === "id_number" || f.type === "credit_code").map((f) => f.name),
        ...(resource.keyField ? [resource.keyField] : []),
      ]);
      const fetchFields = resource.fields.filter((f) => fetchNames.has(f.name));
      const connector = resource.connector.kind === "http" ? deps.connectors.http : deps.connectors.table;
      const raw = await connector.fetch({
        resourceId: resource.id,
        connector: resource.connector,
        key,
        fields: fetchFields.map((f) => f.name),
        offset: request.offset,
        limit: request.limit,
        requestId: trail.id,
      });
      const records = checkRecords(fetchFields, raw, { limit: request.limit, keyField: resource.keyField, key });
      for (const record of records) {
        for (const f of fetchFields) {
          const value = record[f.name];
          if (typeof value === "string" && (f.type === "id_number" || f.type === "credit_code")) {
            addSubject(trail, f.type, value);
          }
        }
      }
      results.push(
        records.map((record) => {
          const out: Record<string, FieldValue> = {};
          for (const [from, name] of part.output) {
            const def = resource.fields.find((f) => f.name === from) as ResourceField;
            out[name] = maskValue(record[from] ?? null, def.masking);
          }
          return out;
        }),
      );
    }
    if (parts.length === 1) return results[0] ?? [];
    // A thematic view: the first record of each source for the key, side by side.
    if (results.every((r) => r.length === 0)) return [];
    const joined: Record<string, FieldValue> = {};
    for (const [i, part] of parts.entries()) {
      const first = results[i]?.[0];
      for (const name of part.output.values()) joined[name] = first?.[name] ?? null;
    }
    return [joined];
  }

  /** Records the query, allowed, refused or failed; answers once the record has committed. */
  async function record(
    request: GatewayRequest,
    trail: Trail,
    outcome: AccessOutcome,
    extra: { errorCode?: ErrorCode; answerHash?: string; recordCount?: number; event?: Record<string, unknown> },
  ) {
    const { actor } = request;
    const event = extra.errorCode ? securityEvents[extra.errorCode] : undefined;
    const subjectRefs = [...trail.subjectRefs];
    await accessLog.submit({
      change: {
        type:
          outcome === "allowed"
            ? "data.accessed"
            : outcome === "refused"
              ? "data.access_refused"
              : "data.access_failed",
        subject: trail.id,
        actor: actor.accountId,
        at: trail.at,
        facts: {
          resource: trail.resource?.code ?? request.resource,
          providerDepartmentId: trail.resource?.departmentId ?? null,
          consumerDepartmentId: request.consumerDepartmentId,
          basis: trail.basis,
          grantId: trail.grantId,
          components: trail.components.length > 0 ? trail.components : undefined,
          applicationId: request.consent?.applicationId,
          fields: trail.fields,
          subjectRefs,
          purposeHash: sha256(request.purpose),
          answerHash: extra.answerHash,
          records: extra.recordCount ?? 0,
          errorCode: extra.errorCode,
        },
      },
      access: {
        id: trail.id,
        at: trail.at,
        actor_id: actor.accountId,
        consumer_department_id: request.consumerDepartmentId,
        resource_id: trail.resource?.id ?? null,
        resource_code: (trail.resource?.code ?? request.resource).slice(0, 200),
        provider_department_id: trail.resource?.departmentId ?? null,
        grant_id: trail.grantId,
        basis: trail.basis,
        purpose: request.purpose,
        application_id: request.consent?.applicationId ?? null,
        fields: trail.fields,
        subject_refs: subjectRefs,
        outcome,
        error_code: extra.errorCode ?? null,
        record_count: extra.recordCount ?? 0,
        answer_hash: extra.answerHash ?? null,
      },
      event: event && {
        id: ids.uuid(),
        at: trail.at,
        type: event.type,
        severity: event.severity,
        source: "exchange",
        accountId: actor.accountId,
        // Staff are seen by their region's officers; anyone else by the region of the data they asked for.
        regionCode:
          actor.regionCode ??
          trail.resource?.regionCode ??
          (/^\d{6}\./.test(request.resource) ? request.resource.slice(0, 6) : null),
        departmentId: request.consumerDepartmentId,
        subject: trail.id,
        details: { resource: trail.resource?.code ?? request.resource, ...extra.event },
      },
    });
  }

  /**
   * Runs one query through the gateway; every outcome is recorded before this answers or throws.
   * `prepare` (e.g. the HTTP route's serialiser) is given the answer while its record is being
   * committed, so that work is off the query's path; what it returns is answered after the commit.
   */
  async function run<T = ExchangeAnswer>(request: GatewayRequest, prepare?: (answer: ExchangeAnswer) => T): Promise<T> {
    const now = clock.now();
    const trail: Trail = {
      id: ids.uuid(),
      at: now,
      resource: null,
      basis: "none",
      grantId: null,
      // What was asked for, until the gateway knows what it answers.
      fields: request.fields ? [...new Set(request.fields)].slice(0, 100) : [],
      subjectRefs: new Set(),
      subjects: new Set(),
      components: [],
    };
    try {
      if (!request.consent) {
        const decision = decide(request.actor, "exchange.query");
        if (!decision.allowed) throw new AppError("FORBIDDEN", { action: "exchange.query", reason: decision.reason });
      }
      const [resource] = await deps.loadResources([request.resource]);
      if (!resource) throw new AppError("DATA_RESOURCE_NOT_FOUND", { code: request.resource });
      trail.resource = resource;
      const { parts, fields, key } = await plan(request, resource, trail, now);
      trail.fields = fields.map((f) => f.name);
      await consume(parts);
      const records = await fetchAll(request, parts, key, trail);
      const answerHash = sha256(canonicalJson(records));
      const recorded = record(request, trail, "allowed", { answerHash, recordCount: records.length });
      const answer: ExchangeAnswer = {
        accessId: trail.id,
        resource: resource.code,
        resourceName: resource.name,
        providerDepartmentName: resource.departmentName,
        basis: trail.basis,
        grantId: trail.grantId,
        fields: trail.fields,
        masked: fields.filter((f) => f.masking !== "none").map((f) => f.name),
        records,
        fetchedAt: now.toISOString(),
      };
      if (!prepare) {
        await recorded;
        return answer as T;
      }
      let prepared: T;
      try {
        prepared = prepare(answer);
      } catch (error) {
        // Nothing leaves before the record is durable, a failure to prepare the answer included.
        await recorded;
        throw error;
      }
      await recorded;
      return prepared;
    } catch (error) {
      if (error instanceof ProviderError) {
        const code: ErrorCode = error.kind === "unavailable" ? "PROVIDER_UNAVAILABLE" : "PROVIDER_BAD_ANSWER";
        await record(request, trail, "failed", { errorCode: code });
        throw new AppError(code, { resource: request.resource, ...error.detail });
      }
      if (error instanceof AppError) {
        await record(request, trail, "refused", {
          errorCode: error.code,
          event: (error.details ?? {}) as Record<string, unknown>,
        });
      }
      throw error;
    }
  }

  return { run, subjectRef, drain: () => accessLog.drain() };
}
export type Gateway = ReturnType<typeof createGateway>;
