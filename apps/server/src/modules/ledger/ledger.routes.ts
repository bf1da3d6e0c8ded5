import { ErrorBody } from "@tongban/contracts";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { AppError } from "../../http/errors.ts";
import type { LedgerService } from "./ledger.service.ts";

const EntryProof = z.object({
  index: z.number().int(),
  entry: z.string(),
  leafHash: z.string(),
  treeSize: z.number().int(),
  proof: z.array(z.string()),
  checkpoint: z.string(),
});

/** The API side of the ledger (under /api/v1). */
export const ledgerApiRoutes: FastifyPluginAsyncZod<{ ledger: LedgerService }> = async (app, { ledger }) => {
  app.get(
    "/ledger/entries/:index",
    {
      schema: {
        tags: ["ledger"],
        summary: "A ledger entry with its inclusion proof against the latest signed checkpoint (public)",
        params: z.object({ index: z.coerce.number().int().min(0) }),
        response: { 200: EntryProof, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => ledger.entryWithProof(request.params.index),
  );

  app.get(
    "/ledger/proofs/inclusion",
    {
      schema: {
        tags: ["ledger"],
        summary: "Inclusion proof of an entry in a tree of the given size (base64 hashes)",
        querystring: z.object({ index: z.coerce.number().int().min(0), size: z.coerce.number().int().min(1) }),
        response: {
          200: z.object({ index: z.number(), size: z.number(), proof: z.array(z.string()) }),
          400: ErrorBody,
          404: ErrorBody,
        },
      },
    },
    async (request) => ({
      ...request.query,
      proof: await ledger.inclusionProof(request.query.index, request.query.size),
    }),
  );

  app.get(
    "/ledger/proofs/consistency",
    {
      schema: {
        tags: ["ledger"],
        summary: "Consistency proof between two tree sizes: the later tree extends the earlier one",
        querystring: z.object({ from: z.coerce.number().int().min(0), to: z.coerce.number().int().min(1) }),
        response: {
          200: z.object({ from: z.number(), to: z.number(), proof: z.array(z.string()) }),
          400: ErrorBody,
          404: ErrorBody,
        },
      },
    },
    async (request) => ({
      ...request.query,
      proof: await ledger.consistencyProof(request.query.from, request.query.to),
    }),
  );
};

/** The C2SP layout at /ledger/ (checkpoint and verifier key; tiles follow). */
export const ledgerPublicRoutes: FastifyPluginAsyncZod<{ ledger: LedgerService }> = async (app, { ledger }) => {
  app.get("/ledger/checkpoint", { schema: { hide: true } }, async (_request, reply) => {
    const note = await ledger.checkpoint();
    if (!note) throw new AppError("LEDGER_ENTRY_NOT_FOUND", { reason: "no checkpoint yet" });
    reply.type("text/plain; charset=utf-8").header("cache-control", "no-cache");
    return note;
  });
  app.get("/ledger/tile/*", { schema: { hide: true } }, async (request, reply) => {
    const path = request.url.split("?")[0]?.replace(/^\/ledger\//, "") ?? "";
    const tile = await ledger.tile(path);
    if (!tile) throw new AppError("LEDGER_ENTRY_NOT_FOUND", { tile: path });
    reply.type("application/octet-stream");
    // A full tile never changes; a partial one is replaced as the log grows.
    reply.header("cache-control", tile.full ? "public, max-age=31536000, immutable" : "no-cache");
    return reply.send(Buffer.from(tile.data));
  });

  // One Ed25519 key, as Go's sumdb/note and C2SP tools expect to read it.
  app.get("/ledger/key", { schema: { hide: true } }, async (_request, reply) => {
    reply.type("text/plain; charset=utf-8");
    return `${ledger.verifierKey}\n`;
  });
  // The SM2 key of the checkpoints' second signature line (when the node signs with SM2).
  app.get("/ledger/key/sm2", { schema: { hide: true } }, async (_request, reply) => {
    if (!ledger.sm2VerifierKey)
      throw new AppError("LEDGER_ENTRY_NOT_FOUND", { reason: "checkpoints carry no SM2 signature" });
    reply.type("text/plain; charset=utf-8");
    return `${ledger.sm2VerifierKey}\n`;
  });
  // Every key that signs the checkpoints, one per line (for `tongban-ledger --key @…/ledger/keys`).
  app.get("/ledger/keys", { schema: { hide: true } }, async (_request, reply) => {
    reply.type("text/plain; charset=utf-8");
    return [ledger.verifierKey, ledger.sm2VerifierKey]
      .filter(Boolean)
      .map((key) => `${key}\n`)
      .join("");
  });
};
