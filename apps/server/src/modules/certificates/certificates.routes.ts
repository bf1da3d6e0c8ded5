import {
  Certificate,
  CertificateMaterial,
  CertificateStatus,
  CertificateVerification,
  ErrorBody,
  IdParam,
  RevokeCertificate,
  UseCertificateForMaterial,
  VerifyCertificateRequest,
} from "@tongban/contracts";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { CertificateMaterialsService } from "./certificate-materials.ts";
import type { CertificatesService } from "./certificates.service.ts";

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

/** Routes of the holder and of staff (logged in). */
export const certificatesRoutes: FastifyPluginAsyncZod<{ certificates: CertificatesService }> = async (
  app,
  { certificates },
) => {
  app.addHook("preHandler", app.authenticate);

  app.get(
    "/me/certificates",
    {
      schema: {
        tags: ["certificates"],
        summary: "The caller's e-certificates (电子证照), each with its latest verifications",
        response: { 200: z.array(Certificate), ...errors },
      },
    },
    async (request) => certificates.listMine(app.actorOf(request)),
  );

  app.get(
    "/me/certificates/:id",
    {
      schema: {
        tags: ["certificates"],
        summary: "One of the caller's e-certificates with every verification of it",
        params: IdParam,
        response: { 200: Certificate, ...errors },
      },
    },
    async (request) => certificates.getMine(app.actorOf(request), request.params.id),
  );

  app.get(
    "/certificates/:id/credential",
    {
      schema: {
        tags: ["certificates"],
        summary: "Download the certificate as a W3C Verifiable Credential (application/vc+json; the holder only)",
        params: IdParam,
        response: { 200: z.string(), ...errors },
      },
    },
    async (request, reply) => {
      const { text, number } = await certificates.credentialText(app.actorOf(request), request.params.id);
      reply.type("application/vc+json; charset=utf-8");
      reply.header("content-disposition", `attachment; filename="${number}.vc.json"`);
      return text;
    },
  );

  app.get(
    "/certificates/:id/pdf",
    {
      schema: {
        tags: ["certificates"],
        summary:
          "Download the printable certificate (PDF with a verification QR code and the credential embedded; the holder only)",
        params: IdParam,
      },
    },
    async (request, reply) => {
      const { content, number } = await certificates.pdf(app.actorOf(request), request.params.id);
      reply.type("application/pdf");
      reply.header("content-disposition", `attachment; filename="${number}.pdf"`);
      return reply.send(Buffer.from(content));
    },
  );

  app.post(
    "/certificates/:id/revoke",
    {
      schema: {
        tags: ["certificates"],
        summary: "Revoke a certificate, with the reason (handling staff of the issuing department)",
        params: IdParam,
        body: RevokeCertificate,
        response: { 200: Certificate, ...errors },
      },
    },
    async (request) => certificates.revoke(app.actorOf(request), request.params.id, request.body.reason),
  );
};

/** Public routes: anyone verifies a certificate, reads its status and the node's issuer key. */
export const certificatesPublicRoutes: FastifyPluginAsyncZod<{ certificates: CertificatesService }> = async (
  app,
  { certificates },
) => {
  app.post(
    "/certificates/verify",
    {
      config: { csrf: false },
      bodyLimit: 3_000_000,
      schema: {
        tags: ["certificates"],
        summary:
          "Verify a certificate from its QR code's text, its number, its credential JSON or its PDF (base64): signature, trusted issuer, ledger inclusion, status (public; recorded and shown to the holder)",
        body: VerifyCertificateRequest,
        response: { 200: CertificateVerification, 400: ErrorBody },
      },
    },
    async (request) => certificates.verify(request.body, request.session?.accountId ?? null),
  );

  app.get(
    "/certificates/:id/status",
    {
      schema: {
        tags: ["certificates"],
        summary: "A certificate's status, as its credentialStatus names it (public)",
        params: IdParam,
        response: {
          200: z.object({
            id: z.string(),
            number: z.string(),
            status: CertificateStatus,
            statusChangedAt: z.string().nullable(),
          }),
          ...errors,
        },
      },
    },
    async (request) => certificates.status(request.params.id),
  );

  app.get(
    "/certificates/issuer",
    {
      schema: {
        tags: ["certificates"],
        summary: "This node's certificate issuer key and a trust list holding it, for offline verifiers (public)",
        response: {
          200: z.object({
            did: z.string(),
            verifierKey: z.string(),
            trustList: z.object({
              members: z.array(
                z.object({
                  regionCode: z.string(),
                  name: z.string(),
                  keys: z.array(z.object({ use: z.string(), key: z.string() })),
                }),
              ),
            }),
          }),
        },
      },
    },
    async () => certificates.issuer(),
  );
};

/** 证照免提交: a case's materials satisfied by the applicant's e-certificates. */
export const certificateMaterialsRoutes: FastifyPluginAsyncZod<{ materials: CertificateMaterialsService }> = async (
  app,
  { materials },
) => {
  app.addHook("preHandler", app.authenticate);

  app.get(
    "/applications/:id/certificate-materials",
    {
      schema: {
        tags: ["certificates"],
        summary: "The case's materials satisfied by e-certificates, each checked now (whoever may read the case)",
        params: IdParam,
        response: { 200: z.array(CertificateMaterial), ...errors },
      },
    },
    async (request) => materials.list(app.actorOf(request), request.params.id),
  );

  app.post(
    "/applications/:id/certificate-materials",
    {
      schema: {
        tags: ["certificates"],
        summary: "Use one of the applicant's valid e-certificates for a material that accepts it (证照免提交)",
        params: IdParam,
        body: UseCertificateForMaterial,
        response: { 200: z.array(CertificateMaterial), ...errors, 422: ErrorBody },
      },
    },
    async (request) => materials.use(app.actorOf(request), request.params.id, request.body),
  );
};
