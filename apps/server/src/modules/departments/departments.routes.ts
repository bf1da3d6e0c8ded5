import { CreateDepartment, Department, ErrorBody, IdParam, UpdateDepartment } from "@tongban/contracts";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { DepartmentsService } from "./departments.service.ts";

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

export const departmentsRoutes: FastifyPluginAsyncZod<{ departments: DepartmentsService }> = async (
  app,
  { departments },
) => {
  app.get(
    "/regions/:regionCode/departments",
    {
      schema: {
        tags: ["departments"],
        summary: "The departments of a region (public)",
        params: z.object({ regionCode: z.string().regex(/^\d{6}$/, { error: "A region code has 6 digits" }) }),
        response: { 200: z.array(Department), 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => departments.list(request.params.regionCode),
  );

  app.post(
    "/admin/departments",
    {
      preHandler: app.authenticate,
      schema: {
        tags: ["admin"],
        summary: "Create a department",
        body: CreateDepartment,
        response: { 201: Department, ...errors },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return departments.create(app.actorOf(request), request.body);
    },
  );

  app.patch(
    "/admin/departments/:id",
    {
      preHandler: app.authenticate,
      schema: {
        tags: ["admin"],
        summary: "Rename a department",
        params: IdParam,
        body: UpdateDepartment,
        response: { 200: Department, ...errors },
      },
    },
    async (request) => departments.update(app.actorOf(request), request.params.id, request.body),
  );

  app.delete(
    "/admin/departments/:id",
    {
      preHandler: app.authenticate,
      schema: {
        tags: ["admin"],
        summary: "Delete a department that has no staff",
        params: IdParam,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await departments.remove(app.actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
};
