import { ErrorBody, IdParam, OutboxMessage, OutboxQuery } from "@tongban/contracts";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { AppError } from "../../http/errors.ts";
import { authorize } from "../../policy/policy.ts";
import type { NotificationsService } from "./notifications.service.ts";

const Notification = z.object({
  id: z.string(),
  applicationId: z.string().nullable(),
  kind: z.string(),
  title: z.string(),
  body: z.string(),
  createdAt: z.string(),
  readAt: z.string().nullable(),
});

export const notificationsRoutes: FastifyPluginAsyncZod<{ notifications: NotificationsService }> = async (
  app,
  { notifications },
) => {
  app.addHook("preHandler", app.authenticate);

  app.get(
    "/notifications",
    {
      schema: {
        tags: ["notifications"],
        summary: "The caller's portal notifications, newest first",
        response: { 200: z.array(Notification), 401: ErrorBody },
      },
    },
    async (request) => {
      const actor = app.actorOf(request);
      return (await notifications.list(actor.accountId)).map((n) => ({
        id: n.id,
        applicationId: n.application_id,
        kind: n.kind,
        title: n.title,
        body: n.body,
        createdAt: n.created_at.toISOString(),
        readAt: n.read_at ? n.read_at.toISOString() : null,
      }));
    },
  );

  app.post(
    "/notifications/:id/read",
    {
      schema: {
        tags: ["notifications"],
        summary: "Mark a notification read",
        params: IdParam,
        response: { 204: z.null(), 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      if (!(await notifications.markRead(app.actorOf(request).accountId, request.params.id)))
        throw new AppError("NOT_FOUND");
      return reply.status(204).send(null);
    },
  );

  app.get(
    "/admin/messages",
    {
      schema: {
        tags: ["admin"],
        summary:
          "SMS and email to the accounts of the administrator's region, newest first, with their delivery (filters: channel, text; `before` pages back)",
        querystring: OutboxQuery,
        response: { 200: z.array(OutboxMessage), 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (request) => {
      const actor = app.actorOf(request);
      authorize(actor, "messages.read", { regionCode: actor.regionCode });
      return (await notifications.outbox(actor.regionCode ?? "-", request.query)).map((m) => ({
        id: Number(m.id),
        channel: m.channel,
        recipient: m.recipient,
        subject: m.subject,
        body: m.body,
        accountName: m.account_name,
        createdAt: m.created_at.toISOString(),
        status: m.status,
        attempts: m.attempts,
        sentAt: m.sent_at ? m.sent_at.toISOString() : null,
        lastError: m.last_error,
      }));
    },
  );
};
