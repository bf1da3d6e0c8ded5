import { createServer as createHttpServer } from "node:http";
import net, { type AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { departmentHttpClient, ProviderError } from "./department-http.ts";

const servers: net.Server[] = [];
let client = departmentHttpClient({ maxBodyBytes: 1024 });

afterEach(async () => {
  client.close();
  client = departmentHttpClient({ maxBodyBytes: 1024 });
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

/**
 * A department system speaking raw bytes: `answer` gets each request's head and body and the socket,
 * with how many requests the system has had (in all, and on that connection), and writes whatever it likes.
 */
async function rawSystem(
  answer: (socket: net.Socket, request: { head: string; body: string; nth: number; onConnection: number }) => void,
) {
  let connections = 0;
  let nth = 0;
  const server = net.createServer((socket) => {
    connections++;
    let onConnection = 0;
    let buffer = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const end = buffer.indexOf("\r\n\r\n");
        if (end === -1) return;
        const head = buffer.toString("utf8", 0, end);
        const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (buffer.length < end + 4 + length) return;
        const body = buffer.toString("utf8", end + 4, end + 4 + length);
        buffer = buffer.subarray(end + 4 + length);
        answer(socket, { head, body, nth: ++nth, onConnection: ++onConnection });
      }
    });
    socket.on("error", () => {});
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: new URL(`http://127.0.0.1:${port}/v1/system?x=1`), connections: () => connections };
}

const post = (url: URL, body = '{"key":"k"}', timeoutMs = 2000) =>
  client.post(url, { "content-type": "application/json", "x-id": "1" }, body, timeoutMs, "x-wanted");

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describe("the gateway's HTTP client for department systems", () => {
  it("sends one well-formed POST and reads an answer framed by Content-Length, keeping the connection", async () => {
    const heads: string[] = [];
    const sys = await rawSystem((socket, { head, body, nth }) => {
      heads.push(head);
      const text = JSON.stringify({ body, nth });
      socket.write(
        `HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(text)}\r\nX-Wanted: yes\r\nx-wanted: again\r\n\r\n${text}`,
      );
    });
    expect(await post(sys.url, '{"key":"甲"}')).toEqual({
      status: 200,
      text: JSON.stringify({ body: '{"key":"甲"}', nth: 1 }),
      header: "yes, again",
    });
    expect((await post(sys.url)).text).toBe(JSON.stringify({ body: '{"key":"k"}', nth: 2 }));
    expect(sys.connections()).toBe(1);
    expect(heads[0]?.split("\r\n")).toEqual([
      "POST /v1/system?x=1 HTTP/1.1",
      `host: ${sys.url.host}`,
      "connection: keep-alive",
      `content-length: ${Buffer.byteLength('{"key":"甲"}')}`,
      "content-type: application/json",
      "x-id: 1",
    ]);
  });

  it("reads chunked answers with extensions and trailers, and answers from Node's own server", async () => {
    const sys = await rawSystem((socket) =>
      socket.write(
        "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nWiki\r\n6\r\npedia \r\nE\r\nin \r\n\r\nchunks.\r\n0\r\nTrailer: x\r\n\r\n",
      ),
    );
    expect(await post(sys.url)).toMatchObject({ status: 201, text: "Wikipedia in \r\n\r\nchunks." });
    expect((await post(sys.url)).text).toBe("Wikipedia in \r\n\r\nchunks.");
    expect(sys.connections()).toBe(1);

    const node = createHttpServer((request, response) => {
      request.resume();
      request.on("end", () => {
        response.writeHead(200, { "content-type": "application/json", "x-wanted": "tree" });
        response.write('{"records":');
        response.end('[{"name":"张三"}]}');
      });
    });
    servers.push(node as unknown as net.Server);
    await new Promise<void>((resolve) => node.listen(0, "127.0.0.1", resolve));
    const url = new URL(`http://127.0.0.1:${(node.address() as AddressInfo).port}/`);
    expect(await post(url)).toEqual({ status: 200, text: '{"records":[{"name":"张三"}]}', header: "tree" });
  });

  it("reads an answer that arrives a byte at a time, after an interim 1xx answer", async () => {
    const sys = await rawSystem((socket) => {
      const bytes = Buffer.from(
        "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
      );
      let i = 0;
      const next = () => {
        if (i < bytes.length) socket.write(bytes.subarray(i, ++i), () => setImmediate(next));
      };
      next();
    });
    expect(await post(sys.url)).toMatchObject({ status: 200, text: "hello" });
  });

  it("reads an answer ended by the connection's end, and does not reuse a connection the system closes", async () => {
    const sys = await rawSystem((socket, { nth }) => {
      if (nth === 1) socket.end("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end");
      else socket.write("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok");
    });
    expect(await post(sys.url)).toMatchObject({ status: 200, text: "until the end" });
    expect(await post(sys.url)).toMatchObject({ status: 200, text: "ok" });
    expect(await post(sys.url)).toMatchObject({ status: 200, text: "ok" });
    expect(sys.connections()).toBe(3);
  });

  it("sends a request again on a new connection when the kept-alive one was closed before any answer", async () => {
    const sys = await rawSystem((socket, { onConnection }) => {
      if (onConnection > 1) socket.destroy();
      else socket.write("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1");
    });
    expect((await post(sys.url)).text).toBe("1");
    expect((await post(sys.url)).text).toBe("1");
    expect(sys.connections()).toBe(2);
  });

  it("reports a system that cannot be reached, cuts an answer off, or is too slow, as unavailable", async () => {
    const closed = await rawSystem(() => {});
    const port = closed.url.port;
    await new Promise((resolve) => (servers.pop() as net.Server).close(resolve));
    const refused = await failure(post(new URL(`http://127.0.0.1:${port}/`)));
    expect(refused).toBeInstanceOf(ProviderError);
    expect(refused).toMatchObject({ kind: "unavailable", detail: { cause: "ECONNREFUSED" } });

    const cut = await rawSystem((socket) => socket.end("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"));
    expect(await failure(post(cut.url))).toMatchObject({
      kind: "unavailable",
      detail: { cause: "connection closed while reading the answer" },
    });

    const fresh = await rawSystem((socket) => socket.destroy());
    expect(await failure(post(fresh.url))).toMatchObject({ kind: "unavailable" });
    expect(fresh.connections()).toBe(1);

    const slow = await rawSystem(() => {});
    expect(await failure(post(slow.url, "{}", 100))).toMatchObject({
      kind: "unavailable",
      detail: { cause: "TIMEOUT" },
    });
  });

  it("refuses an answer that is too large or not HTTP, and never reuses its connection", async () => {
    const large = await rawSystem((socket, { nth }) => {
      if (nth === 1) socket.write(`HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n${"x".repeat(2000)}`);
      else socket.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    });
    expect(await failure(post(large.url))).toMatchObject({
      kind: "bad_answer",
      detail: { problem: "the answer is too large" },
    });
    expect((await post(large.url)).text).toBe("ok");
    expect(large.connections()).toBe(2);

    for (const nonsense of [
      "SMTP ready\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nok",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "HTTP/1.1 200 OK\r\n folded\r\n\r\n",
      "HTTP/1.1 101 Switching Protocols\r\n\r\n",
    ]) {
      const sys = await rawSystem((socket) => socket.write(nonsense));
      expect(await failure(post(sys.url)), nonsense).toMatchObject({
        kind: "unavailable",
        detail: { cause: "MALFORMED_HTTP" },
      });
    }
  });

  it("drops a connection on which the system sent more than its answer", async () => {
    const sys = await rawSystem((socket) => socket.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA"));
    expect((await post(sys.url)).text).toBe("ok");
    expect((await post(sys.url)).text).toBe("ok");
    expect(sys.connections()).toBe(2);
  });

  it("opens at most maxSockets connections to a system; further requests wait for one", async () => {
    client = departmentHttpClient({ maxSockets: 2, maxBodyBytes: 1024 });
    let open = 0;
    let most = 0;
    const sys = await rawSystem((socket, { body }) => {
      open++;
      most = Math.max(most, open);
      setTimeout(() => {
        open--;
        socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      }, 20);
    });
    const answers = await Promise.all([1, 2, 3, 4, 5].map((i) => post(sys.url, String(i))));
    expect(answers.map((a) => a.text)).toEqual(["1", "2", "3", "4", "5"]);
    expect(sys.connections()).toBe(2);
    expect(most).toBe(2);
  });

  it("refuses header values that would break the request apart", async () => {
    const sys = await rawSystem(() => {});
    await expect(client.post(sys.url, { "x-evil": "a\r\nx-injected: 1" }, "{}", 1000, "x")).rejects.toThrow(TypeError);
    expect(sys.connections()).toBe(0);
  });
});
