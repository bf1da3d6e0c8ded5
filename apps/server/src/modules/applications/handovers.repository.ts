// Cases handed over by other nodes (跨省通办), filed several at a time: a batch of hand-overs that
// arrived in one delivery is written in two statements instead of six per case. Kept apart from
// applications.repository.ts so the single-case path there stays as it is.
import { sql } from "kysely";
import type { Db } from "../../db/database.ts";
import type { ChangeRecord } from "../ledger/outbox.ts";

export interface HandedOverRow {
  id: string;
  /** The number's prefix: region and China date (`610500-20261129-`); the sequence completes it. */
  numberPrefix: string;
  service_code: string;
  service_version_id: string;
  applicant_id: string;
  region_code: string;
  department_id: string;
  classification: string;
  form: Record<string, unknown>;
  status: string;
  holder_role: string | null;
  channel: string;
  at: Date;
  /** The submit action's payload and idempotency key. */
  payload: Record<string, unknown>;
  idempotency_key: string;
  created: ChangeRecord;
  submitted: ChangeRecord;
}

export const handoversRepository = {
  /** Numbers from the applications' sequence, one per case, in order. */
  async nextNumbers(db: Db, count: number): Promise<number[]> {
    const { rows } = await sql<{ n: number }>`
      select nextval('application_number_seq')::int as n from generate_series(1, ${count}::int)`.execute(db);
    return rows.map((r) => Number(r.n));
  },

  /**
   * Files submitted cases in ONE statement: each application as it stands after its submission (the
   * state the single path reaches by an insert and an update), its two ledger entries (created, then
   * submitted, case after case) and its submit action linked to the second.
   */
  async insertSubmitted(db: Db, rows: (HandedOverRow & { number: string })[]): Promise<void> {
    if (rows.length === 0) return;
    const data = rows.map((r, ord) => ({
      ord,
      id: r.id,
      number: r.number,
      service_code: r.service_code,
      service_version_id: r.service_version_id,
      applicant_id: r.applicant_id,
      region_code: r.region_code,
      department_id: r.department_id,
      classification: r.classification,
      form: r.form,
      status: r.status,
      holder_role: r.holder_role,
      channel: r.channel,
      at: r.at.toISOString(),
      payload: r.payload,
      idempotency_key: r.idempotency_key,
      changes: [r.created, r.submitted].map((c, k) => ({
        k,
        type: c.type,
        subject: c.subject,
        actor: c.actor,
        at: c.at.toISOString(),
        content: c.facts ?? {},
      })),
    }));
    await sql`
      with d as (
        select * from jsonb_to_recordset(${JSON.stringify(data)}::jsonb)
          as r(ord int, id uuid, number text, service_code text, service_version_id uuid, applicant_id uuid,
            region_code text, department_id uuid, classification text, form jsonb, status text, holder_role text,
            channel text, at timestamptz, payload jsonb, idempotency_key text, changes jsonb)
      ), filed as (
        insert into applications (id, number, service_code, service_version_id, applicant_id, region_code,
          department_id, classification, form, status, holder_role, last_action_seq, channel, created_at,
          submitted_at, updated_at)
        select id, number, service_code, service_version_id, applicant_id, region_code, department_id, classification,
          form, status, holder_role, 1, channel, at, at, at
        from d order by ord
        returning id
      ), ledger as (
        insert into outbox (type, subject, actor, at, content)
        select c.type, c.subject, c.actor, c.at, c.content
        from d cross join lateral jsonb_to_recordset(d.changes)
          as c(k int, type text, subject text, actor text, at timestamptz, content jsonb)
        order by d.ord, c.k
        returning id, type, subject
      )
      insert into application_actions (application_id, seq, type, actor_id, actor_role, channel, place, at, payload,
        idempotency_key, outbox_id)
      select d.id, 1, 'submit', d.applicant_id, 'applicant', d.channel, null, d.at, d.payload, d.idempotency_key, l.id
      from d join ledger l on l.subject = d.id::text and l.type = 'application.submit'
      join filed on filed.id = d.id`.execute(db);
  },
};
