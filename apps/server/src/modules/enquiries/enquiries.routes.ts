import {
  CreateEnquiry,
  Enquiry,
  EnquiryListItem,
  EnquiryQuery,
  EnquiryReply,
  ErrorBody,
  IdParam,
} from "@tongban/contracts";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { EnquiriesService } from "./enquiries.service.ts";

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

export const enquiriesRoutes: FastifyPluginAsyncZod<{ enquiries: EnquiriesService }> = async (app, { enquiries }) => {
  app.addHook("preHandler", app.authenticate);

  app.post(
    "/enquiries",
    {
      schema: {
        tags: ["enquiries"],
        summary: "Ask a department a question (咨询), by the department or by the service it is about",
        body: CreateEnquiry,
        response: { 201: Enquiry, ...errors },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return enquiries.create(app.actorOf(request), request.body);
    },
  );

  app.get(
    "/enquiries",
    {
      schema: {
        tags: ["enquiries"],
        summary:
          "A resident's own enquiries; for window and handling staff, their department's (mine: those they are first contact of); for supervisors, their region's",
        querystring: EnquiryQuery,
        response: { 200: z.array(EnquiryListItem), ...errors },
      },
    },
    async (request) => enquiries.list(app.actorOf(request), request.query),
  );

  app.get(
    "/enquiries/:id",
    {
      schema: {
        tags: ["enquiries"],
        summary: "One enquiry with its messages and what the caller may do",
        params: IdParam,
        response: { 200: Enquiry, ...errors },
      },
    },
    async (request) => enquiries.get(app.actorOf(request), request.params.id),
  );

  app.post(
    "/enquiries/:id/take",
    {
      schema: {
        tags: ["enquiries"],
        summary: "Take the enquiry: the caller becomes its first contact (首问负责人) and answers it",
        params: IdParam,
        response: { 200: Enquiry, ...errors },
      },
    },
    async (request) => enquiries.take(app.actorOf(request), request.params.id),
  );

  app.post(
    "/enquiries/:id/replies",
    {
      schema: {
        tags: ["enquiries"],
        summary: "Reply: the asker adds to the question, or the first contact answers (taking it if nobody has)",
        params: IdParam,
        body: EnquiryReply,
        response: { 200: Enquiry, ...errors },
      },
    },
    async (request) => enquiries.reply(app.actorOf(request), request.params.id, request.body.body),
  );

  app.post(
    "/enquiries/:id/close",
    {
      schema: {
        tags: ["enquiries"],
        summary: "The asker closes the enquiry",
        params: IdParam,
        response: { 200: Enquiry, ...errors },
      },
    },
    async (request) => enquiries.close(app.actorOf(request), request.params.id),
  );
};
