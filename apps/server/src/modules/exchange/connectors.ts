// Connectors: how the gateway reaches a resource's data. A department system over HTTP with signed
// requests, or the department's data pool on the platform. Both answer raw records; the gateway checks
// them against the catalogue before anything leaves.
import http from "node:http";
import https from "node:https";
import type { Connector as ConnectorConfig } from "@tongban/contracts";
import type { Db } from "../../db/database.ts";
import type { Clock } from "../../ports/index.ts";
import { exchangeRepository as repo } from "./exchange.repository.ts";
import { ACCEPT_SIGNATURE, type GatewaySigner, signRequest, TREE_SCHEME, treeSigner } from "./signing.ts";

export interface FetchRequest {
  resourceId: string;
  connector: ConnectorConfig;
  /** For API resources: the key value; for datasets, an optional filter on the key field. */
  key?: string;
  fields: string[];
  offset: number;
  limit: number;
  requestId: string;
}

/** The provider could not be reached, or answered something that is not an answer. */
export class ProviderError extends Error {
  constructor(
    readonly kind: "unavailable" | "bad_answer",
    readonly detail: Record<string, unknown>,
  ) {
    super(`provider ${kind}: ${JSON.stringify(detail)}`);
    this.name = "ProviderError";
  }
}

export interface Connector {
  /** Raw records as the source holds them; never trusted as they are. */
  fetch(request: FetchRequest): Promise<unknown[]>;
}

const UNAVAILABLE_STATUS = new Set([502, 503, 504]);
/** An answer larger than this is not an answer to a query by key or a page of at most 100 records. */
const MAX_ANSWER_BYTES = 8 * 1_048_576;

// Kept-alive connections to the department systems: node:http costs a fraction of fetch per call.
const agents = {
  "http:": new http.Agent({ keepAlive: true, maxSockets: 128 }),
  "https:": new https.Agent({ keepAlive: true, maxSockets: 128 }),
};

/**
 * POSTs `body` and answers the status and text; failures to connect or read are "unavailable". A
 * kept-alive connection the department system closed while it lay idle fails the request that picked
 * it at that moment (ECONNRESET before any answer, the system having read nothing): that request is
 * sent once more, on another connection — as it was, the system never having seen it.
 */
function post(
  url: URL,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
  retried = false,
): Promise<{ status: number; text: string; accepts: string | undefined }> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === "https:" ? https : http;
    let answered = false;
    // Headers as a flat list of names and values (the shape of `rawHeaders`): Node writes them as they
    // are, without a setHeader call and its checks for each one (nor the Host it adds: named here),
    // and the URL's parts are passed as they are instead of being taken apart again at every call.
    const raw: string[] = ["host", url.host, "content-length", String(Buffer.byteLength(body))];
    for (const name in headers) raw.push(name, headers[name] as string);
    const request = client.request(
      {
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: "POST",
        agent: agents[url.protocol as "http:" | "https:"],
        headers: raw as unknown as http.OutgoingHttpHeaders,
        timeout: timeoutMs,
      },
      (response) => {
        answered = true;
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_ANSWER_BYTES) {
            response.destroy();
            reject(new ProviderError("bad_answer", { problem: "the answer is too large" }));
            return;
          }
          chunks.push(chunk);
        });
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            text: Buffer.concat(chunks).toString("utf8"),
            accepts: response.headers[ACCEPT_SIGNATURE] as string | undefined,
          }),
        );
        response.on("error", () =>
          reject(new ProviderError("unavailable", { cause: "connection closed while reading the answer" })),
        );
      },
    );
    request.on("timeout", () => request.destroy(Object.assign(new Error("timeout"), { code: "TIMEOUT" })));
    request.on("error", (error: NodeJS.ErrnoException) => {
      const stale = request.reusedSocket && !answered && (error.code === "ECONNRESET" || error.code === "EPIPE");
      if (stale && !retried) {
        post(url, headers, body, timeoutMs, true).then(resolve, reject);
        return;
      }
      reject(new ProviderError("unavailable", { cause: error.code ?? error.name }));
    });
    request.end(body);
  });
}

// The catalogue names a few department systems' URLs; each is parsed once, not at every call.
const urls = new Map<string, URL>();
function parsedUrl(text: string): URL {
  let url = urls.get(text);
  if (!url) {
    if (urls.size >= 1000) urls.clear();
    url = new URL(text);
    urls.set(text, url);
  }
  return url;
}

/**
 * Calls a department system: `POST <url>` with `{key, fields, offset, limit}` signed by the gateway's
 * key; the system answers `{records: [...]}`. Connection failures, timeouts and 502/503/504 mean the
 * system is unavailable; any other status, a body that is not JSON or not of that shape is a bad answer.
 *
 * Signatures (ADR 0006): a system is sent requests signed one by one (`Tongban-Ed25519`) until one of
 * its answers says it accepts tree signatures (`X-Tongban-Accept-Signature: Tongban-Ed25519-Tree`);
 * from then on its requests are signed in trees, many under one signature. An answer without the
 * header takes the system back to per-request signatures, and a tree-signed request it refuses with
 * 401 is sent once more signed alone (the system, having refused it, has not remembered its id).
 */
export function httpConnector(deps: {
  signer: GatewaySigner;
  /** Wall time for the Date header: the receiving system checks it against its own clock. */
  wallClock?: Clock;
  timeoutMs?: number;
}): Connector {
  const wallClock = deps.wallClock ?? { now: () => new Date() };
  const timeoutMs = deps.timeoutMs ?? 5000;
  const trees = treeSigner(deps.signer);
  /** The systems (by origin) that said they accept tree signatures. */
  const treeCapable = new Set<string>();

  async function send(url: URL, body: string, requestId: string, tree: boolean) {
    const signed = {
      method: "POST",
      path: url.pathname + url.search,
      body,
      requestId,
      now: wallClock.now(),
    };
    const headers = tree ? await trees.sign(url.origin, signed) : signRequest(deps.signer, signed);
    const response = await post(
      url,
      { ...headers, "content-type": "application/json", accept: "application/json" },
      body,
      timeoutMs,
    );
    if (response.accepts?.split(",").some((s) => s.trim() === TREE_SCHEME)) treeCapable.add(url.origin);
    else treeCapable.delete(url.origin);
    return response;
  }

  return {
    async fetch(request) {
      if (request.connector.kind !== "http") throw new Error("not an http resource");
      const url = parsedUrl(request.connector.url);
      const body = JSON.stringify({
        key: request.key ?? null,
        fields: request.fields,
        offset: request.offset,
        limit: request.limit,
      });
      const tree = treeCapable.has(url.origin);
      let response = await send(url, body, request.requestId, tree);
      if (tree && response.status === 401 && !treeCapable.has(url.origin)) {
        response = await send(url, body, request.requestId, false);
      }
      const text = response.text;
      if (UNAVAILABLE_STATUS.has(response.status)) throw new ProviderError("unavailable", { status: response.status });
      if (response.status !== 200) {
        throw new ProviderError("bad_answer", { status: response.status, problem: "not a 200 answer" });
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new ProviderError("bad_answer", { problem: "the answer is not JSON" });
      }
      const records = (parsed as { records?: unknown } | null)?.records;
      if (!Array.isArray(records)) {
        throw new ProviderError("bad_answer", { problem: "the answer has no records array" });
      }
      return records;
    },
  };
}

/** Reads a department's data pool (部门数据资源池) on the platform. */
export function tableConnector(deps: { db: Db }): Connector {
  return {
    async fetch(request) {
      if (request.key !== undefined) return repo.poolRecordsByKey(deps.db, request.resourceId, request.key);
      return repo.poolPage(deps.db, request.resourceId, request.offset, request.limit);
    },
  };
}
