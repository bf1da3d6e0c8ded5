import { createHash } from "node:crypto";
import {
  type AdminServiceQuery,
  type AdminServiceSummary,
  type FieldIssue,
  type ServiceDetail,
  ServiceItem,
  type ServiceQuery,
  type ServiceSummary,
  type ServiceVersionInfo,
} from "@tongban/contracts";
import { LRUCache } from "lru-cache";
import type { z } from "zod";
import type { Db } from "../../db/database.ts";
import { AppError, fieldError } from "../../http/errors.ts";
import { canonicalJson } from "../../lib/canonical-json.ts";
import { type Actor, authorize } from "../../policy/policy.ts";
import type { Clock, Ids } from "../../ports/index.ts";
import type { DepartmentsService } from "../departments/departments.service.ts";
import { recordChange } from "../ledger/outbox.ts";
import { CatalogError, type LoadedItem } from "./catalog.loader.ts";
import { catalogRepository as repo, type ServiceRow } from "./catalog.repository.ts";
import { compileForm, type FormCheck } from "./form-validator.ts";

const reasonByZodCode: Record<string, string> = {
  too_small: "TOO_SHORT",
  too_big: "TOO_LONG",
  invalid_format: "INVALID_FORMAT",
  invalid_value: "INVALID_VALUE",
  invalid_union: "INVALID_VALUE",
  invalid_type: "INVALID_TYPE",
  unrecognized_keys: "UNKNOWN_FIELD",
  not_multiple_of: "INVALID_VALUE",
};

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/**
 * An edited item's problems, one per field, each with a reason the console translates: the
 * catalogue's own rules carry theirs (e.g. ABOVE_STATUTORY_LIMIT), the rest come from zod's codes.
 */
function draftIssues(issues: z.core.$ZodIssue[], input: unknown): FieldIssue[] {
  return issues.map((issue) => {
    const field = issue.path.map(String).join(".");
    const own = issue.code === "custom" ? (issue.params as { reason?: string } | undefined)?.reason : undefined;
    let reason = own ?? reasonByZodCode[issue.code] ?? "INVALID_VALUE";
    if (issue.code === "invalid_type" && valueAt(input, issue.path) === undefined) reason = "REQUIRED";
    if (issue.code === "too_small") {
      const value = valueAt(input, issue.path);
      if (issue.origin === "number") reason = "TOO_SMALL";
      else if (value === "") reason = "REQUIRED";
      else if (Array.isArray(value)) reason = "TOO_FEW";
    }
    if (issue.code === "too_big" && issue.origin === "number") reason = "TOO_BIG";
    if (issue.code === "unrecognized_keys")
      return { field: [field, ...issue.keys].filter(Boolean).join("."), reason, message: issue.message };
    return { field, reason, message: issue.message };
  });
}

const hashOf = (item: ServiceItem) => createHash("sha256").update(canonicalJson(item)).digest("hex");

function toSummary(row: ServiceRow): ServiceSummary {
  const item = row.content as ServiceItem;
  return {
    code: row.code,
    version: row.version,
    name: item.name,
    nameEn: item.nameEn,
    type: item.type,
    summary: item.summary,
    regionCode: row.region_code,
    departmentId: row.department_id,
    departmentName: row.department_name,
    applicantKinds: item.applicantKinds,
    lifeEvents: item.lifeEvents,
    handlingModes: item.handlingModes,
    channels: item.channels,
    visitsRequired: item.visitsRequired,
    committedLimitDays: item.committedLimitDays,
    feeYuan: item.fees.reduce((sum, fee) => sum + fee.amountYuan, 0),
  };
}

export interface ServiceVersion {
  id: string;
  code: string;
  version: number;
  regionCode: string;
  departmentId: string;
  item: ServiceItem;
}

export function createCatalogService({
  db,
  clock,
  ids,
  departments,
}: {
  db: Db;
  clock: Clock;
  ids: Ids;
  departments: DepartmentsService;
}) {
  // Compiled form checks per service version; versions never change, so the cache never goes stale.
  const formChecks = new Map<string, FormCheck>();
  const versionCache = new LRUCache<string, ServiceVersion>({ max: 2_000 });

  async function publishVersion(trx: Db, versionId: string, item: ServiceItem, departmentId: string, at: Date) {
    await repo.publish(trx, {
      code: item.code,
      versionId,
      regionCode: item.regionCode,
      departmentId,
      name: item.name,
      searchText: [item.name, item.nameEn, item.summary, item.code].join(" "),
      lifeEvents: item.lifeEvents,
      applicantKinds: item.applicantKinds,
      at,
    });
  }

  async function departmentFor(item: ServiceItem) {
    return departments.findByCode(item.regionCode, item.departmentCode);
  }

  return {
    /**
     * Brings the database in line with the catalogue files: a file whose content changed becomes a
     * new published version; cases filed earlier keep the version they were filed under.
     * Answers the codes that got a new version.
     */
    async syncFromFiles(loaded: LoadedItem[]): Promise<string[]> {
      const problems: string[] = [];
      const plans: { item: ServiceItem; departmentId: string; hash: string }[] = [];
      for (const { file, item } of loaded) {
        const department = await departmentFor(item);
        if (!department) {
          problems.push(`${file}: departmentCode: no department "${item.departmentCode}" in region ${item.regionCode}`);
          continue;
        }
        const hash = hashOf(item);
        const latest = await repo.latestFileVersion(db, item.code);
        if (latest?.content_hash !== hash) plans.push({ item, departmentId: department.id, hash });
      }
      if (problems.length > 0) throw new CatalogError(problems);
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        for (const { item, departmentId, hash } of plans) {
          const id = ids.uuid();
          const version = (await repo.maxVersion(trx, item.code)) + 1;
          await repo.insertVersion(trx, {
            id,
            code: item.code,
            version,
            region_code: item.regionCode,
            department_id: departmentId,
            content: JSON.stringify(item),
            content_hash: hash,
            source: "file",
            status: "published",
            created_by: null,
            created_at: now,
            published_at: now,
          });
          await publishVersion(trx, id, item, departmentId, now);
          await recordChange(trx, {
            type: "service.published",
            subject: item.code,
            actor: null,
            at: now,
            facts: { version, hash, source: "file" },
          });
        }
      });
      return plans.map((p) => p.item.code);
    },

    async list(query: ServiceQuery): Promise<ServiceSummary[]> {
      return (await repo.list(db, query)).map(toSummary);
    },

    /** The region's items for its administrators, with their draft versions; filters by department, status, text. */
    async adminList(actor: Actor, query: AdminServiceQuery): Promise<AdminServiceSummary[]> {
      authorize(actor, "service.manage", { regionCode: actor.regionCode });
      const rows = await repo.list(db, {
        regionCode: actor.regionCode ?? "-",
        departmentId: query.departmentId,
        q: query.q,
      });
      const versions = await repo.versionsOf(
        db,
        rows.map((row) => row.code),
      );
      const summaries = rows.map((row): AdminServiceSummary => {
        const own = versions.filter((v) => v.code === row.code);
        const drafts = own.filter((v) => v.status === "draft").map((v) => v.version);
        const published = own.find((v) => v.status === "published");
        return {
          ...toSummary(row),
          status: drafts.length > 0 ? "draft_pending" : "published",
          publishedAt: published?.published_at ? published.published_at.toISOString() : null,
          draftVersions: drafts,
          latestVersion: Math.max(row.version, ...drafts),
        };
      });
      return query.status ? summaries.filter((s) => s.status === query.status) : summaries;
    },

    async get(code: string): Promise<ServiceDetail> {
      const row = await repo.find(db, code);
      if (!row) throw new AppError("SERVICE_NOT_FOUND", { code });
      return {
        version: row.version,
        departmentId: row.department_id,
        departmentName: row.department_name,
        item: row.content as ServiceItem,
      };
    },

    /** A version residents may read: published now or before (a case keeps the version it was filed under); not drafts. */
    async publishedVersion(code: string, version: number): Promise<ServiceDetail> {
      const row = await repo.findVersionByNumber(db, code, version);
      if (!row || row.status === "draft") throw new AppError("SERVICE_NOT_FOUND", { code, version });
      const department = await departments.requireById(row.department_id);
      return {
        version: row.version,
        departmentId: row.department_id,
        departmentName: department.name,
        item: row.content as ServiceItem,
      };
    },

    /** The published version a new application is filed under. */
    /** The service's published version; `conn` reads it inside a caller's transaction. */
    async currentVersion(code: string, field?: string, conn: Db = db): Promise<ServiceVersion> {
      const row = await repo.find(conn, code);
      if (!row) {
        if (field) throw fieldError([{ field, reason: "NOT_FOUND", message: "There is no such service" }]);
        throw new AppError("SERVICE_NOT_FOUND", { code });
      }
      return {
        id: row.version_id,
        code,
        version: row.version,
        regionCode: row.region_code,
        departmentId: row.department_id,
        item: row.content as ServiceItem,
      };
    },

    /**
     * A version by id. A version's content never changes once written (an edit is a new version),
     * so it is read from the database once per process; every case read and action needs it.
     */
    /**
     * A published or drafted version by id, from the cache when known. `conn` is the caller's
     * transaction when called inside one: on the embedded database (one connection) a read on
     * another connection would wait for that transaction forever.
     */
    async versionById(id: string, conn: Db = db): Promise<ServiceVersion> {
      const known = versionCache.get(id);
      if (known) return known;
      const row = await repo.findVersion(conn, id);
      if (!row) throw new AppError("SERVICE_NOT_FOUND", { versionId: id });
      const version: ServiceVersion = {
        id,
        code: row.code,
        version: row.version,
        regionCode: row.region_code,
        departmentId: row.department_id,
        item: row.content as ServiceItem,
      };
      versionCache.set(id, version);
      return version;
    },

    formCheck(version: ServiceVersion): FormCheck {
      let check = formChecks.get(version.id);
      if (!check) {
        check = compileForm(version.item.form.schema);
        formChecks.set(version.id, check);
      }
      return check;
    },

    async versions(actor: Actor, code: string): Promise<ServiceVersionInfo[]> {
      const current = await this.get(code);
      authorize(actor, "service.manage", { regionCode: current.item.regionCode });
      return (await repo.listVersions(db, code)).map((row) => ({
        id: row.id,
        version: row.version,
        status: row.status,
        source: row.source,
        createdAt: row.created_at.toISOString(),
        publishedAt: row.published_at ? row.published_at.toISOString() : null,
        createdByName: row.created_by_name,
      }));
    },

    async versionDetail(actor: Actor, code: string, version: number): Promise<ServiceDetail & { status: string }> {
      const row = await repo.findVersionByNumber(db, code, version);
      if (!row) throw new AppError("SERVICE_NOT_FOUND", { code, version });
      authorize(actor, "service.manage", { regionCode: row.region_code });
      const department = await departments.requireById(row.department_id);
      return {
        version: row.version,
        departmentId: row.department_id,
        departmentName: department.name,
        item: row.content as ServiceItem,
        status: row.status,
      };
    },

    /** An administrator's edit: a new draft version; nothing changes for residents until it is published. */
    async createDraft(actor: Actor, code: string, input: unknown): Promise<ServiceVersionInfo> {
      const current = await this.get(code);
      authorize(actor, "service.manage", { regionCode: current.item.regionCode });
      const parsed = ServiceItem.safeParse(input);
      if (!parsed.success) throw fieldError(draftIssues(parsed.error.issues, input));
      const item = parsed.data;
      const fixed: FieldIssue[] = [];
      if (item.code !== code)
        fixed.push({ field: "code", reason: "UNCHANGEABLE", message: "An edit keeps the service's code" });
      if (item.regionCode !== current.item.regionCode)
        fixed.push({ field: "regionCode", reason: "UNCHANGEABLE", message: "An edit keeps the service's region" });
      if (fixed.length > 0) throw fieldError(fixed);
      try {
        compileForm(item.form.schema);
      } catch (error) {
        throw fieldError([{ field: "form.schema", reason: "INVALID_SCHEMA", message: (error as Error).message }]);
      }
      const department = await departmentFor(item);
      if (!department)
        throw fieldError([
          { field: "departmentCode", reason: "NOT_FOUND", message: "No such department in the region" },
        ]);
      const id = ids.uuid();
      const now = clock.now();
      let version = 0;
      await db.transaction().execute(async (trx) => {
        version = (await repo.maxVersion(trx, code)) + 1;
        await repo.insertVersion(trx, {
          id,
          code,
          version,
          region_code: item.regionCode,
          department_id: department.id,
          content: JSON.stringify(item),
          content_hash: hashOf(item),
          source: "console",
          status: "draft",
          created_by: actor.accountId,
          created_at: now,
          published_at: null,
        });
        await recordChange(trx, {
          type: "service.drafted",
          subject: code,
          actor: actor.accountId,
          at: now,
          facts: { version },
        });
      });
      return {
        id,
        version,
        status: "draft",
        source: "console",
        createdAt: now.toISOString(),
        publishedAt: null,
        createdByName: null,
      };
    },

    async publish(actor: Actor, code: string, version: number): Promise<ServiceDetail> {
      const row = await repo.findVersionByNumber(db, code, version);
      if (!row) throw new AppError("SERVICE_NOT_FOUND", { code, version });
      authorize(actor, "service.manage", { regionCode: row.region_code });
      if (row.status !== "draft")
        throw new AppError("ACTION_NOT_ALLOWED", { reason: `version ${version} is ${row.status}, not a draft` });
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        await publishVersion(trx, row.id, row.content as ServiceItem, row.department_id, now);
        await recordChange(trx, {
          type: "service.published",
          subject: code,
          actor: actor.accountId,
          at: now,
          facts: { version, hash: row.content_hash, source: "console" },
        });
      });
      return this.get(code);
    },
  };
}
export type CatalogService = ReturnType<typeof createCatalogService>;
