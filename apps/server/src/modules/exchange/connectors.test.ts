import { randomUUID } from "node:crypto";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createProviderServer } from "../../demo-providers/provider.ts";
import { demoProviders } from "../../demo-providers/records.ts";
import { httpConnector, ProviderError } from "./connectors.ts";
import {
  contentDigest,
  gatewaySigner,
  generateGatewayKey,
  requestVerifier,
  SCHEME,
  TREE_SCHEME,
  treeSigner,
} from "./signing.ts";

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

describe("the HTTP connector and a department system's signatures", () => {
  const lin = "350102199003150223";
  async function demoSystem(trusted = [{ keyId: signer.keyId, publicKey: signer.publicKey }]) {
    server = createProviderServer({ name: "公安", data: demoProviders.gongan.records(), trusted });
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const base = `http://127.0.0.1:${port}`;
    return {
      url: `${base}/v1/350100/household_registration`,
      health: async () =>
        (await (await fetch(`${base}/healthz`)).json()) as { verifiedRequests: number; signatureChecks: number },
    };
  }
  const query = (connector: ReturnType<typeof httpConnector>, url: string) =>
    connector.fetch({
      resourceId: "r",
      connector: { kind: "http", url },
      key: lin,
      fields: ["idNumber", "name"],
      offset: 0,
      limit: 20,
      requestId: randomUUID(),
    });

  it("signs in trees once the system says it accepts them: concurrent queries share a signature", async () => {
    const sys = await demoSystem();
    const connector = httpConnector({ signer });
    // The first request is signed alone; its answer says the system accepts trees.
    expect(await query(connector, sys.url)).toEqual([{ idNumber: lin, name: "林晓燕" }]);
    expect(await sys.health()).toMatchObject({ verifiedRequests: 1, signatureChecks: 1 });
    const answers = await Promise.all(Array.from({ length: 20 }, () => query(connector, sys.url)));
    expect(answers.every((a) => a.length === 1)).toBe(true);
    const health = await sys.health();
    expect(health.verifiedRequests).toBe(21);
    expect(health.signatureChecks).toBeLessThan(21);
    // One at a time, each request is a tree of one: still answered.
    expect(await query(connector, sys.url)).toHaveLength(1);
  });

  it("stays with requests signed one by one for a system that does not say it accepts trees", async () => {
    const seen: string[] = [];
    const sys = await system((response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ records: [] }));
    });
    server?.prependListener("request", (request) => seen.push(request.headers.authorization ?? ""));
    const connector = httpConnector({ signer });
    await Promise.all(Array.from({ length: 3 }, () => query(connector, sys.url)));
    await query(connector, sys.url);
    expect(seen).toHaveLength(4);
    expect(seen.every((a) => a.startsWith(`${SCHEME} `))).toBe(true);
  });

  it("sends a tree-signed request again signed alone when the system no longer accepts trees", async () => {
    const sys = await demoSystem();
    const connector = httpConnector({ signer });
    await query(connector, sys.url); // learns that the system accepts trees
    // The system is replaced by one that only knows requests signed one by one (and says nothing).
    const base = sys.url.replace(/\/v1\/.*/, "");
    const port = Number(new URL(base).port);
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    const verifier = requestVerifier({ trusted: [{ keyId: signer.keyId, publicKey: signer.publicKey }] });
    const schemes: string[] = [];
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (c: Buffer) => chunks.push(c));
      request.on("end", () => {
        const authorization = request.headers.authorization ?? "";
        schemes.push(authorization.split(" ")[0] ?? "");
        const verdict = authorization.startsWith(`${TREE_SCHEME} `)
          ? { ok: false }
          : verifier.verify({
              method: "POST",
              path: request.url ?? "",
              headers: request.headers,
              body: Buffer.concat(chunks),
            });
        response.writeHead(verdict.ok ? 200 : 401, { "content-type": "application/json" });
        response.end(JSON.stringify(verdict.ok ? { records: [] } : { code: "SIGNATURE_BAD_AUTHORIZATION" }));
      });
    });
    await new Promise<void>((resolve) => server?.listen(port, "127.0.0.1", resolve));
    expect(await query(connector, sys.url)).toEqual([]);
    expect(await query(connector, sys.url)).toEqual([]);
    expect(schemes).toEqual([TREE_SCHEME, SCHEME, SCHEME]);
  });

  it("the system refuses tree-signed requests altered, on a wrong path, under a forged root or replayed", async () => {
    const sys = await demoSystem();
    const path = new URL(sys.url).pathname;
    const trees = treeSigner(signer);
    const bodies = [0, 1, 2].map((i) => JSON.stringify({ key: lin, fields: ["name"], offset: 0, limit: i + 1 }));
    const signed = await Promise.all(
      bodies.map((body) =>
        trees.sign("gongan", { method: "POST", path, body, requestId: randomUUID(), now: new Date() }),
      ),
    );
    const send = async (body: string, headers: Record<string, string>, to = sys.url) => {
      const response = await fetch(to, { method: "POST", body, headers });
      return { status: response.status, body: (await response.json()) as { code?: string; records?: unknown[] } };
    };
    const [a, b, c] = signed as [Record<string, string>, Record<string, string>, Record<string, string>];
    const authorization = (h: Record<string, string>) => h.authorization as string;
    // Altered leaf: another body under its own digest, another path, another date.
    const body = JSON.stringify({ key: lin, fields: ["name", "idNumber"], offset: 0, limit: 1 });
    expect((await send(body, { ...a, "content-digest": contentDigest(body) })).body).toEqual({
      code: "SIGNATURE_BAD_SIGNATURE",
    });
    const elsewhere = sys.url.replace("household_registration", "resident_identity");
    expect((await send(bodies[0] as string, a, elsewhere)).body).toEqual({ code: "SIGNATURE_BAD_SIGNATURE" });
    expect((await send(bodies[0] as string, { ...a, date: new Date(Date.now() + 1000).toUTCString() })).body).toEqual({
      code: "SIGNATURE_BAD_SIGNATURE",
    });
    // Wrong path: another leaf's, and one hash short.
    const pathOf = (h: Record<string, string>) => /path="([^"]*)"/.exec(authorization(h))?.[1] ?? "";
    const withPath = (h: Record<string, string>, p: string) => ({
      ...h,
      authorization: authorization(h).replace(/path="[^"]*"/, `path="${p}"`),
    });
    expect((await send(bodies[0] as string, withPath(a, pathOf(b)))).body).toEqual({ code: "SIGNATURE_BAD_SIGNATURE" });
    expect((await send(bodies[0] as string, withPath(a, pathOf(a).split(",").slice(1).join(",")))).body).toEqual({
      code: "SIGNATURE_BAD_PATH",
    });
    // Forged root signature: a stranger's tree relabelled with the trusted key's id.
    const stranger = gatewaySigner(generateGatewayKey());
    const forged = await treeSigner(stranger).sign("gongan", {
      method: "POST",
      path,
      body: bodies[0] as string,
      requestId: randomUUID(),
      now: new Date(),
    });
    const relabelled = { ...forged, authorization: authorization(forged).replace(stranger.keyId, signer.keyId) };
    expect((await send(bodies[0] as string, relabelled)).body).toEqual({ code: "SIGNATURE_BAD_SIGNATURE" });
    // Valid, then replayed.
    expect((await send(bodies[0] as string, a)).status).toBe(200);
    expect((await send(bodies[0] as string, a)).body).toEqual({ code: "SIGNATURE_REPLAYED" });
    expect((await send(bodies[1] as string, b)).body.records).toHaveLength(1);
    expect((await send(bodies[2] as string, c)).status).toBe(200);
    // Three requests verified; one Ed25519 verification for the three of the tree, one for each refusal
    // that reached a root (the path one hash short did not).
    expect(await sys.health()).toMatchObject({ verifiedRequests: 3, signatureChecks: 6 });
  });
});
