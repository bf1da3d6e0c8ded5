// A small department system (部门自建系统) as the demo runs it: it answers the exchange gateway's
// signed queries from its own records, and refuses anything it cannot verify.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { ACCEPT_SIGNATURE, requestVerifier, TREE_SCHEME, type TrustedKey } from "../modules/exchange/signing.ts";
import type { ProviderData } from "./records.ts";

const MAX_BODY = 64 * 1024;

function send(response: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    // Tells the gateway it may sign this system's requests in trees (ADR 0006).
    [ACCEPT_SIGNATURE]: TREE_SCHEME,
  });
  response.end(text);
}

function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        resolve(undefined);
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

interface Query {
  key: string | null;
  fields: string[];
  offset: number;
  limit: number;
}

function parseQuery(body: Buffer): Query | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    return undefined;
  }
  const q = parsed as Partial<Query> | null;
  if (!q || typeof q !== "object") return undefined;
  if (q.key !== null && q.key !== undefined && typeof q.key !== "string") return undefined;
  if (!Array.isArray(q.fields) || q.fields.some((f) => typeof f !== "string")) return undefined;
  const offset = Number.isInteger(q.offset) && (q.offset as number) >= 0 ? (q.offset as number) : 0;
  const limit = Number.isInteger(q.limit) && (q.limit as number) > 0 ? Math.min(q.limit as number, 100) : 20;
  return { key: q.key ?? null, fields: q.fields, offset, limit };
}

export interface ProviderOptions {
  name: string;
  data: ProviderData;
  trusted: TrustedKey[];
  /** The field a query's key is matched against. */
  keyField?: string;
  now?: () => number;
}

/**
 * `POST /v1/<region>/<dataset>` with a signed `{key, fields, offset, limit}` answers `{records}` with
 * only the fields asked for; `GET /healthz` answers whether it runs, with how many requests it has
 * verified and how many Ed25519 verifications that took. Unsigned, stale, altered, forged and
 * replayed requests get 401 with the reason. Requests signed one by one and in trees are accepted.
 */
export function createProviderServer(options: ProviderOptions): Server {
  const verifier = requestVerifier({ trusted: options.trusted, now: options.now });
  const keyField = options.keyField ?? "idNumber";
  let verified = 0;
  return createServer(async (request, response) => {
    try {
      const url = request.url ?? "/";
      if (request.method === "GET" && url === "/healthz")
        return send(response, 200, {
          status: "ok",
          name: options.name,
          verifiedRequests: verified,
          signatureChecks: verifier.signatureChecks(),
        });
      const match = /^\/v1\/(\d{6})\/([a-z][a-z0-9_]*)$/.exec(url);
      if (request.method !== "POST" || !match) return send(response, 404, { code: "NOT_FOUND" });
      const body = await readBody(request);
      if (!body) return send(response, 413, { code: "TOO_LARGE" });
      const verdict = verifier.verify({ method: "POST", path: url, headers: request.headers, body });
      if (!verdict.ok) return send(response, 401, { code: `SIGNATURE_${verdict.reason}` });
      verified++;
      const query = parseQuery(body);
      if (!query) return send(response, 400, { code: "BAD_QUERY" });
      const [, region, dataset] = match as unknown as [string, string, string];
      const rows = options.data[region]?.[dataset];
      if (!rows) return send(response, 404, { code: "NO_SUCH_DATASET" });
      const found =
        query.key !== null
          ? rows.filter((row) => row[keyField] === query.key)
          : rows.slice(query.offset, query.offset + query.limit);
      // Data minimisation: the system answers the fields asked for, nothing else.
      const records = found.map((row) =>
        Object.fromEntries(query.fields.filter((f) => f in row).map((f) => [f, row[f]])),
      );
      return send(response, 200, { records });
    } catch {
      if (!response.headersSent) send(response, 500, { code: "INTERNAL" });
    }
  });
}
