import { z } from "zod";

/** One SMS or email as the local message adapter wrote it to the outbox. */
export const OutboxMessage = z.object({
  id: z.number().int(),
  channel: z.enum(["sms", "email"]),
  recipient: z.string(),
  subject: z.string().nullable(),
  body: z.string(),
  /** The account the message was for, when it was for one. */
  accountName: z.string().nullable(),
  createdAt: z.string(),
  /** pending: not yet delivered (retried with backoff); sent; failed: given up after the last attempt. */
  status: z.enum(["pending", "sent", "failed"]),
  attempts: z.number().int(),
  sentAt: z.string().nullable(),
  /** Why the last attempt failed, as the gateway said. */
  lastError: z.string().nullable(),
});
export type OutboxMessage = z.infer<typeof OutboxMessage>;

export const OutboxQuery = z.object({
  channel: z.enum(["sms", "email"]).optional(),
  /** Part of the recipient, the subject or the text. */
  q: z.string().trim().max(50).optional(),
  /** Messages older than this id: the next page after the last one shown. */
  before: z.coerce.number().int().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type OutboxQuery = z.infer<typeof OutboxQuery>;
