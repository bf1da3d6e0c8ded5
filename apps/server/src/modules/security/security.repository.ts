import type { Db } from "../../db/database.ts";

export interface SecurityEventFilter {
  regionCode: string;
  severity?: string;
  type?: string;
  source?: string;
  since?: Date;
  limit: number;
  offset: number;
}

export const securityRepository = {
  list(db: Db, filter: SecurityEventFilter) {
    let query = db
      .selectFrom("security_events as e")
      .leftJoin("accounts as a", "a.id", "e.account_id")
      .leftJoin("departments as d", "d.id", "e.department_id")
      .selectAll("e")
      .select(["a.name as account_name", "d.name as department_name"])
      // An event about the node itself (no region: e.g. a forged payment notification, which names no
      // case) is shown to the officers of every region the node serves.
      .where((eb) => eb.or([eb("e.region_code", "=", filter.regionCode), eb("e.region_code", "is", null)]));
    if (filter.severity) query = query.where("e.severity", "=", filter.severity as never);
    if (filter.type) query = query.where("e.type", "=", filter.type);
    if (filter.source) query = query.where("e.source", "=", filter.source);
    if (filter.since) query = query.where("e.at", ">=", filter.since);
    return query.orderBy("e.at", "desc").orderBy("e.id").limit(filter.limit).offset(filter.offset).execute();
  },
};
