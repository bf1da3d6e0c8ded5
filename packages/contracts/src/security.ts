import { z } from "zod";

export const SecuritySeverity = z.enum(["low", "medium", "high"]);
export type SecuritySeverity = z.infer<typeof SecuritySeverity>;

/** A security event recorded by a module (denied access, a query beyond its grant, bulk reads …). */
export const SecurityEvent = z.object({
  id: z.string(),
  at: z.string(),
  /** e.g. exchange.beyond_grant; the web translates it. */
  type: z.string(),
  severity: SecuritySeverity,
  /** The module that recorded it: exchange, auth … */
  source: z.string(),
  accountId: z.string().nullable(),
  accountName: z.string().nullable(),
  regionCode: z.string().nullable(),
  departmentId: z.string().nullable(),
  departmentName: z.string().nullable(),
  /** What it is about, e.g. the data access record's id. */
  subject: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});
export type SecurityEvent = z.infer<typeof SecurityEvent>;

export const SecurityEventQuery = z.object({
  severity: SecuritySeverity.optional(),
  type: z.string().max(80).optional(),
  source: z.string().max(40).optional(),
  since: z.iso.datetime({ offset: true, error: "An ISO 8601 date-time" }).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
export type SecurityEventQuery = z.infer<typeof SecurityEventQuery>;
