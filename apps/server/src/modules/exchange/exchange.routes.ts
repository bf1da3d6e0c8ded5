import {
  CreateDataResource,
  CreateSharingRequest,
  DataAccessItem,
  DataAccessQuery,
  DataResource,
  DataResourceQuery,
  DataResourceSummary,
  ErrorBody,
  ExchangeAnswer,
  ExchangeQuery,
  GatewayKey,
  Grant,
  GrantQuery,
  IdParam,
  PoolRecords,
  ResourceCodeParam,
  RevokeGrant,
  SharingDecision,
  SharingRequest,
  SharingRequestQuery,
  UpdateDataResource,
} from "@tongban/contracts";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { ExchangeService } from "./exchange.service.ts";

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

export const exchangeRoutes: FastifyPluginAsyncZod<{ exchange: ExchangeService }> = async (app, { exchange }) => {
  app.get(
    "/exchange/gateway-key",
    {
      schema: {
        tags: ["data sharing"],
        summary: "The public key the gateway signs department-system requests with (for the systems to trust)",
        response: { 200: GatewayKey },
      },
    },
    async () => exchange.gatewayKey(),
  );

  app.get(
    "/exchange/resources",
    {
      preHandler: app.authenticate,
      schema: {
        tags: ["data sharing"],
        summary: "Browse and search the data-resource catalogue (政务数据资源目录)",
        querystring: DataResourceQuery,
        response: { 200: z.array(DataResourceSummary), ...errors },
      },
    },
    async (request) => exchange.listResources(app.actorOf(request), request.query),
  );

  app.get(
    "/exchange/resources/:code",
    {
      preHandler: app.authenticate,
      schema: {
        tags: ["data sharing"],
        summary: "A data resource with its fields, sharing class, legal basis and connector",
        params: ResourceCodeParam,
        response: { 200: DataResource, ...errors },
      },
    },
    async (request) => exchange.getResource(app.actorOf(request), request.params.code),
  );

  app.post(
    "/exchange/resources",
    {
      preHandler: app.authenticate,
      schema: {
        tags: ["data sharing"],
        summary: "Publish a data resource of the steward's department",
        body: CreateDataResource,
        response: { 201: DataResource, ...errors },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return exchange.createResource(app.actorOf(request), request.body);
    },
  );

  app.patch(
    "/exchange/resources/:code",
    {
      preHandler: app.authenticate,
      schema: {
        tags: ["data sharing"],
        summary: "Change a data resource of the steward's department",
        params: ResourceCodeParam,
        body: UpdateDataResource,
        response: { 200: DataResource, ...errors },
      },
    },
    async (request) => exchange.updateResource(app.actorOf(request), request.params.code, request.body),
  );

  app.post(
    "/exchange/resources/:code/pool",
    {
      preHandler: app.authenticate,
      schema: {
        tags: ["data sharing"],
        summary: "Load records into the resource's department data pool (upserted by key)",
        params: ResourceCodeParam,
        body: PoolRecords,
        response: { 200: z.object({ loaded: z.number().int() }), ...errors },
      },
    },
    async (request) => exchange.loadPool(app.actorOf(request), request.params.code, request.body.records),
  );

  app.post(
    "/exchange/requests",
    {
      preHandler: app.authenticate,
      schema: {
        tags: ["data sharing"],
        summary: "Ask for a conditionally shared resource: purpose, legal basis, fields, last day",
        body: CreateSharingRequest,
        response: { 201: SharingRequest, ...errors },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return exchange.createRequest(app.actorOf(request), request.body);
    },
  );

  app.get(
    "/exchange/requests",
    {
      preHandler: app.authenticate,
      schema: {
        tags: ["data sharing"],
        summary: "Sharing requests of the department (outgoing) and, for its steward, for its resources (incoming)",
        querystring: SharingRequestQuery,
        response: { 200: z.array(SharingRequest), ...errors },
      },
    },
    async (request) => exchange.listRequests(app.actorOf(request), request.query),
  );

  app.get(
    "/exchange/requests/:id",
    {
      preHandler: app.authenticate,
      schema: {
        tags: ["data sharing"],
        summary: "One sharing request",
        params: IdParam,
        response: { 200: SharingRequest, ...errors },
      },
    },
    async (request) => exchange.getRequest(app.actorOf(request), request.params.id),
  );

  app.post(
    "/exchange/requests/:id/decision",
    {
      preHandler: app.authenticate,
      schema: {
        tags: ["data sharing"],
        summary: "The provider's steward approves (possibly fewer fields, an earlier last day) or refuses with reasons",
        params: IdParam,
        body: SharingDecision,
        response: { 200: SharingRequest, ...errors },
      },
    },
    async (request) => exchange.decide(app.actorOf(request), request.params.id, request.body),
  );

  app.get(
    "/exchange/grants",
    {
      preHandler: app.authenticate,
      schema: {
        tags: ["data sharing"],
        summary: "Grants the department holds (outgoing) and, for its steward, grants on its resources (incoming)",
        querystring: GrantQuery,
        response: { 200: z.array(Grant), ...errors },
      },
    },
    async (request) => exchange.listGrants(app.actorOf(request), request.query),
  );

  app.post(
    "/exchange/grants/:id/revoke",
    {
      preHandler: app.authenticate,
      schema: {
        tags: ["data sharing"],
        summary: "Revoke a grant on a resource of the steward's department; queries under it are refused at once",
        params: IdParam,
        body: RevokeGrant,
        response: { 200: Grant, ...errors },
      },
    },
    async (request) => exchange.revokeGrant(app.actorOf(request), request.params.id, request.body.reason),
  );

  app.post(
    "/exchange/query",
    {
      preHandler: app.authenticate,
      schema: {
        tags: ["data sharing"],
        summary:
          "Query a resource through the exchange gateway: only the fields the basis allows, masked; every query is recorded",
        body: ExchangeQuery,
        response: { 200: ExchangeAnswer, ...errors, 429: ErrorBody, 502: ErrorBody, 503: ErrorBody },
      },
    },
    async (request, reply) => {
      // Serialised while the query's record commits, by the serializer Fastify compiled for this route's
      // 200 answer (the app's, so the same bytes and checks); sent once the record is durable. Fastify
      // sends a string with a JSON content type as it is (and would serialise an object itself); its
      // types expect the schema's object.
      const serialize = reply.getSerializationFunction("200") as ((answer: ExchangeAnswer) => string) | undefined;
      const body = await exchange.query(app.actorOf(request), request.body, serialize);
      return reply.type("application/json; charset=utf-8").send(body as unknown as ExchangeAnswer);
    },
  );

  app.get(
    "/me/data-access",
    {
      preHandler: app.authenticate,
      schema: {
        tags: ["data sharing"],
        summary: "Who read my data: every query about the logged-in resident or enterprise, with its ledger index",
        querystring: DataAccessQuery,
        response: { 200: z.array(DataAccessItem), ...errors },
      },
    },
    async (request) =>
      exchange.myDataAccess(
        app.actorOf(request),
        { idNumber: request.account?.id_number ?? null, creditCode: request.account?.credit_code ?? null },
        request.query,
      ),
  );
};
