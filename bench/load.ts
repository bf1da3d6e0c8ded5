// A closed-loop HTTP/1.1 load generator for the benchmarks: `connections` keep-alive sockets, each
// sending its next request as soon as the answer to the last one is complete. Requests are built
// into bytes before the clock starts and taken in turn; answers are read only as far as their
// status and length. It does what autocannon did for these benchmarks at a third to a half of its
// CPU per request (docs/performance.md): the load generator shares this machine's two cores with the
// server and PostgreSQL, so what it spends is taken from what is measured.
import net from "node:net";

export interface LoadOptions {
  url: string;
  connections: number;
  /** Requests as bytes, taken in turn (the first connection the first, and so on, round and round). */
  requests: Buffer[];
  /** Stop after this many answers (each request sent once when it equals requests.length)… */
  amount?: number;
  /** …or after this many seconds. */
  seconds?: number;
  /** An answer not complete after this long is a timeout: the socket is dropped and a new one opened. */
  timeoutMs?: number;
}

export interface LoadResult {
  total: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  codes: Record<string, number>;
}

/** A request's bytes: method, path, headers and an optional body, HTTP/1.1 with keep-alive. */
export function requestBytes(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Buffer {
  const { host } = new URL(url);
  const payload = body === undefined ? undefined : Buffer.from(body);
  let head = `${method} ${path} HTTP/1.1\r\nhost: ${host}\r\n`;
  for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
  if (payload) head += `content-length: ${payload.length}\r\n`;
  head += "\r\n";
  return payload ? Buffer.concat([Buffer.from(head), payload]) : Buffer.from(head);
}

const CONTENT_LENGTH = /\r\ncontent-length: *(\d+)/i;
const CHUNKED = /\r\ntransfer-encoding: *chunked/i;

export function load(options: LoadOptions): Promise<LoadResult> {
  const { hostname, port } = new URL(options.url);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const amount = options.amount ?? Number.POSITIVE_INFINITY;
  const endsAt = options.seconds === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.seconds * 1000;
  if (options.requests.length === 0) throw new Error("load: no requests");
  if (!Number.isFinite(amount) && !Number.isFinite(endsAt)) throw new Error("load: give amount or seconds");

  const latencies: number[] = [];
  const codes: Record<string, number> = {};
  let next = 0;
  let sent = 0;
  let answered = 0;
  let errors = 0;
  let timeouts = 0;
  let non2xx = 0;
  const startedAt = performance.now();
  let finishedAt = startedAt;
  const connections = new Set<{ socket: net.Socket; sentAt: number }>();

  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      clearInterval(watch);
      for (const c of connections) c.socket.destroy();
      latencies.sort((a, b) => a - b);
      const at = (q: number) =>
        Math.round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))] ?? 0);
      resolve({
        total: answered,
        rps: answered / ((finishedAt - startedAt) / 1000),
        p50: at(0.5),
        p99: at(0.99),
        errors,
        timeouts,
        non2xx,
        codes,
      });
    };
    const maybeFinish = () => {
      if (answered + errors >= amount || (Date.now() >= endsAt && [...connections].every((c) => c.sentAt < 0))) {
        finishedAt = performance.now();
        finish();
      }
    };
    const more = () => sent < amount && Date.now() < endsAt;

    class Connection {
      socket: net.Socket;
      sentAt = -1;
      buffered: Buffer | null = null;
      need = -1;
      constructor() {
        this.socket = net.connect(Number(port), hostname);
        this.socket.setNoDelay(true);
        this.socket.on("connect", () => this.send());
        this.socket.on("data", (chunk: Buffer) => this.receive(chunk));
        this.socket.on("error", () => {});
        this.socket.on("close", () => this.closed());
        connections.add(this);
      }
      send() {
        if (!more()) {
          this.sentAt = -1;
          this.socket.end();
          return maybeFinish();
        }
        const request = options.requests[next++ % options.requests.length] as Buffer;
        sent++;
        this.sentAt = performance.now();
        this.socket.write(request);
      }
      receive(chunk: Buffer) {
        this.buffered = this.buffered ? Buffer.concat([this.buffered, chunk]) : chunk;
        while (this.buffered) {
          if (this.need < 0) {
            const end = this.buffered.indexOf("\r\n\r\n");
            if (end < 0) return;
            const head = this.buffered.toString("latin1", 0, end);
            if (CHUNKED.test(head)) {
              settled = true;
              clearInterval(watch);
              for (const c of connections) c.socket.destroy();
              return reject(new Error("load: chunked answers are not read; the server answered without a length"));
            }
            this.need = end + 4 + Number(CONTENT_LENGTH.exec(head)?.[1] ?? 0);
          }
          if (this.buffered.length < this.need) return;
          const status = this.buffered.toString("latin1", 9, 12);
          this.buffered = this.buffered.length > this.need ? this.buffered.subarray(this.need) : null;
          this.need = -1;
          latencies.push(performance.now() - this.sentAt);
          answered++;
          if (status[0] !== "2") {
            non2xx++;
            codes[status] = (codes[status] ?? 0) + 1;
          }
          this.send();
        }
      }
      /** The socket went away: a request in flight is an error; a new socket carries on. */
      closed() {
        connections.delete(this);
        if (settled) return;
        if (this.sentAt >= 0) {
          errors++;
          this.sentAt = -1;
          if (more()) new Connection();
        }
        maybeFinish();
      }
    }

    const watch = setInterval(() => {
      const now = performance.now();
      for (const c of connections) {
        if (c.sentAt >= 0 && now - c.sentAt > timeoutMs) {
          timeouts++;
          c.socket.destroy();
        }
      }
      maybeFinish();
    }, 100);
    for (let i = 0; i < options.connections; i++) new Connection();
  });
}
