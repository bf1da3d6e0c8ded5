import { type Insertable, type Selectable, sql } from "kysely";
import type { Db } from "../../db/database.ts";
import type {
  DataAccessesTable,
  DataResourcesTable,
  SharingGrantsTable,
  SharingRequestsTable,
} from "../../db/schema.ts";
import type { SecurityEventRecord } from "../security/security-events.ts";

const escapeLike = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function resourceView(db: Db) {
  return db
    .selectFrom("data_resources as r")
    .innerJoin("departments as d", "d.id", "r.department_id")
    .selectAll("r")
    .select("d.name as department_name");
}
export type ResourceRow = Selectable<DataResourcesTable> & { department_name: string };

export interface ResourceFilter {
  q?: string;
  regionCode?: string;
  departmentId?: string;
  sharingClass?: string;
  limit: number;
  offset: number;
}

function requestView(db: Db) {
  return db
    .selectFrom("sharing_requests as q")
    .innerJoin("data_resources as r", "r.id", "q.resource_id")
    .innerJoin("departments as provider", "provider.id", "r.department_id")
    .innerJoin("departments as consumer", "consumer.id", "q.consumer_department_id")
    .innerJoin("accounts as asker", "asker.id", "q.requested_by")
    .leftJoin("accounts as decider", "decider.id", "q.decided_by")
    .leftJoin("sharing_grants as g", "g.request_id", "q.id")
    .selectAll("q")
    .select([
      "r.code as resource_code",
      "r.name as resource_name",
      "r.department_id as provider_department_id",
      "provider.name as provider_department_name",
      "consumer.name as consumer_department_name",
      "asker.name as requested_by_name",
      "decider.name as decided_by_name",
      "g.id as grant_id",
    ]);
}
export type RequestRow = Awaited<ReturnType<ReturnType<typeof requestView>["executeTakeFirstOrThrow"]>>;

function grantView(db: Db) {
  return db
    .selectFrom("sharing_grants as g")
    .innerJoin("data_resources as r", "r.id", "g.resource_id")
    .innerJoin("departments as provider", "provider.id", "r.department_id")
    .innerJoin("departments as consumer", "consumer.id", "g.consumer_department_id")
    .innerJoin("accounts as granter", "granter.id", "g.granted_by")
    .selectAll("g")
    .select([
      "r.code as resource_code",
      "r.name as resource_name",
      "r.department_id as provider_department_id",
      "provider.name as provider_department_name",
      "consumer.name as consumer_department_name",
      "granter.name as granted_by_name",
    ]);
}
export type GrantRow = Awaited<ReturnType<ReturnType<typeof grantView>["executeTakeFirstOrThrow"]>>;

export interface SharingFilter {
  /** Requests/grants on these providers' resources … */
  providerDepartmentId?: string;
  /** … or of this consumer department. Both given: either side. */
  consumerDepartmentId?: string;
  resourceCode?: string;
  status?: string;
  limit: number;
  offset: number;
}

export const exchangeRepository = {
  async findResource(db: Db, code: string): Promise<ResourceRow | undefined> {
    return resourceView(db).where("r.code", "=", code).executeTakeFirst();
  },

  async findResources(db: Db, codes: string[]): Promise<ResourceRow[]> {
    if (codes.length === 0) return [];
    return resourceView(db).where("r.code", "in", codes).execute();
  },

  async listResources(db: Db, filter: ResourceFilter): Promise<ResourceRow[]> {
    let query = resourceView(db);
    if (filter.regionCode) query = query.where("r.region_code", "=", filter.regionCode);
    if (filter.departmentId) query = query.where("r.department_id", "=", filter.departmentId);
    if (filter.sharingClass) query = query.where("r.sharing_class", "=", filter.sharingClass as never);
    if (filter.q) {
      const like = escapeLike(filter.q);
      query = query.where((eb) => eb.or([eb("r.search_text", "ilike", like), eb("d.name", "ilike", like)]));
    }
    return query.orderBy("r.region_code").orderBy("r.code").limit(filter.limit).offset(filter.offset).execute();
  },

  async insertResource(db: Db, row: Insertable<DataResourcesTable>) {
    await db.insertInto("data_resources").values(row).execute();
  },

  async updateResource(db: Db, id: string, changes: Partial<Insertable<DataResourcesTable>>) {
    await db.updateTable("data_resources").set(changes).where("id", "=", id).execute();
  },

  async upsertPoolRecords(db: Db, resourceId: string, records: { key: string; data: unknown }[], at: Date) {
    await db
      .insertInto("data_pool_records")
      .values(
        records.map((r) => ({
          resource_id: resourceId,
          record_key: r.key,
          data: JSON.stringify(r.data),
          updated_at: at,
        })),
      )
      .onConflict((oc) =>
        oc.columns(["resource_id", "record_key"]).doUpdateSet((eb) => ({
          data: eb.ref("excluded.data"),
          updated_at: eb.ref("excluded.updated_at"),
        })),
      )
      .execute();
  },

  async poolRecordsByKey(db: Db, resourceId: string, key: string) {
    const rows = await db
      .selectFrom("data_pool_records")
      .select("data")
      .where("resource_id", "=", resourceId)
      .where("record_key", "=", key)
      .execute();
    return rows.map((r) => r.data);
  },

  async poolPage(db: Db, resourceId: string, offset: number, limit: number) {
    const rows = await db
      .selectFrom("data_pool_records")
      .select("data")
      .where("resource_id", "=", resourceId)
      .orderBy("record_key")
      .limit(limit)
      .offset(offset)
      .execute();
    return rows.map((r) => r.data);
  },

  async insertRequest(db: Db, row: Insertable<SharingRequestsTable>) {
    await db.insertInto("sharing_requests").values(row).execute();
  },

  findRequest(db: Db, id: string): Promise<RequestRow | undefined> {
    return requestView(db).where("q.id", "=", id).executeTakeFirst();
  },

  /** Locks the request for the rest of the transaction: two stewards deciding at once leave one decision. */
  lockRequest(db: Db, id: string) {
    return db
      .selectFrom("sharing_requests")
      .select(["id", "status"])
      .where("id", "=", id)
      .forUpdate()
      .executeTakeFirst();
  },

  async decideRequest(
    db: Db,
    id: string,
    changes: { status: "approved" | "refused"; decided_by: string; decided_at: Date; decision_note: string | null },
  ) {
    await db.updateTable("sharing_requests").set(changes).where("id", "=", id).execute();
  },

  listRequests(db: Db, filter: SharingFilter): Promise<RequestRow[]> {
    let query = requestView(db);
    query = query.where((eb) =>
      eb.or([
        ...(filter.providerDepartmentId ? [eb("r.department_id", "=", filter.providerDepartmentId)] : []),
        ...(filter.consumerDepartmentId ? [eb("q.consumer_department_id", "=", filter.consumerDepartmentId)] : []),
      ]),
    );
    if (filter.resourceCode) query = query.where("r.code", "=", filter.resourceCode);
    if (filter.status) query = query.where("q.status", "=", filter.status as never);
    return query.orderBy("q.created_at", "desc").limit(filter.limit).offset(filter.offset).execute();
  },

  async insertGrant(db: Db, row: Insertable<SharingGrantsTable>) {
    await db.insertInto("sharing_grants").values(row).execute();
  },

  findGrant(db: Db, id: string): Promise<GrantRow | undefined> {
    return grantView(db).where("g.id", "=", id).executeTakeFirst();
  },

  lockGrant(db: Db, id: string) {
    return db
      .selectFrom("sharing_grants")
      .select(["id", "revoked_at"])
      .where("id", "=", id)
      .forUpdate()
      .executeTakeFirst();
  },

  async revokeGrant(db: Db, id: string, changes: { revoked_at: Date; revoked_by: string; revoke_reason: string }) {
    await db.updateTable("sharing_grants").set(changes).where("id", "=", id).execute();
  },

  listGrants(db: Db, filter: SharingFilter & { now: Date }): Promise<GrantRow[]> {
    let query = grantView(db);
    query = query.where((eb) =>
      eb.or([
        ...(filter.providerDepartmentId ? [eb("r.department_id", "=", filter.providerDepartmentId)] : []),
        ...(filter.consumerDepartmentId ? [eb("g.consumer_department_id", "=", filter.consumerDepartmentId)] : []),
      ]),
    );
    if (filter.resourceCode) query = query.where("r.code", "=", filter.resourceCode);
    if (filter.status === "revoked") query = query.where("g.revoked_at", "is not", null);
    if (filter.status === "active")
      query = query.where("g.revoked_at", "is", null).where("g.expires_at", ">", filter.now);
    if (filter.status === "expired")
      query = query.where("g.revoked_at", "is", null).where("g.expires_at", "<=", filter.now);
    return query.orderBy("g.granted_at", "desc").limit(filter.limit).offset(filter.offset).execute();
  },

  /** The grants a consumer department holds on some resources: what the gateway checks a query against. */
  grantsFor(db: Db, consumerDepartmentId: string, resourceIds: string[]) {
    return db
      .selectFrom("sharing_grants")
      .selectAll()
      .where("consumer_department_id", "=", consumerDepartmentId)
      .where("resource_id", "in", resourceIds)
      .execute();
  },

  grantById(db: Db, id: string) {
    return db.selectFrom("sharing_grants").selectAll().where("id", "=", id).executeTakeFirst();
  },

  /**
   * Writes queries' records in ONE statement (so one round trip and one implicit transaction): their
   * ledger outbox rows, their access rows pointing at them, and their security events. The outbox and
   * security-event rows are exactly what `recordChange` and `recordSecurityEvent` write; they are
   * inlined here only so that the gateway's hot path is a single statement (see docs/exchange.md).
   */
  async insertAccessRecords(
    db: Db,
    records: {
      change: { type: string; subject: string; actor: string | null; at: Date; facts?: Record<string, unknown> };
      access: Omit<Insertable<DataAccessesTable>, "outbox_id">;
      event?: SecurityEventRecord;
    }[],
  ) {
    if (records.length === 0) return;
    const rows = records.map(({ change, access }) => ({
      ...access,
      at: new Date(access.at as Date | string).toISOString(),
      change_type: change.type,
      change_subject: change.subject,
      change_actor: change.actor,
      change_at: change.at.toISOString(),
      change_content: change.facts ?? {},
    }));
    const events = records.flatMap(({ event: e }) =>
      e
        ? [
            {
              id: e.id,
              at: e.at.toISOString(),
              type: e.type,
              severity: e.severity,
              source: e.source,
              account_id: e.accountId,
              region_code: e.regionCode,
              department_id: e.departmentId,
              subject: e.subject,
              details: e.details ?? {},
            },
          ]
        : [],
    );
    // Each record's outbox id is drawn once (x is materialised: nextval is volatile) and used by both
    // inserts, so every access row points at its own outbox row by construction.
    await sql`
      with x as (
        select r.*, nextval(pg_get_serial_sequence('outbox', 'id')) as outbox_id
        from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
          as r(id uuid, at timestamptz, actor_id uuid, consumer_department_id uuid, resource_id uuid,
            resource_code text, provider_department_id uuid, grant_id uuid, basis text, purpose text,
            application_id uuid, fields text[], subject_refs text[], outcome text, error_code text,
            record_count integer, answer_hash text, change_type text, change_subject text, change_actor text,
            change_at timestamptz, change_content jsonb)
      ), o as (
        insert into outbox (id, type, subject, actor, at, content)
        select outbox_id, change_type, change_subject, change_actor, change_at, change_content from x
      ), a as (
        insert into data_accesses (id, at, actor_id, consumer_department_id, resource_id, resource_code,
          provider_department_id, grant_id, basis, purpose, application_id, fields, subject_refs, outcome,
          error_code, record_count, answer_hash, outbox_id)
        select id, at, actor_id, consumer_department_id, resource_id, resource_code, provider_department_id,
          grant_id, basis, purpose, application_id, fields, subject_refs, outcome, error_code, record_count,
          answer_hash, outbox_id
        from x
      )
      insert into security_events (id, at, type, severity, source, account_id, region_code, department_id,
        subject, details)
      select e.id, e.at, e.type, e.severity, e.source, e.account_id, e.region_code, e.department_id, e.subject,
        e.details
      from jsonb_to_recordset(${JSON.stringify(events)}::jsonb)
        as e(id uuid, at timestamptz, type text, severity text, source text, account_id uuid, region_code text,
          department_id uuid, subject text, details jsonb)
    `.execute(db);
  },

  /** Accesses that touched any of these data subjects, newest first, with their ledger index. */
  accessesOfSubjects(db: Db, refs: string[], filter: { outcome?: string; limit: number; offset: number }) {
    let query = db
      .selectFrom("data_accesses as a")
      .leftJoin("data_resources as r", "r.id", "a.resource_id")
      .leftJoin("departments as provider", "provider.id", "a.provider_department_id")
      .leftJoin("departments as consumer", "consumer.id", "a.consumer_department_id")
      .leftJoin("outbox as o", "o.id", "a.outbox_id")
      .select([
        "a.id",
        "a.at",
        "a.resource_code",
        "a.purpose",
        "a.basis",
        "a.fields",
        "a.outcome",
        "r.name as resource_name",
        "provider.name as provider_department_name",
        "consumer.name as consumer_department_name",
        "consumer.region_code as consumer_region_code",
        "o.ledger_idx",
      ])
      .where(sql<boolean>`a.subject_refs && ${sql.val(refs)}::text[]`);
    if (filter.outcome) query = query.where("a.outcome", "=", filter.outcome as never);
    return query.orderBy("a.at", "desc").orderBy("a.id").limit(filter.limit).offset(filter.offset).execute();
  },
};
