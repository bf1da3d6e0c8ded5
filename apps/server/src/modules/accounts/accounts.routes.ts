import { CreateStaff, ErrorBody, IdParam, StaffAccount, StaffQuery, UpdateStaff } from "@tongban/contracts";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AccountsService } from "./accounts.service.ts";

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

/** Staff accounts, managed by the administrators of their region. */
export const staffRoutes: FastifyPluginAsyncZod<{ accounts: AccountsService }> = async (app, { accounts }) => {
  app.addHook("preHandler", app.authenticate);

  app.get(
    "/admin/staff",
    {
      schema: {
        tags: ["admin"],
        summary: "List staff accounts of a region",
        querystring: StaffQuery,
        response: { 200: z.array(StaffAccount), ...errors },
      },
    },
    async (request) => accounts.listStaff(app.actorOf(request), request.query),
  );

  app.get(
    "/admin/staff/:id",
    {
      schema: {
        tags: ["admin"],
        summary: "One staff account",
        params: IdParam,
        response: { 200: StaffAccount, ...errors },
      },
    },
    async (request) => accounts.getStaff(app.actorOf(request), request.params.id),
  );

  app.post(
    "/admin/staff",
    {
      schema: {
        tags: ["admin"],
        summary: "Create a staff account",
        body: CreateStaff,
        response: { 201: StaffAccount, ...errors },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return accounts.createStaff(app.actorOf(request), request.body);
    },
  );

  app.patch(
    "/admin/staff/:id",
    {
      schema: {
        tags: ["admin"],
        summary: "Change, disable, unlock or reset a staff account",
        params: IdParam,
        body: UpdateStaff,
        response: { 200: StaffAccount, ...errors },
      },
    },
    async (request) => accounts.updateStaff(app.actorOf(request), request.params.id, request.body),
  );
};
