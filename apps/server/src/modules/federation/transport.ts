// How envelopes reach a peer: the real adapter posts them over HTTP to the peer's inbox; the local
// adapter hands them to nodes in the same process (tests, and a demo without sockets).
import type { Envelope } from "@tongban/contracts";

export interface PeerAnswer {
  status: number;
  body: unknown;
}

export interface PeerTransport {
  /** Delivers one envelope to the node at `url`; answers its HTTP status and JSON body, or throws when unreachable. */
  deliver(url: string, envelope: Envelope): Promise<PeerAnswer>;
  /**
   * Delivers several envelopes in one request (`{envelopes}`); answers the HTTP status and JSON body
   * (`{answers}` in the envelopes' order when 200), or throws when unreachable. `sealed`: the
   * envelopes are sealed together (one signature, ADR 0008) and go to the sealed batch inbox, which
   * signs its receipts together too.
   */
  deliverBatch(url: string, envelopes: Envelope[], options?: { sealed?: boolean }): Promise<PeerAnswer>;
  /** Reads a public resource of the node at `url` (its catalogue), e.g. `api/v1/services/610500-GA-0001`. */
  read(url: string, path: string): Promise<PeerAnswer>;
  /** Posts a text body (a witness's add-checkpoint) to `path` of the node at `url`; the answer's body is text. */
  post(url: string, path: string, text: string): Promise<PeerAnswer>;
}

export const INBOX_PATH = "api/v1/federation/inbox";
export const INBOX_BATCH_PATH = "api/v1/federation/inbox/batch";
export const INBOX_SEALED_BATCH_PATH = "api/v1/federation/inbox/sealed-batch";

export function inboxUrl(nodeUrl: string, path = INBOX_PATH): string {
  return new URL(path, nodeUrl.endsWith("/") ? nodeUrl : `${nodeUrl}/`).toString();
}

/** POSTs the envelope as JSON to `<node url>api/v1/federation/inbox` (keep-alive connections). */
export function httpTransport({ timeoutMs = 10_000 }: { timeoutMs?: number } = {}): PeerTransport {
  return {
    async deliver(url, envelope) {
      const response = await fetch(inboxUrl(url), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(envelope),
        signal: AbortSignal.timeout(timeoutMs),
      });
      return answerOf(response);
    },
    async deliverBatch(url, envelopes, options) {
      const response = await fetch(inboxUrl(url, options?.sealed ? INBOX_SEALED_BATCH_PATH : INBOX_BATCH_PATH), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ envelopes }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      return answerOf(response);
    },
    async read(url, path) {
      const base = url.endsWith("/") ? url : `${url}/`;
      return answerOf(await fetch(new URL(path, base), { signal: AbortSignal.timeout(timeoutMs) }));
    },
    async post(url, path, text) {
      const base = url.endsWith("/") ? url : `${url}/`;
      const response = await fetch(new URL(path, base), {
        method: "POST",
        headers: { "content-type": "text/plain; charset=utf-8" },
        body: text,
        signal: AbortSignal.timeout(timeoutMs),
      });
      return { status: response.status, body: await response.text() };
    },
  };
}

async function answerOf(response: Response): Promise<PeerAnswer> {
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = { message: text.slice(0, 200) };
  }
  return { status: response.status, body };
}

/**
 * Nodes in one process, found by their URL in the trust list; a URL with no node behaves like a
 * peer that is down, and a node with no batch inbox like an older node without the batch route (404).
 * A batch inbox is told whether its envelopes came sealed together (and may answer 404 to those, as a
 * node with the batch route but not its sealed form would).
 */
export function localTransport(
  nodes: Map<string, (envelope: Envelope) => Promise<PeerAnswer>>,
  reads: Map<string, (path: string) => Promise<PeerAnswer>> = new Map(),
  posts: Map<string, (path: string, text: string) => Promise<PeerAnswer>> = new Map(),
  batches: Map<string, (envelopes: Envelope[], sealed: boolean) => Promise<PeerAnswer>> = new Map(),
): PeerTransport {
  return {
    async deliverBatch(url, envelopes, options) {
      const receive = batches.get(url);
      if (!receive) {
        if (!nodes.has(url)) throw new Error(`connect ECONNREFUSED ${url}`);
        return { status: 404, body: { code: "NOT_FOUND", message: "Route not found" } };
      }
      return receive(JSON.parse(JSON.stringify(envelopes)) as Envelope[], options?.sealed === true);
    },
    async post(url, path, text) {
      const post = posts.get(url);
      if (!post) throw new Error(`connect ECONNREFUSED ${url}`);
      return post(path, text);
    },
    async read(url, path) {
      const read = reads.get(url);
      if (!read) throw new Error(`connect ECONNREFUSED ${url}`);
      return read(path);
    },
    async deliver(url, envelope) {
      const receive = nodes.get(url);
      if (!receive) throw new Error(`connect ECONNREFUSED ${url}`);
      // A copy, as a network would make: the receiver never shares the sender's objects.
      return receive(JSON.parse(JSON.stringify(envelope)) as Envelope);
    },
  };
}
