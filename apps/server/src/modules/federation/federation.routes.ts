import { ErrorBody, FederationMessage, FederationMessageQuery, FederationPeers, Receipt } from "@tongban/contracts";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { AppError } from "../../http/errors.ts";
import type { FederationService } from "./federation.service.ts";

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
export const federationRoutes: FastifyPluginAsyncZod<{ federation: FederationService | undefined }> = async (
  app,
  { federation },
) => {
  const enabled = (): FederationService => {
    if (!federation) throw new AppError("FEDERATION_DISABLED");
    return federation;
  };

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
