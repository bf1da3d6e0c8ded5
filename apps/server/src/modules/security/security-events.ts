import type { SecuritySeverity } from "@tongban/contracts";
import type { Db } from "../../db/database.ts";

/** A security event as a module reports it; the security officers of `regionCode` will see it. */
export interface SecurityEventRecord {
  id: string;
  at: Date;
  /** `<module>.<what>`, e.g. exchange.beyond_grant. */
  type: string;
  severity: SecuritySeverity;
  source: string;
  accountId: string | null;
  regionCode: string | null;
  departmentId: string | null;
  subject: string | null;
  details?: Record<string, unknown>;
}

/**
 * Records the event in the caller's transaction, so the event and what caused it commit together.
 * Any module may call this (like `recordChange`); the security module reads the events.
 */
export async function recordSecurityEvent(trx: Db, event: SecurityEventRecord): Promise<void> {
  await trx
    .insertInto("security_events")
    .values({
      id: event.id,
      at: event.at,
      type: event.type,
      severity: event.severity,
      source: event.source,
      account_id: event.accountId,
      region_code: event.regionCode,
      department_id: event.departmentId,
      subject: event.subject,
      details: JSON.stringify(event.details ?? {}),
    })
    .execute();
}
