import { createHash } from "node:crypto";
import {
  type ServiceDetail,
  ServiceItem,
  type ServiceQuery,
  type ServiceSummary,
  type ServiceVersionInfo,
} from "@tongban/contracts";
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
    async currentVersion(code: string, field?: string): Promise<ServiceVersion> {
      const row = await repo.find(db, code);
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

    async versionById(id: string): Promise<ServiceVersion> {
      const row = await repo.findVersion(db, id);
      if (!row) throw new AppError("SERVICE_NOT_FOUND", { versionId: id });
      return {
        id,
        code: row.code,
        version: row.version,
        regionCode: row.region_code,
        departmentId: row.department_id,
        item: row.content as ServiceItem,
      };
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
      if (!parsed.success) {
        throw fieldError(
          parsed.error.issues.map((issue) => ({
            field: issue.path.join("."),
            reason: "INVALID_VALUE",
            message: issue.message,
          })),
        );
      }
      const item = parsed.data;
      if (item.code !== code || item.regionCode !== current.item.regionCode) {
        throw fieldError([
          { field: "code", reason: "INVALID_VALUE", message: "An edit keeps the service's code and region" },
        ]);
      }
      try {
        compileForm(item.form.schema);
      } catch (error) {
        throw fieldError([{ field: "form.schema", reason: "INVALID_VALUE", message: (error as Error).message }]);
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
