import {
  ActionRequest,
  Application,
  ApplicationListItem,
  ApplicationQuery,
  Channel,
  CreateApplication,
  DataMaterialSource,
  ErrorBody,
  FetchDataMaterial,
  IdParam,
  UpdateApplication,
} from "@tongban/contracts";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { AppError, fieldError } from "../../http/errors.ts";
import type { ApplicationsService } from "./applications.service.ts";

const errors = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
  413: ErrorBody,
  422: ErrorBody,
};
const ChannelHeader = z.object({ "x-tongban-channel": Channel.optional() });

export const applicationsRoutes: FastifyPluginAsyncZod<{ applications: ApplicationsService }> = async (
  app,
  { applications },
) => {
  app.addHook("preHandler", app.authenticate);

  app.post(
    "/applications",
    {
      schema: {
        tags: ["applications"],
        summary: "Start a draft application for a service",
        body: CreateApplication,
        response: { 201: Application, ...errors },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return applications.create(app.actorOf(request), request.body);
    },
  );

  app.get(
    "/applications",
    {
      schema: {
        tags: ["applications"],
        summary:
          "A resident's own applications; for staff, their queue; for supervisors, their region (filters: status, service, department, deadline, mine, q)",
        querystring: ApplicationQuery,
        response: { 200: z.array(ApplicationListItem), ...errors },
      },
    },
    async (request) => applications.list(app.actorOf(request), request.query),
  );

  app.get(
    "/applications/:id",
    {
      schema: {
        tags: ["applications"],
        summary: "One application with its timeline",
        params: IdParam,
        response: { 200: Application, ...errors },
      },
    },
    async (request) => applications.get(app.actorOf(request), request.params.id),
  );

  app.patch(
    "/applications/:id",
    {
      schema: {
        tags: ["applications"],
        summary: "Save the form of a draft (or during a supplement)",
        params: IdParam,
        body: UpdateApplication,
        response: { 200: Application, ...errors },
      },
    },
    async (request) => applications.updateForm(app.actorOf(request), request.params.id, request.body.form),
  );

  app.post(
    "/applications/:id/materials",
    {
      schema: {
        tags: ["applications"],
        summary: "Upload a material (multipart/form-data: field materialCode, then the file)",
        consumes: ["multipart/form-data"],
        params: IdParam,
        response: { 201: Application, ...errors },
      },
    },
    async (request, reply) => {
      if (!request.isMultipart()) throw new AppError("UNSUPPORTED_MEDIA_TYPE", { expected: "multipart/form-data" });
      let materialCode: string | undefined;
      let upload: { fileName: string; content: Uint8Array } | undefined;
      try {
        for await (const part of request.parts()) {
          if (part.type === "field" && part.fieldname === "materialCode") materialCode = String(part.value);
          if (part.type === "file") {
            if (upload) throw fieldError([{ field: "file", reason: "TOO_MANY", message: "Send one file per request" }]);
            upload = { fileName: part.filename, content: new Uint8Array(await part.toBuffer()) };
          }
        }
      } catch (error) {
        if ((error as { code?: string }).code === "FST_REQ_FILE_TOO_LARGE") {
          throw fieldError([
            { field: "file", reason: "TOO_LARGE", message: "The file is larger than any material allows (50 MB)" },
          ]);
        }
        throw error;
      }
      const issues = [
        ...(materialCode
          ? []
          : [
              {
                field: "materialCode",
                reason: "REQUIRED",
                message: "Name the material (send materialCode before the file)",
              },
            ]),
        ...(upload ? [] : [{ field: "file", reason: "REQUIRED", message: "Attach the file" }]),
      ];
      if (issues.length > 0 || !materialCode || !upload) throw fieldError(issues);
      reply.status(201);
      return applications.addMaterial(app.actorOf(request), request.params.id, { materialCode, ...upload });
    },
  );

  app.get(
    "/applications/:id/data-sources",
    {
      schema: {
        tags: ["applications"],
        summary:
          "Materials of the case obtainable from shared data (免提交): the resource, its department and the fields a fetch would read",
        params: IdParam,
        response: { 200: z.array(DataMaterialSource), ...errors },
      },
    },
    async (request) => applications.dataSources(app.actorOf(request), request.params.id),
  );

  app.post(
    "/applications/:id/data-materials",
    {
      schema: {
        tags: ["applications"],
        summary:
          "With the applicant's consent, fetch a material from the department holding it through the exchange gateway instead of uploading it",
        params: IdParam,
        body: FetchDataMaterial,
        response: { 201: Application, ...errors, 429: ErrorBody, 502: ErrorBody, 503: ErrorBody },
      },
    },
    async (request, reply) => {
      const application = await applications.fetchDataMaterial(app.actorOf(request), request.params.id, request.body, {
        idNumber: request.account?.id_number ?? null,
        creditCode: request.account?.credit_code ?? null,
      });
      reply.status(201);
      return application;
    },
  );

  app.delete(
    "/applications/:id/materials/:materialId",
    {
      schema: {
        tags: ["applications"],
        summary: "Remove an uploaded material from a draft",
        params: IdParam.extend({ materialId: z.string().uuid() }),
        response: { 200: Application, ...errors },
      },
    },
    async (request) => applications.removeMaterial(app.actorOf(request), request.params.id, request.params.materialId),
  );

  app.get(
    "/applications/:id/materials/:materialId/content",
    {
      schema: {
        tags: ["applications"],
        summary: "Download an uploaded material",
        params: IdParam.extend({ materialId: z.string().uuid() }),
      },
    },
    async (request, reply) => {
      const file = await applications.materialContent(
        app.actorOf(request),
        request.params.id,
        request.params.materialId,
      );
      reply.header("content-type", file.contentType);
      reply.header("content-disposition", `attachment; filename*=UTF-8''${encodeURIComponent(file.fileName)}`);
      reply.header("x-content-type-options", "nosniff");
      return reply.send(Buffer.from(file.content));
    },
  );

  app.post(
    "/applications/:id/actions",
    {
      schema: {
        tags: ["applications"],
        summary:
          "Act on an application (submit, accept, request a supplement, approve…); needs an Idempotency-Key header",
        params: IdParam,
        headers: ChannelHeader.extend({
          "idempotency-key": z
            .string({ error: "Send an Idempotency-Key header" })
            .min(8, { error: "An Idempotency-Key has 8 to 128 characters" })
            .max(128),
        }),
        body: ActionRequest,
        response: { 200: Application, ...errors },
      },
    },
    async (request) =>
      applications.act(app.actorOf(request), request.params.id, request.body, {
        idempotencyKey: request.headers["idempotency-key"],
        channel: request.headers["x-tongban-channel"] ?? "pc",
        place: request.ip,
        actorName: request.account?.name,
      }),
  );
};
