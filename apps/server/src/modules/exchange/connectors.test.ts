import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { httpConnector, ProviderError } from "./connectors.ts";
import { gatewaySigner, generateGatewayKey } from "./signing.ts";

const signer = gatewaySigner(generateGatewayKey());
let server: Server | undefined;

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A department system whose handler decides per request, told how many it has had on that connection. */
async function system(handle: (response: ServerResponse, nthOnConnection: number) => void) {
  const counts = new WeakMap<object, number>();
  let connections = 0;
  server = createServer((request, response) => {
    const n = (counts.get(request.socket) ?? 0) + 1;
    counts.set(request.socket, n);
    request.resume();
    request.on("end", () => handle(response, n));
  });
  server.on("connection", () => connections++);
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/v1/350100/household_registration`, connections: () => connections };
}

const fetchFrom = (url: string, requestId: string) =>
  httpConnector({ signer }).fetch({
    resourceId: "r",
    connector: { kind: "http", url },
    key: "k",
    fields: ["name"],
    offset: 0,
    limit: 20,
    requestId,
  });

describe("the HTTP connector", () => {
  it("sends a request again on a new connection when the kept-alive one it picked was closed under it", async () => {
    // The second request on any connection finds it closed, as when the system drops an idle
    // kept-alive connection just as the gateway reuses it.
    const sys = await system((response, n) => {
      if (n > 1) {
        response.socket?.destroy();
        return;
      }
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ records: [{ name: `answer ${n}` }] }));
    });
    expect(await fetchFrom(sys.url, "request-000001")).toEqual([{ name: "answer 1" }]);
    expect(await fetchFrom(sys.url, "request-000002")).toEqual([{ name: "answer 1" }]);
    expect(sys.connections()).toBe(2);
  });

  it("does not send a request again when a fresh connection fails: the system is unavailable", async () => {
    const sys = await system((response) => response.socket?.destroy());
    const failure = await fetchFrom(sys.url, "request-000003").catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ProviderError);
    expect((failure as ProviderError).kind).toBe("unavailable");
    expect(sys.connections()).toBe(1);
  });
});
