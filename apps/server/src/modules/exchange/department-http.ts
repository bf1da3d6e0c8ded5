// The gateway's HTTP/1.1 client for department systems reached over plain `http:` (ADR 0009): a POST
// written as one buffer on a kept-alive TCP connection, and its answer read with a parser of what this
// exchange needs — a status line, headers, and a body framed by Content-Length, chunked transfer
// coding or the end of the connection. Node's `http` client costs about three times as much CPU per
// call (request and response objects, streams and events for every message), and a query arriving
// alone waits for all of it: it was the largest part of the gateway's own work on a lone query's path.
//
// Strict on purpose: anything that is not a well-formed HTTP/1.x answer fails the call and closes the
// connection; a connection is reused only after an answer that ended exactly where its framing said.
import net from "node:net";

/** The department system could not be reached, or answered something that is not an answer. */
export class ProviderError extends Error {
  constructor(
    readonly kind: "unavailable" | "bad_answer",
    readonly detail: Record<string, unknown>,
  ) {
    super(`provider ${kind}: ${JSON.stringify(detail)}`);
    this.name = "ProviderError";
  }
}

export interface PostAnswer {
  status: number;
  text: string;
  /** The value of a header the caller named (see `post`), if the answer had it. */
  header: string | undefined;
}

/** An answer's status line and headers together may not exceed this. */
const MAX_HEAD_BYTES = 64 * 1024;
const CRLF = Buffer.from("\r\n");
const HEAD_END = Buffer.from("\r\n\r\n");
const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: [^\r\n]*)?$/;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const CHUNK_SIZE = /^([0-9A-Fa-f]{1,8})(?:[ \t]*;[^\r\n]*)?$/;

type Framing = { kind: "length"; remaining: number } | { kind: "chunked" } | { kind: "close" } | { kind: "none" };

/** One request on one connection, from the write to its answer's last byte. */
interface Exchange {
  resolve: (answer: PostAnswer) => void;
  fail: (error: Error & { code?: string }, beforeAnswer: boolean) => void;
  /** The header whose value the caller wants back (lower case). */
  wanted: string;
  /** Bytes of the answer not yet parsed. */
  pending: Buffer;
  anyByte: boolean;
  status: number;
  header: string | undefined;
  keepAlive: boolean;
  framing: Framing | null;
  /** Chunked coding: the bytes left of the current chunk, or -1 while a size line is expected, -2 for trailers. */
  chunkLeft: number;
  body: Buffer[];
  bodySize: number;
  maxBodyBytes: number;
}

const malformed = (problem: string) => Object.assign(new Error(problem), { code: "MALFORMED_HTTP" });

class Connection {
  exchange: Exchange | null = null;
  closed = false;
  /** Counted among its pool's connections until it closes. */
  counted = true;
  /** Requests sent on this connection so far. */
  uses = 0;

  constructor(
    readonly socket: net.Socket,
    private readonly pool: OriginPool,
  ) {
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 1000);
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("end", () => this.onEnd());
    socket.on("error", (error: Error & { code?: string }) => this.onClose(error));
    socket.on("close", () => this.onClose(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" })));
  }

  private onData(chunk: Buffer) {
    const exchange = this.exchange;
    if (!exchange) {
      // Nothing was asked: a system that talks unasked is not spoken to again on this connection.
      this.destroy();
      return;
    }
    exchange.anyByte = true;
    exchange.pending = exchange.pending.length === 0 ? chunk : Buffer.concat([exchange.pending, chunk]);
    try {
      this.parse(exchange);
    } catch (error) {
      this.finish(error as Error, false);
    }
  }

  private onEnd() {
    const exchange = this.exchange;
    if (exchange?.framing?.kind === "close" && exchange.pending.length === 0) {
      exchange.keepAlive = false;
      this.complete(exchange);
    }
  }

  private onClose(error: Error & { code?: string }) {
    const exchange = this.exchange;
    this.closed = true;
    this.pool.forget(this);
    if (exchange) {
      this.exchange = null;
      exchange.fail(
        exchange.anyByte ? Object.assign(new Error("closed while reading the answer"), { code: "CLOSED" }) : error,
        !exchange.anyByte,
      );
    }
  }

  /** Sends one request; `exchange` learns its answer or its failure. */
  send(request: Buffer, exchange: Exchange) {
    this.exchange = exchange;
    this.uses++;
    this.socket.ref();
    this.socket.write(request);
  }

  destroy() {
    this.closed = true;
    this.pool.forget(this);
    this.socket.destroy();
  }

  private finish(error: Error, beforeAnswer: boolean) {
    const exchange = this.exchange;
    this.exchange = null;
    this.destroy();
    exchange?.fail(error, beforeAnswer);
  }

  private complete(exchange: Exchange) {
    this.exchange = null;
    const answer = {
      status: exchange.status,
      text: (exchange.body.length === 1 ? (exchange.body[0] as Buffer) : Buffer.concat(exchange.body)).toString("utf8"),
      header: exchange.header,
    };
    if (exchange.keepAlive && exchange.pending.length === 0 && !this.closed) this.pool.release(this);
    else this.destroy();
    exchange.resolve(answer);
  }

  private parse(exchange: Exchange) {
    for (;;) {
      if (!exchange.framing) {
        const end = exchange.pending.indexOf(HEAD_END);
        if (end === -1) {
          if (exchange.pending.length > MAX_HEAD_BYTES) throw malformed("the answer's headers are too large");
          return;
        }
        if (end > MAX_HEAD_BYTES) throw malformed("the answer's headers are too large");
        const head = exchange.pending.toString("latin1", 0, end);
        exchange.pending = exchange.pending.subarray(end + 4);
        if (!this.readHead(exchange, head)) continue; // an interim (1xx) answer: the real one follows
      }
      const framing = exchange.framing as Framing;
      if (framing.kind === "none") return this.complete(exchange);
      if (framing.kind === "length") {
        const take = Math.min(framing.remaining, exchange.pending.length);
        if (take > 0) this.addBody(exchange, exchange.pending.subarray(0, take));
        exchange.pending = exchange.pending.subarray(take);
        framing.remaining -= take;
        if (framing.remaining === 0) return this.complete(exchange);
        return;
      }
      if (framing.kind === "close") {
        if (exchange.pending.length > 0) this.addBody(exchange, exchange.pending);
        exchange.pending = Buffer.alloc(0);
        return;
      }
      // Chunked transfer coding (RFC 9112 §7.1).
      if (!this.readChunks(exchange)) return;
      return this.complete(exchange);
    }
  }

  /** Reads a status line and headers; answers false for an interim (1xx) answer, to be skipped. */
  private readHead(exchange: Exchange, head: string): boolean {
    const lines = head.split("\r\n");
    const status = STATUS_LINE.exec(lines[0] ?? "");
    if (!status) throw malformed("not an HTTP/1.x status line");
    const code = Number(status[2]);
    let keepAlive = status[1] === "1";
    let length: number | undefined;
    let chunked = false;
    let header: string | undefined;
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i] as string;
      const colon = line.indexOf(":");
      if (colon <= 0) throw malformed("a header line without a name");
      const name = line.slice(0, colon).toLowerCase();
      if (!TOKEN.test(name)) throw malformed("a header name that is not a token");
      const value = line.slice(colon + 1).trim();
      if (name === "content-length") {
        if (!/^\d{1,15}$/.test(value) || (length !== undefined && length !== Number(value)))
          throw malformed("a bad Content-Length");
        length = Number(value);
      } else if (name === "transfer-encoding") {
        // Department systems answer JSON: chunked is the one transfer coding taken.
        if (value.toLowerCase() !== "chunked") throw malformed("a transfer coding other than chunked");
        chunked = true;
      } else if (name === "connection") {
        const options = value
          .toLowerCase()
          .split(",")
          .map((c) => c.trim());
        if (options.includes("close")) keepAlive = false;
        else if (options.includes("keep-alive")) keepAlive = true;
      } else if (name === exchange.wanted) {
        header = header === undefined ? value : `${header}, ${value}`;
      }
    }
    if (code >= 100 && code < 200) {
      if (code === 101) throw malformed("a protocol switch");
      return false;
    }
    if (chunked && length !== undefined) throw malformed("both Content-Length and chunked");
    exchange.status = code;
    exchange.header = header;
    exchange.keepAlive = keepAlive;
    exchange.framing =
      code === 204 || code === 304
        ? { kind: "none" }
        : chunked
          ? { kind: "chunked" }
          : length !== undefined
            ? length === 0
              ? { kind: "none" }
              : { kind: "length", remaining: length }
            : { kind: "close" };
    return true;
  }

  /** Reads as much of a chunked body as has come; answers true once its last chunk and trailers are in. */
  private readChunks(exchange: Exchange): boolean {
    for (;;) {
      if (exchange.chunkLeft > 0) {
        const take = Math.min(exchange.chunkLeft, exchange.pending.length);
        if (take === 0) return false;
        this.addBody(exchange, exchange.pending.subarray(0, take));
        exchange.pending = exchange.pending.subarray(take);
        exchange.chunkLeft -= take;
        if (exchange.chunkLeft > 0) return false;
        exchange.chunkLeft = 0; // the CRLF after the chunk's data comes next
      }
      const eol = exchange.pending.indexOf(CRLF);
      if (eol === -1) {
        if (exchange.pending.length > 4096) throw malformed("a chunk line too long");
        return false;
      }
      const line = exchange.pending.toString("latin1", 0, eol);
      exchange.pending = exchange.pending.subarray(eol + 2);
      if (exchange.chunkLeft === 0) {
        // After a chunk's data: an empty line.
        if (line !== "") throw malformed("a chunk not followed by CRLF");
        exchange.chunkLeft = -1;
        continue;
      }
      if (exchange.chunkLeft === -2) {
        // Trailers, ended by an empty line.
        if (line === "") return true;
        continue;
      }
      const size = CHUNK_SIZE.exec(line);
      if (!size) throw malformed("a bad chunk size");
      const bytes = Number.parseInt(size[1] as string, 16);
      exchange.chunkLeft = bytes === 0 ? -2 : bytes;
    }
  }

  private addBody(exchange: Exchange, bytes: Buffer) {
    exchange.bodySize += bytes.length;
    if (exchange.bodySize > exchange.maxBodyBytes) {
      throw Object.assign(new Error("the answer is too large"), { code: "TOO_LARGE" });
    }
    // A copy: `bytes` may be a view of a buffer the socket reuses.
    exchange.body.push(Buffer.from(bytes));
  }
}

/** The connections to one department system (scheme, host and port). */
class OriginPool {
  private readonly idle: Connection[] = [];
  private count = 0;
  private readonly waiting: ((connection: Connection) => void)[] = [];

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly maxSockets: number,
  ) {}

  /** A kept-alive idle connection, or a new one (`fresh`, or none idle), or the next one released. */
  acquire(fresh: boolean): Promise<Connection> | Connection {
    if (!fresh) {
      const reused = this.idle.pop();
      if (reused) return reused;
    }
    if (this.count < this.maxSockets || fresh) return this.connect();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private connect(): Connection {
    this.count++;
    return new Connection(net.connect({ host: this.host, port: this.port }), this);
  }

  release(connection: Connection) {
    const next = this.waiting.shift();
    if (next) return next(connection);
    connection.socket.unref();
    this.idle.push(connection);
  }

  /** A connection closed or destroyed: it is no longer counted, and one waiting may open a new one. */
  forget(connection: Connection) {
    const at = this.idle.indexOf(connection);
    if (at !== -1) this.idle.splice(at, 1);
    if (!connection.counted) return;
    connection.counted = false;
    this.count--;
    const next = this.waiting.shift();
    if (next) next(this.connect());
  }

  destroyIdle() {
    for (const connection of [...this.idle]) connection.destroy();
  }
}

const ERROR_BEFORE_ANSWER = new Set(["ECONNRESET", "EPIPE"]);

/**
 * A client keeping up to `maxSockets` connections alive per department system. `post` answers the
 * status, body and one named header of a POST, or rejects with a `ProviderError` as the connector's
 * contract says: unreachable, timed out or cut off is `unavailable`; a body over `maxBodyBytes` is a
 * `bad_answer`. A request that picked a kept-alive connection just as the system closed it (reset or
 * closed before any byte of an answer) is sent once more on a new connection — unchanged, the system
 * never having read it.
 */
export function departmentHttpClient(options: { maxSockets?: number; maxBodyBytes: number }) {
  const maxSockets = options.maxSockets ?? 128;
  const pools = new Map<string, OriginPool>();

  function poolOf(url: URL): OriginPool {
    let pool = pools.get(url.host);
    if (!pool) {
      pool = new OriginPool(url.hostname.replace(/^\[|\]$/g, ""), Number(url.port || 80), maxSockets);
      pools.set(url.host, pool);
    }
    return pool;
  }

  function attempt(
    url: URL,
    request: Buffer,
    wanted: string,
    timeoutMs: number,
    fresh: boolean,
  ): Promise<PostAnswer & { retry?: true }> {
    return new Promise((resolve, reject) => {
      const pool = poolOf(url);
      let timer: NodeJS.Timeout | undefined;
      let settled = false;
      const start = (connection: Connection) => {
        const reused = connection.uses > 0;
        const exchange: Exchange = {
          resolve: (answer) => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            resolve(answer);
          },
          fail: (error, beforeAnswer) => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            if (error.code === "TOO_LARGE") {
              reject(new ProviderError("bad_answer", { problem: "the answer is too large" }));
            } else if (reused && beforeAnswer && !fresh && ERROR_BEFORE_ANSWER.has(error.code ?? "")) {
              resolve({ status: 0, text: "", header: undefined, retry: true });
            } else if (!beforeAnswer && error.code === "CLOSED") {
              reject(new ProviderError("unavailable", { cause: "connection closed while reading the answer" }));
            } else {
              reject(new ProviderError("unavailable", { cause: error.code ?? error.name }));
            }
          },
          wanted,
          pending: Buffer.alloc(0),
          anyByte: false,
          status: 0,
          header: undefined,
          keepAlive: false,
          framing: null,
          chunkLeft: -1,
          body: [],
          bodySize: 0,
          maxBodyBytes: options.maxBodyBytes,
        };
        timer = setTimeout(() => {
          connection.exchange = null;
          connection.destroy();
          exchange.fail(Object.assign(new Error("timeout"), { code: "TIMEOUT" }), false);
        }, timeoutMs);
        connection.send(request, exchange);
      };
      const connection = pool.acquire(fresh);
      if (connection instanceof Connection) start(connection);
      else void connection.then(start);
    });
  }

  return {
    /**
     * POSTs `body` to `url` with `headers` (names in lower case, values without line breaks) and
     * answers the status, the body as text and the value of the header named `wanted`.
     */
    async post(
      url: URL,
      headers: Record<string, string>,
      body: string,
      timeoutMs: number,
      wanted: string,
    ): Promise<PostAnswer> {
      let head = `POST ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${url.host}\r\nconnection: keep-alive\r\ncontent-length: ${Buffer.byteLength(body)}\r\n`;
      for (const name in headers) {
        const value = headers[name] as string;
        if (!TOKEN.test(name) || /[\r\n\0]/.test(value)) throw new TypeError(`invalid header ${name}`);
        head += `${name}: ${value}\r\n`;
      }
      const request = Buffer.from(`${head}\r\n${body}`, "utf8");
      const answer = await attempt(url, request, wanted, timeoutMs, false);
      if (!answer.retry) return answer;
      return attempt(url, request, wanted, timeoutMs, true);
    },
    /** Closes the kept-alive connections not in use (tests; a stopping process). */
    close() {
      for (const pool of pools.values()) pool.destroyIdle();
    },
  };
}
export type DepartmentHttpClient = ReturnType<typeof departmentHttpClient>;
