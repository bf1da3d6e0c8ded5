import {
  CreateFederatedCase,
  CreateRemoteCase,
  DeliverFederatedCase,
  EnvelopeBatch,
  EnvelopeBatchAnswer,
  ErrorBody,
  FederatedCase,
  FederatedServiceDetail,
  FederatedServiceQuery,
  FederatedServices,
  FederationMessage,
  FederationMessageQuery,
  FederationPeers,
  IdParam,
  Receipt,
} from "@tongban/contracts";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { AppError } from "../../http/errors.ts";
import type { FederatedCasesService } from "./cases.ts";
import type { FederationService } from "./federation.service.ts";
import type { Witnessing } from "./witness.ts";

const errors = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
  421: ErrorBody,
  422: ErrorBody,
};

/**
 * The federation's routes (under /api/v1). Without a federation (a single node) they answer
 * FEDERATION_DISABLED, so a client can tell "no federation" from "no such route".
 */
export const federationRoutes: FastifyPluginAsyncZod<{
  federation: FederationService | undefined;
  cases: FederatedCasesService | undefined;
  witnessing: Witnessing | undefined;
  /** Requests a minute one address may make to the routes peers call (inbox, witness). */
  peerRateLimit: number;
}> = async (app, { federation, cases, witnessing, peerRateLimit }) => {
  // Peers post without a session or CSRF token (the signature is the credential); a bound per address
  // keeps one address from flooding the node with envelopes or checkpoints to check.
  const peerRoute = { csrf: false, rateLimit: { max: peerRateLimit, timeWindow: "1 minute" } };
  const enabled = (): FederationService => {
    if (!federation) throw new AppError("FEDERATION_DISABLED");
    return federation;
  };
  const witness = (): Witnessing => {
    if (!witnessing) throw new AppError("FEDERATION_DISABLED");
    return witnessing;
  };

  // C2SP tlog-witness: a peer's log asks this node to cosign its checkpoint (text in, text out).
  app.post(
    "/federation/witness/add-checkpoint",
    {
      config: peerRoute,
      schema: {
        tags: ["federation"],
        summary:
          "C2SP tlog-witness add-checkpoint: a peer's ledger checkpoint with a consistency proof; answers this node's cosignature (409 with the size held, or when the same size has another root; 422 when the proof does not verify; 429 past the rate limit)",
        consumes: ["text/plain"],
        body: z.string(),
      },
    },
    async (request, reply) => {
      const answer = await witness().addCheckpoint(request.body);
      reply
        .status(answer.status)
        .type(answer.status === 409 ? "text/x.tlog.size" : "text/plain; charset=utf-8")
        .send(answer.body);
    },
  );

  app.get(
    "/federation/checkpoint",
    {
      schema: {
        tags: ["federation"],
        summary: "This node's latest ledger checkpoint with the cosignatures of the peers' witnesses (signed note)",
      },
    },
    async (_request, reply) => {
      const note = await witness().cosignedCheckpoint();
      if (!note) throw new AppError("LEDGER_ENTRY_NOT_FOUND", { reason: "no checkpoint yet" });
      reply.type("text/plain; charset=utf-8").header("cache-control", "no-cache");
      return note;
    },
  );

  const crossProvince = (): FederatedCasesService => {
    if (!cases) throw new AppError("FEDERATION_DISABLED");
    return cases;
  };

  app.get(
    "/federation/services",
    {
      schema: {
        tags: ["federation"],
        summary:
          "The other members' services that can be applied for from this node (全程网办 and 多地联办; mode=remote_acceptance: those a window here can receive for them), read from their public catalogues (public)",
        querystring: FederatedServiceQuery,
        response: { 200: FederatedServices, ...errors },
      },
    },
    async (request) => crossProvince().services(request.query),
  );

  app.get(
    "/federation/services/:code",
    {
      schema: {
        tags: ["federation"],
        summary:
          "One service of another member as its catalogue publishes it, with the region that decides it (public)",
        params: z.object({
          code: z.string().regex(/^\d{6}-[A-Z]{2,4}-\d{4}$/, { error: "A service code such as 610500-GA-0001" }),
        }),
        response: { 200: FederatedServiceDetail, ...errors, 502: ErrorBody, 503: ErrorBody },
      },
    },
    async (request) => crossProvince().service(request.params.code),
  );

  app.post(
    "/federation/cases",
    {
      preHandler: app.authenticate,
      schema: {
        tags: ["federation"],
        summary:
          "全程网办: apply from this node for a service of another region; the case is handed to the competent node and followed from here",
        body: CreateFederatedCase,
        response: { 201: FederatedCase, ...errors, 502: ErrorBody, 503: ErrorBody },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return crossProvince().handOver(app.actorOf(request), request.body);
    },
  );

  // The scanned materials travel in the request as base64 (10 MB of files together at most).
  app.post(
    "/federation/remote-cases",
    {
      preHandler: app.authenticate,
      bodyLimit: 15 * 1_048_576,
      schema: {
        tags: ["federation"],
        summary:
          "异地代收代办: window staff receive an applicant in person for a service of another region (identity and materials checked and recorded, materials scanned) and forward the case to the competent node, which decides",
        body: CreateRemoteCase,
        response: { 201: FederatedCase, ...errors, 413: ErrorBody, 502: ErrorBody, 503: ErrorBody },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return crossProvince().receiveInPerson(app.actorOf(request), request.body);
    },
  );

  app.post(
    "/federation/cases/:id/deliver",
    {
      preHandler: app.authenticate,
      schema: {
        tags: ["federation"],
        summary:
          "异地代收代办: the receiving window hands the competent node's result to the applicant (recipient's identity checked); the competent node records the delivery",
        params: IdParam,
        body: DeliverFederatedCase,
        response: { 200: FederatedCase, ...errors },
      },
    },
    async (request) => crossProvince().deliver(app.actorOf(request), request.params.id, request.body),
  );

  app.get(
    "/federation/cases",
    {
      preHandler: app.authenticate,
      schema: {
        tags: ["federation"],
        summary:
          "The caller's cross-province cases handed over from this node; for window staff, those their department received in person (异地代收)",
        response: { 200: z.array(FederatedCase), ...errors },
      },
    },
    async (request) => crossProvince().mine(app.actorOf(request)),
  );

  app.get(
    "/federation/cases/:id",
    {
      preHandler: app.authenticate,
      schema: {
        tags: ["federation"],
        summary:
          "A cross-province case: origin node, competent node, status, the steps reported and the messages exchanged",
        params: IdParam,
        response: { 200: FederatedCase, ...errors },
      },
    },
    async (request) => crossProvince().get(app.actorOf(request), request.params.id),
  );

  app.get(
    "/federation/peers",
    {
      schema: {
        tags: ["federation"],
        summary: "The federation's members from the verified trust list: regions, node URLs, keys, validity (public)",
        response: { 200: FederationPeers, 404: ErrorBody },
      },
    },
    async () => enabled().peers(),
  );

  // Peers post here; the signed envelope is the authentication, so there is no session or CSRF token.
  app.post(
    "/federation/inbox",
    {
      // No browser ever posts here: a peer node does, and its envelope's signature is its credential.
      config: peerRoute,
      // A hand-over from a window carries its scanned materials (10 MB at most, base64).
      bodyLimit: 16 * 1_048_576,
      schema: {
        tags: ["federation"],
        summary:
          "A peer node delivers a signed envelope; answers the signed receipt (forged, altered, replayed, expired or misaddressed envelopes are refused)",
        body: z.unknown(),
        response: { 200: Receipt, ...errors },
      },
    },
    async (request) => enabled().receive(request.body, { ip: request.ip }),
  );

  // Several envelopes in one request (a sender with many messages due for this node); each envelope
  // is checked and answered as the single inbox would, and the admissible ones commit together.
  app.post(
    "/federation/inbox/batch",
    {
      config: peerRoute,
      bodyLimit: 16 * 1_048_576,
      schema: {
        tags: ["federation"],
        summary:
          "A peer node delivers several signed envelopes at once; answers, in their order, each one's signed receipt or the error it alone would get",
        body: EnvelopeBatch,
        response: { 200: EnvelopeBatchAnswer, ...errors },
      },
    },
    async (request) => ({ answers: await enabled().receiveBatch(request.body.envelopes, { ip: request.ip }) }),
  );

  // The same, with the envelopes sealed together by one signature over their hash tree, each carrying
  // its path (ADR 0008); the receipts are answered signed together the same way.
  app.post(
    "/federation/inbox/sealed-batch",
    {
      config: peerRoute,
      bodyLimit: 16 * 1_048_576,
      schema: {
        tags: ["federation"],
        summary:
          "A peer node delivers several envelopes sealed together (one signature over their hash tree, each with its path); answers, in their order, each one's receipt (signed together likewise) or the error it alone would get",
        body: EnvelopeBatch,
        response: { 200: EnvelopeBatchAnswer, ...errors },
      },
    },
    async (request) => ({
      answers: await enabled().receiveBatch(request.body.envelopes, { ip: request.ip }, { sealReceipts: true }),
    }),
  );

  app.get(
    "/federation/messages",
    {
      preHandler: app.authenticate,
      schema: {
        tags: ["federation"],
        summary: "Messages this node sent to and received from its peers (administrators and security officers)",
        querystring: FederationMessageQuery,
        response: { 200: z.array(FederationMessage), ...errors },
      },
    },
    async (request) => enabled().messages(app.actorOf(request), request.query),
  );
};
