import type { SecurityEvent, SecurityEventQuery } from "@tongban/contracts";
import type { Db } from "../../db/database.ts";
import { type Actor, authorize } from "../../policy/policy.ts";
import { securityRepository as repo } from "./security.repository.ts";

export function createSecurityService({ db }: { db: Db }) {
  return {
    /** The security events of the officer's region, newest first. */
    async list(actor: Actor, query: SecurityEventQuery): Promise<SecurityEvent[]> {
      authorize(actor, "security.read", { regionCode: actor.regionCode });
      const rows = await repo.list(db, {
        regionCode: actor.regionCode as string,
        severity: query.severity,
        type: query.type,
        source: query.source,
        since: query.since ? new Date(query.since) : undefined,
        limit: query.limit,
        offset: query.offset,
      });
      return rows.map((row) => ({
        id: row.id,
        at: row.at.toISOString(),
        type: row.type,
        severity: row.severity,
        source: row.source,
        accountId: row.account_id,
        accountName: row.account_name,
        regionCode: row.region_code,
        departmentId: row.department_id,
        departmentName: row.department_name,
        subject: row.subject,
        details: row.details,
      }));
    },
  };
}
export type SecurityService = ReturnType<typeof createSecurityService>;
