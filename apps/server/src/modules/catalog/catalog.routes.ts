import {
  AdminServiceQuery,
  AdminServiceSummary,
  ErrorBody,
  ServiceDetail,
  ServiceQuery,
  ServiceSummary,
  ServiceVersionInfo,
} from "@tongban/contracts";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { CatalogService } from "./catalog.service.ts";

const Code = z.object({ code: z.string().min(1).max(40) });
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

export const catalogRoutes: FastifyPluginAsyncZod<{ catalog: CatalogService }> = async (app, { catalog }) => {
  app.get(
    "/services",
    {
      schema: {
        tags: ["catalogue"],
        summary: "Browse and search the service catalogue (by region, department, life event, applicant kind, text)",
        querystring: ServiceQuery,
        response: { 200: z.array(ServiceSummary), 400: ErrorBody },
      },
    },
    async (request) => catalog.list(request.query),
  );

  app.get(
    "/services/:code",
    {
      schema: {
        tags: ["catalogue"],
        summary: "A service's guide: every standard element at once (一次性告知); `version` picks an earlier version",
        params: Code,
        querystring: z.object({ version: z.coerce.number().int().min(1).optional() }),
        response: { 200: ServiceDetail, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) =>
      request.query.version
        ? catalog.publishedVersion(request.params.code, request.query.version)
        : catalog.get(request.params.code),
  );

  app.get(
    "/admin/services",
    {
      preHandler: app.authenticate,
      schema: {
        tags: ["admin"],
        summary:
          "The administrator's region's service items with their draft versions (filters: department, status, text)",
        querystring: AdminServiceQuery,
        response: { 200: z.array(AdminServiceSummary), ...errors },
      },
    },
    async (request) => catalog.adminList(app.actorOf(request), request.query),
  );

  app.get(
    "/admin/services/:code/versions",
    {
      preHandler: app.authenticate,
      schema: {
        tags: ["admin"],
        summary: "The versions of a service item",
        params: Code,
        response: { 200: z.array(ServiceVersionInfo), ...errors },
      },
    },
    async (request) => catalog.versions(app.actorOf(request), request.params.code),
  );

  app.get(
    "/admin/services/:code/versions/:version",
    {
      preHandler: app.authenticate,
      schema: {
        tags: ["admin"],
        summary: "One version of a service item",
        params: Code.extend({ version: z.coerce.number().int().min(1) }),
        response: { 200: ServiceDetail.extend({ status: z.string() }), ...errors },
      },
    },
    async (request) => catalog.versionDetail(app.actorOf(request), request.params.code, request.params.version),
  );

  app.post(
    "/admin/services/:code/versions",
    {
      preHandler: app.authenticate,
      schema: {
        tags: ["admin"],
        summary: "Save an edited service item as a new draft version",
        params: Code,
        body: z.object({ item: z.record(z.string(), z.unknown()) }),
        response: { 201: ServiceVersionInfo, ...errors },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return catalog.createDraft(app.actorOf(request), request.params.code, request.body.item);
    },
  );

  app.post(
    "/admin/services/:code/versions/:version/publish",
    {
      preHandler: app.authenticate,
      schema: {
        tags: ["admin"],
        summary: "Publish a draft version; new applications use it, earlier ones keep theirs",
        params: Code.extend({ version: z.coerce.number().int().min(1) }),
        response: { 200: ServiceDetail, ...errors },
      },
    },
    async (request) => catalog.publish(app.actorOf(request), request.params.code, request.params.version),
  );
};
