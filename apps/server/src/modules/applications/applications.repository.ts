import type { Insertable } from "kysely";
import { sql } from "kysely";
import { jsonArrayFrom } from "kysely/helpers/postgres";
import { compiledOnce } from "../../db/compiled.ts";
import type { Db } from "../../db/database.ts";
import type {
  ApplicationActionsTable,
  ApplicationDataMaterialsTable,
  ApplicationMaterialsTable,
  ApplicationsTable,
  MessageOutboxTable,
  NotificationsTable,
} from "../../db/schema.ts";
import { type ChangeRecord, outboxRow } from "../ledger/outbox.ts";

/** A case with its action log, current materials and current data materials, in one query. */
function caseWithTimelineQuery(db: Db, id: string | readonly string[], lock: boolean) {
  const query = applicationView(db)
    .select((eb) => [
      jsonArrayFrom(
        eb
          .selectFrom("application_actions as x")
          .innerJoin("accounts as actor", "actor.id", "x.actor_id")
          .leftJoin("outbox as o", "o.id", "x.outbox_id")
          .selectAll("x")
          .select(["actor.name as actor_name", "o.ledger_idx"])
          .whereRef("x.application_id", "=", "a.id")
          .orderBy("x.seq"),
      ).as("timeline"),
      jsonArrayFrom(
        eb
          .selectFrom("application_materials as m")
          .selectAll("m")
          .whereRef("m.application_id", "=", "a.id")
          .where("m.removed_at", "is", null)
          .orderBy("m.uploaded_at"),
      ).as("current_materials"),
      jsonArrayFrom(
        eb
          .selectFrom("application_data_materials as dm")
          .innerJoin("data_accesses as da", "da.id", "dm.access_id")
          .leftJoin("outbox as ao", "ao.id", "da.outbox_id")
          .selectAll("dm")
          .select(["ao.ledger_idx"])
          .whereRef("dm.application_id", "=", "a.id")
          .where("dm.replaced_at", "is", null)
          .orderBy("dm.fetched_at"),
      ).as("current_data_materials"),
    ])
    .where((eb) => (typeof id === "string" ? eb("a.id", "=", id) : eb("a.id", "in", id)));
  // An action locks the case and reads it in the same round trip: concurrent actions on one
  // case take turns, and the lock is held for one query fewer. A query that had to wait for the
  // lock sees the case row as the other action left it but the log and materials as they were
  // when it began (PostgreSQL re-reads only the locked row), so it then reads them again: the
  // xmin of the locked row differs from the xmin of the row in the query's own snapshot.
  if (!lock) return query;
  return query
    .select(sql<boolean>`a.xmin = (select a2.xmin from applications as a2 where a2.id = a.id)`.as("unchanged"))
    .forUpdate("a");
}
// Built and compiled once each: every case read and action runs one of them.
const caseWithTimeline = compiledOnce((db: Db, id: string) => caseWithTimelineQuery(db, id, false));
const caseWithTimelineLocked = compiledOnce((db: Db, id: string) => caseWithTimelineQuery(db, id, true));

export function applicationView(db: Db) {
  return db
    .selectFrom("applications as a")
    .innerJoin("services as s", "s.code", "a.service_code")
    .innerJoin("service_versions as v", "v.id", "a.service_version_id")
    .innerJoin("accounts as applicant", "applicant.id", "a.applicant_id")
    .innerJoin("departments as d", "d.id", "a.department_id")
    .leftJoin("accounts as claimer", "claimer.id", "a.claimed_by")
    .leftJoin("accounts as first", "first.id", "a.first_contact_id")
    .selectAll("a")
    .select([
      "v.version as service_version",
      "applicant.name as applicant_name",
      "applicant.phone as applicant_phone",
      "applicant.email as applicant_email",
      "d.name as department_name",
      "claimer.name as claimed_by_name",
      "first.name as first_contact_name",
    ]);
}

export type ApplicationRow = Awaited<ReturnType<ReturnType<typeof applicationView>["executeTakeFirstOrThrow"]>>;

// Calendar dates are YYYY-MM-DD strings everywhere; a driver that hands back a Date (PGlite's
// clones lose the parser settings) is corrected here, in the one place rows come in.
const dateColumns = ["accepted_on", "due_on", "warn_on", "paused_since"] as const;
function withDateStrings(row: ApplicationRow): ApplicationRow {
  for (const column of dateColumns) {
    const value = row[column] as unknown;
    if (value instanceof Date) (row as Record<string, unknown>)[column] = value.toISOString().slice(0, 10);
  }
  return row;
}

type TimelineRow = Awaited<ReturnType<ReturnType<typeof caseWithTimelineQuery>["executeTakeFirstOrThrow"]>>;

/** A case as the application code uses it, from a row of `caseWithTimelineQuery`. */
function fromTimelineRow(row: TimelineRow) {
  delete (row as { unchanged?: boolean }).unchanged;
  // JSON carries timestamps as text; give them back as Dates like the other queries do.
  const actions = row.timeline.map((a) => ({ ...a, at: new Date(a.at) }));
  const materials = row.current_materials.map((m) => ({
    ...m,
    uploaded_at: new Date(m.uploaded_at),
    removed_at: m.removed_at ? new Date(m.removed_at) : null,
  }));
  const dataMaterials = row.current_data_materials.map((d) => ({
    ...d,
    consent_at: new Date(d.consent_at),
    fetched_at: new Date(d.fetched_at),
  }));
  const { timeline: _t, current_materials: _m, current_data_materials: _d, ...application } = row;
  return { row: withDateStrings(application as ApplicationRow), actions, materials, dataMaterials };
}

export interface QueueFilter {
  departmentId?: string;
  regionCode?: string;
  applicantId?: string;
  holderRoles?: string[];
  status?: string;
  serviceCode?: string;
  claimedBy?: string;
  dueBefore?: string;
  warnFrom?: string;
  q?: string;
  limit: number;
  offset: number;
}

export const applicationsRepository = {
  async nextNumber(db: Db): Promise<number> {
    const row = await sql<{ n: number }>`select nextval('application_number_seq')::int as n`.execute(db);
    return Number(row.rows[0]?.n);
  },

  async insert(db: Db, row: Parameters<ReturnType<Db["insertInto"]>["values"]>[0] & Record<string, unknown>) {
    await db
      .insertInto("applications")
      .values(row as never)
      .execute();
  },

  async find(db: Db, id: string) {
    const row = await applicationView(db).where("a.id", "=", id).executeTakeFirst();
    return row && withDateStrings(row);
  },

  /**
   * The case with its action log and current materials in one query: a case read is one round trip
   * instead of three (round trips dominate the cost of a read; see docs/performance.md).
   */
  async findWithTimeline(db: Db, id: string, options: { lock?: boolean } = {}) {
    const read = async (lock: boolean) =>
      (await db.executeQuery((lock ? caseWithTimelineLocked : caseWithTimeline)(db, id))).rows[0];
    let row = await read(options.lock === true);
    if (row && options.lock && !(row as { unchanged?: boolean }).unchanged) row = await read(false);
    if (!row) return undefined;
    return fromTimelineRow(row);
  },

  /**
   * Several cases with their logs and materials, locked, in one query (the actions of a batch):
   * locked in id order, so two batches sharing cases never wait for each other in a cycle. A row that
   * another transaction changed while this one waited for its lock is read again, as in
   * `findWithTimeline`.
   */
  async findManyWithTimelineLocked(db: Db, ids: readonly string[]) {
    const rows = await caseWithTimelineQuery(db, ids, true).orderBy("a.id").execute();
    const stale = rows.filter((row) => !(row as { unchanged?: boolean }).unchanged).map((row) => row.id);
    const again =
      stale.length > 0
        ? new Map((await caseWithTimelineQuery(db, stale, false).execute()).map((r) => [r.id, r]))
        : undefined;
    return rows.map((row) => fromTimelineRow(again?.get(row.id) ?? row));
  },

  /** The answers kept for these (account, Idempotency-Key) pairs. */
  async keptAnswers(db: Db, keys: readonly { actorId: string; key: string }[]) {
    if (keys.length === 0) return [];
    return db
      .selectFrom("idempotent_answers")
      .select(["actor_id", "key", "scope", "body"])
      .where((eb) =>
        eb(
          eb.refTuple("actor_id", "key"),
          "in",
          keys.map((k) => eb.tuple(k.actorId, k.key)),
        ),
      )
      .execute();
  },

  /** Actions with their ledger outbox rows (one each, about the action's case), in two statements. */
  async insertActionsWithChanges(
    db: Db,
    rows: readonly { action: Omit<Insertable<ApplicationActionsTable>, "outbox_id">; change: ChangeRecord }[],
  ): Promise<number[]> {
    const outbox = await db
      .insertInto("outbox")
      .values(rows.map((r) => outboxRow(r.change)))
      .returning(["id", "subject"])
      .execute();
    const idOf = new Map(outbox.map((o) => [o.subject, Number(o.id)]));
    const outboxIds = rows.map((r) => {
      const id = idOf.get(r.change.subject);
      if (id === undefined || r.change.subject !== r.action.application_id)
        throw new Error("insertActionsWithChanges: one change per case, about that case");
      return id;
    });
    await db
      .insertInto("application_actions")
      .values(rows.map((r, i) => ({ ...r.action, outbox_id: outboxIds[i] as number })))
      .execute();
    return outboxIds;
  },

  /**
   * The cases' new states in one statement. Every case gets the same columns (those of the first);
   * `submitted_at` is kept where a case's changes leave it out.
   */
  async updateMany(
    db: Db,
    changes: readonly ({ id: string } & Partial<{ [K in keyof ApplicationsTable]: unknown }>)[],
  ) {
    const first = changes[0];
    if (!first) return;
    const columns = [...new Set(changes.flatMap((c) => Object.keys(c)))].filter((c) => c !== "id");
    const set = sql.join(
      columns.map((c) =>
        c === "submitted_at"
          ? sql`submitted_at = coalesce(r.submitted_at, a.submitted_at)`
          : sql`${sql.ref(c)} = ${sql.ref(`r.${c}`)}`,
      ),
    );
    await sql`update applications as a set ${set}
      from jsonb_populate_recordset(null::applications, ${JSON.stringify(changes)}::jsonb) as r
      where a.id = r.id`.execute(db);
  },

  /** The applicants' notifications, their SMS and email rows, and the kept answers of a batch of actions. */
  async finishActions(
    db: Db,
    portal: readonly Insertable<NotificationsTable>[],
    messageRows: readonly Insertable<MessageOutboxTable>[],
    answers: readonly {
      actor_id: string;
      key: string;
      scope: string;
      status: number;
      body: string;
      created_at: Date;
    }[],
  ) {
    if (portal.length > 0) await db.insertInto("notifications").values(portal).execute();
    if (messageRows.length > 0) await db.insertInto("message_outbox").values(messageRows).execute();
    if (answers.length > 0) await db.insertInto("idempotent_answers").values(answers).execute();
  },

  async update(db: Db, id: string, changes: Partial<{ [K in keyof ApplicationsTable]: unknown }>) {
    await db
      .updateTable("applications")
      .set(changes as never)
      .where("id", "=", id)
      .execute();
  },

  async insertAction(db: Db, row: Insertable<ApplicationActionsTable>) {
    await db.insertInto("application_actions").values(row).execute();
  },

  async list(db: Db, filter: QueueFilter) {
    let query = applicationView(db);
    if (filter.applicantId) query = query.where("a.applicant_id", "=", filter.applicantId);
    if (filter.departmentId) query = query.where("a.department_id", "=", filter.departmentId);
    if (filter.regionCode) query = query.where("a.region_code", "=", filter.regionCode);
    if (filter.holderRoles)
      query = query.where("a.holder_role", "in", filter.holderRoles.length > 0 ? filter.holderRoles : ["-"]);
    if (filter.status) query = query.where("a.status", "=", filter.status);
    if (filter.serviceCode) query = query.where("a.service_code", "=", filter.serviceCode);
    if (filter.claimedBy) query = query.where("a.claimed_by", "=", filter.claimedBy);
    if (filter.dueBefore) query = query.where("a.due_on", "<", filter.dueBefore).where("a.paused_since", "is", null);
    if (filter.warnFrom) query = query.where("a.warn_on", "<=", filter.warnFrom).where("a.paused_since", "is", null);
    if (filter.dueBefore || filter.warnFrom) query = query.where("a.status", "in", ["under_review"]);
    if (filter.q) {
      const like = `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query = query.where((eb) =>
        eb.or([eb("a.number", "ilike", like), eb("applicant.name", "ilike", like), eb("s.name", "ilike", like)]),
      );
    }
    // A deadline filter lists the most urgent first: the earliest due date, then the latest change.
    if (filter.dueBefore || filter.warnFrom) query = query.orderBy("a.due_on", "asc");
    const rows = await query.orderBy("a.updated_at", "desc").limit(filter.limit).offset(filter.offset).execute();
    return rows.map(withDateStrings);
  },

  async insertFile(db: Db, row: { sha256: string; content_type: string; size: number; created_at: Date }) {
    await db
      .insertInto("files")
      .values(row)
      .onConflict((oc) => oc.column("sha256").doNothing())
      .execute();
  },

  async insertMaterial(db: Db, row: Insertable<ApplicationMaterialsTable>) {
    await db.insertInto("application_materials").values(row).execute();
  },

  /** Stores a fetched material, replacing the current fetch of the same material. */
  async insertDataMaterial(db: Db, row: Insertable<ApplicationDataMaterialsTable>) {
    await db
      .updateTable("application_data_materials")
      .set({ replaced_at: row.fetched_at })
      .where("application_id", "=", row.application_id)
      .where("material_code", "=", row.material_code)
      .where("replaced_at", "is", null)
      .execute();
    await db.insertInto("application_data_materials").values(row).execute();
  },

  async removeMaterial(db: Db, applicationId: string, materialId: string, at: Date): Promise<boolean> {
    const result = await db
      .updateTable("application_materials")
      .set({ removed_at: at })
      .where("id", "=", materialId)
      .where("application_id", "=", applicationId)
      .where("removed_at", "is", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  },

  findMaterial(db: Db, applicationId: string, materialId: string) {
    return db
      .selectFrom("application_materials")
      .selectAll()
      .where("id", "=", materialId)
      .where("application_id", "=", applicationId)
      .executeTakeFirst();
  },
};
