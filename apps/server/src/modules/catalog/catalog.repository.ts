import { sql } from "kysely";
import type { Db } from "../../db/database.ts";

export interface ServiceRow {
  code: string;
  region_code: string;
  department_id: string;
  department_name: string;
  version_id: string;
  version: number;
  content: unknown;
}

/** A published service with its current version and department name. */
function serviceView(db: Db) {
  return db
    .selectFrom("services")
    .innerJoin("service_versions", "service_versions.id", "services.version_id")
    .innerJoin("departments", "departments.id", "services.department_id")
    .select([
      "services.code",
      "services.region_code",
      "services.department_id",
      "departments.name as department_name",
      "services.version_id",
      "service_versions.version",
      "service_versions.content",
    ]);
}

export const catalogRepository = {
  latestFileVersion(db: Db, code: string) {
    return db
      .selectFrom("service_versions")
      .select(["id", "version", "content_hash"])
      .where("code", "=", code)
      .where("source", "=", "file")
      .orderBy("version", "desc")
      .limit(1)
      .executeTakeFirst();
  },

  async maxVersion(db: Db, code: string): Promise<number> {
    const row = await db
      .selectFrom("service_versions")
      .select((eb) => eb.fn.max("version").as("v"))
      .where("code", "=", code)
      .executeTakeFirst();
    return Number(row?.v ?? 0);
  },

  async insertVersion(
    db: Db,
    row: {
      id: string;
      code: string;
      version: number;
      region_code: string;
      department_id: string;
      content: string;
      content_hash: string;
      source: "file" | "console";
      status: "draft" | "published";
      created_by: string | null;
      created_at: Date;
      published_at: Date | null;
    },
  ) {
    await db.insertInto("service_versions").values(row).execute();
  },

  /** Makes `versionId` the published version of its service; earlier published ones are superseded. */
  async publish(
    db: Db,
    entry: {
      code: string;
      versionId: string;
      regionCode: string;
      departmentId: string;
      name: string;
      searchText: string;
      lifeEvents: string[];
      applicantKinds: string[];
      at: Date;
    },
  ) {
    await db
      .updateTable("service_versions")
      .set({ status: "superseded" })
      .where("code", "=", entry.code)
      .where("status", "=", "published")
      .where("id", "!=", entry.versionId)
      .execute();
    await db
      .updateTable("service_versions")
      .set({ status: "published", published_at: entry.at })
      .where("id", "=", entry.versionId)
      .execute();
    const values = {
      code: entry.code,
      region_code: entry.regionCode,
      department_id: entry.departmentId,
      version_id: entry.versionId,
      name: entry.name,
      search_text: entry.searchText,
      life_events: entry.lifeEvents,
      applicant_kinds: entry.applicantKinds,
    };
    await db
      .insertInto("services")
      .values(values)
      .onConflict((oc) => oc.column("code").doUpdateSet({ ...values, code: undefined }))
      .execute();
  },

  list(
    db: Db,
    filter: { regionCode?: string; departmentId?: string; lifeEvent?: string; applicantKind?: string; q?: string },
  ): Promise<ServiceRow[]> {
    let query = serviceView(db);
    if (filter.regionCode) query = query.where("services.region_code", "=", filter.regionCode);
    if (filter.departmentId) query = query.where("services.department_id", "=", filter.departmentId);
    if (filter.lifeEvent) query = query.where(sql<boolean>`${filter.lifeEvent} = any(services.life_events)`);
    if (filter.applicantKind)
      query = query.where(sql<boolean>`${filter.applicantKind} = any(services.applicant_kinds)`);
    if (filter.q) {
      const like = `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query = query.where("services.search_text", "ilike", like);
    }
    return query.orderBy("services.code").execute();
  },

  find(db: Db, code: string): Promise<ServiceRow | undefined> {
    return serviceView(db).where("services.code", "=", code).executeTakeFirst();
  },

  findVersion(db: Db, id: string) {
    return db.selectFrom("service_versions").selectAll().where("id", "=", id).executeTakeFirst();
  },

  findVersionByNumber(db: Db, code: string, version: number) {
    return db
      .selectFrom("service_versions")
      .selectAll()
      .where("code", "=", code)
      .where("version", "=", version)
      .executeTakeFirst();
  },

  /** The draft and published versions of the given services (for the administrators' list). */
  versionsOf(db: Db, codes: string[]) {
    if (codes.length === 0) return Promise.resolve([]);
    return db
      .selectFrom("service_versions")
      .select(["code", "version", "status", "published_at"])
      .where("code", "in", codes)
      .where("status", "in", ["draft", "published"])
      .orderBy("version", "desc")
      .execute();
  },

  listVersions(db: Db, code: string) {
    return db
      .selectFrom("service_versions")
      .leftJoin("accounts", "accounts.id", "service_versions.created_by")
      .select([
        "service_versions.id",
        "service_versions.version",
        "service_versions.status",
        "service_versions.source",
        "service_versions.created_at",
        "service_versions.published_at",
        "service_versions.content_hash",
        "accounts.name as created_by_name",
      ])
      .where("service_versions.code", "=", code)
      .orderBy("service_versions.version", "desc")
      .execute();
  },
};
