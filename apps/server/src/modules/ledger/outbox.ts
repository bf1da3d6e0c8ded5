import type { Db } from "../../db/database.ts";

/**
 * A state change, as the ledger will record it: what happened, to which subject, by whom.
 * Personal data stays out: subjects are ids, and `facts` holds only non-personal details.
 */
export interface ChangeRecord {
  type: string;
  subject: string;
  actor: string | null;
  at: Date;
  facts?: Record<string, unknown>;
}

/**
 * Appends the change in the caller's transaction, so the change and its record commit together.
 * Answers the outbox row's id (its ledger index follows once the sequencer integrates it).
 */
export async function recordChange(trx: Db, change: ChangeRecord): Promise<number> {
  const row = await trx.insertInto("outbox").values(outboxRow(change)).returning("id").executeTakeFirstOrThrow();
  return Number(row.id);
}

/**
 * Appends several changes in the caller's transaction in one statement, in order; answers their
 * outbox rows' ids in the same order.
 */
export async function recordChanges(trx: Db, changes: ChangeRecord[]): Promise<number[]> {
  if (changes.length === 0) return [];
  const rows = await trx.insertInto("outbox").values(changes.map(outboxRow)).returning("id").execute();
  return rows.map((row) => Number(row.id));
}

/** The outbox row of a change, for a statement that writes it together with the change itself. */
export function outboxRow(change: ChangeRecord) {
  return {
    type: change.type,
    subject: change.subject,
    actor: change.actor,
    at: change.at,
    content: JSON.stringify(change.facts ?? {}),
  };
}
