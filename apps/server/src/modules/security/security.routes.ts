import { ErrorBody, SecurityEvent, SecurityEventQuery } from "@tongban/contracts";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { SecurityService } from "./security.service.ts";

export const securityRoutes: FastifyPluginAsyncZod<{ security: SecurityService }> = async (app, { security }) => {
  app.get(
    "/security/events",
    {
      preHandler: app.authenticate,
      schema: {
        tags: ["security"],
        summary: "Security events of the officer's region, newest first (filters: severity, type, source, since)",
        querystring: SecurityEventQuery,
        response: { 200: z.array(SecurityEvent), 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (request) => security.list(app.actorOf(request), request.query),
  );
};
