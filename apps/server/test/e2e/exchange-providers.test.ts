import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningProvider, startProvider, stopProvider } from "../../src/demo-providers/launch.ts";
import { createProviderServer } from "../../src/demo-providers/provider.ts";
import { demoProviders } from "../../src/demo-providers/records.ts";
import {
  contentDigest,
  type GatewaySigner,
  gatewaySigner,
  generateGatewayKey,
  signRequest,
  treeSigner,
} from "../../src/modules/exchange/signing.ts";
import { type Client, createTestApp, type TestApp } from "../support/app.ts";
import { grantThrough, idNumberOf, pointAt, servicesOf } from "../support/exchange.ts";

const HOUSEHOLD = "350100.gongan.household_registration";
const INSURANCE = "350100.renshe.insurance_record";
const lin = idNumberOf("林晓燕");

let t: TestApp;
let gaSteward: Client;
let rsSteward: Client;
let mzHandler: Client;
let child: RunningProvider | undefined;
const servers: Server[] = [];

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** A department system that answers whatever `answer` says, to see the gateway's checks. */
async function fakeProvider(answer: (body: string) => { status: number; body: string }): Promise<string> {
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => {
      body += chunk;
    });
    request.on("end", () => {
      const { status, body: text } = answer(body);
      response.writeHead(status, { "content-type": "application/json" });
      response.end(text);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const query = (resource = HOUSEHOLD) =>
  mzHandler.request("POST", "/api/v1/exchange/query", { resource, key: lin, purpose: "婚姻登记核验户籍" });

beforeAll(async () => {
  t = await createTestApp();
  gaSteward = await t.login("fz.ga.steward");
  rsSteward = await t.login("fz.rs.steward");
  mzHandler = await t.login("fz.mz.handler");
});
afterAll(async () => {
  if (child) await stopProvider(child);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  await t.close();
});

describe("demo department systems as their own processes", () => {
  it("answers signed queries and refuses unsigned or forged ones", async () => {
    const port = await freePort();
    child = await startProvider("gongan", { port, trusted: [servicesOf(t).exchange.gatewayKey()] });
    await pointAt(gaSteward, HOUSEHOLD, child.url);
    const answer = await query();
    expect(answer.statusCode).toBe(200);
    expect(answer.json().records[0]).toMatchObject({ name: "林**", relationToHead: "户主" });

    const path = "/v1/350100/household_registration";
    const body = JSON.stringify({ key: lin, fields: ["name", "idNumber"], offset: 0, limit: 1 });
    const unsigned = await fetch(`${child.url}${path}`, { method: "POST", body });
    expect(unsigned.status).toBe(401);
    expect(await unsigned.json()).toEqual({ code: "SIGNATURE_UNSIGNED" });
    const stranger = gatewaySigner(generateGatewayKey());
    const forged = await fetch(`${child.url}${path}`, {
      method: "POST",
      body,
      headers: signRequest(stranger, { method: "POST", path, body, requestId: randomUUID(), now: new Date() }),
    });
    expect(forged.status).toBe(401);
    expect(await forged.json()).toEqual({ code: "SIGNATURE_UNKNOWN_KEY" });
  });

  it("takes the gateway's tree signatures: concurrent queries share one, forged roots and replays are refused", async () => {
    if (!child) throw new Error("the provider did not start");
    const health = async () =>
      (await (await fetch(`${child?.url}/healthz`)).json()) as { verifiedRequests: number; signatureChecks: number };
    const before = await health();
    const answers = await Promise.all(Array.from({ length: 12 }, () => query()));
    expect(answers.map((a) => a.statusCode)).toEqual(Array(12).fill(200));
    const after = await health();
    expect(after.verifiedRequests - before.verifiedRequests).toBe(12);
    expect(after.signatureChecks - before.signatureChecks).toBeLessThan(12);

    // Requests signed in a tree by hand, as the gateway signs them.
    const path = "/v1/350100/household_registration";
    const send = (body: string, headers: Record<string, string>) =>
      fetch(`${child?.url}${path}`, { method: "POST", body, headers });
    const signTree = async (by: GatewaySigner, count: number) => {
      const trees = treeSigner(by);
      const bodies = Array.from({ length: count }, (_, i) =>
        JSON.stringify({ key: lin, fields: ["name"], offset: 0, limit: i + 1 }),
      );
      const headers = await Promise.all(
        bodies.map((body) =>
          trees.sign("gongan", { method: "POST", path, body, requestId: randomUUID(), now: new Date() }),
        ),
      );
      return bodies.map((body, i) => ({ body, headers: headers[i] as Record<string, string> }));
    };
    const [first, second] = await signTree(
      gatewaySigner(t.keys.getOrCreate("exchange-gateway-key", generateGatewayKey)),
      2,
    );
    if (!first || !second) throw new Error("no tree");
    const valid = await send(first.body, first.headers);
    expect(valid.status).toBe(200);
    expect(valid.headers.get("x-tongban-accept-signature")).toBe("Tongban-Ed25519-Tree");
    // Altered after signing: another body under its own digest no longer leads to the signed root.
    const altered = JSON.stringify({ key: lin, fields: ["name", "idNumber"], offset: 0, limit: 1 });
    const alteredAnswer = await send(altered, { ...second.headers, "content-digest": contentDigest(altered) });
    expect(await alteredAnswer.json()).toEqual({ code: "SIGNATURE_BAD_SIGNATURE" });
    // The same request again is a replay.
    const replayed = await send(first.body, first.headers);
    expect(await replayed.json()).toEqual({ code: "SIGNATURE_REPLAYED" });
    // Another leaf's path, and an altered body under the right digest, do not lead to the signed root.
    const otherPath = /path="([^"]*)"/.exec(first.headers.authorization ?? "")?.[1] ?? "";
    const swapped = {
      ...second.headers,
      authorization: second.headers.authorization?.replace(/path="[^"]*"/, `path="${otherPath}"`) ?? "",
    };
    expect(await (await send(second.body, swapped)).json()).toEqual({ code: "SIGNATURE_BAD_SIGNATURE" });
    // A stranger's tree under the gateway's key id: its root's signature does not verify.
    const [impostor] = await signTree(gatewaySigner(generateGatewayKey()), 1);
    if (!impostor) throw new Error("no tree");
    const keyId = servicesOf(t).exchange.gatewayKey().keyId;
    const relabelled = impostor.headers.authorization?.replace(/keyId="[^"]+"/, `keyId="${keyId}"`) ?? "";
    const forgedRoot = await send(impostor.body, { ...impostor.headers, authorization: relabelled });
    expect(forgedRoot.status).toBe(401);
    expect(await forgedRoot.json()).toEqual({ code: "SIGNATURE_BAD_SIGNATURE" });
    // Untouched, the second request of the tree is accepted (the refusals did not burn its id).
    expect((await send(second.body, second.headers)).status).toBe(200);
  });

  it("reports a system that is down clearly, and nothing else breaks", async () => {
    if (!child) throw new Error("the provider did not start");
    child.child.kill("SIGKILL");
    await new Promise((resolve) => child?.child.once("exit", resolve));
    const down = await query();
    expect(down.statusCode).toBe(503);
    expect(down.json()).toMatchObject({
      code: "PROVIDER_UNAVAILABLE",
      details: { resource: HOUSEHOLD, cause: "ECONNREFUSED" },
    });
    const failed = await t.database.db
      .selectFrom("data_accesses as a")
      .innerJoin("outbox as o", "o.id", "a.outbox_id")
      .select(["a.outcome", "a.error_code", "o.type"])
      .where("a.error_code", "=", "PROVIDER_UNAVAILABLE")
      .executeTakeFirstOrThrow();
    expect(failed).toEqual({ outcome: "failed", error_code: "PROVIDER_UNAVAILABLE", type: "data.access_failed" });

    // Other resources, the catalogue and the server answer as before.
    const enterprise = await mzHandler.request("POST", "/api/v1/exchange/query", {
      resource: "350100.shichang.enterprise_registration",
      key: (
        await t.database.db
          .selectFrom("accounts")
          .select("credit_code")
          .where("name", "=", "福州闽江数字科技有限公司")
          .executeTakeFirstOrThrow()
      ).credit_code,
      purpose: "核验企业登记",
    });
    expect(enterprise.statusCode).toBe(200);
    expect((await mzHandler.request("GET", `/api/v1/exchange/resources/${HOUSEHOLD}`)).statusCode).toBe(200);
    expect((await t.anonymous().request("GET", "/healthz")).statusCode).toBe(200);

    // Started again, it answers again.
    const port = Number(new URL(child.url).port);
    child = await startProvider("gongan", { port, trusted: [servicesOf(t).exchange.gatewayKey()] });
    expect((await query()).statusCode).toBe(200);
  });

  it("reports answers that are not answers as bad answers, and lets none of them out", async () => {
    await grantThrough(mzHandler, rsSteward, {
      resource: INSURANCE,
      fields: ["idNumber", "name", "contributionMonths"],
    });
    const cases: { answer: { status: number; body: string }; problem: RegExp | undefined; status?: number }[] = [
      { answer: { status: 200, body: "<html>维护中</html>" }, problem: /not JSON/ },
      { answer: { status: 200, body: JSON.stringify({ rows: [] }) }, problem: /no records array/ },
      {
        answer: { status: 200, body: JSON.stringify({ records: [{ idNumber: lin, contributionMonths: "很多" }] }) },
        problem: /contributionMonths is not a valid integer/,
      },
      {
        answer: {
          status: 200,
          body: JSON.stringify({ records: [{ idNumber: idNumberOf("陈志强"), name: "陈志强" }] }),
        },
        problem: /another key/,
      },
      { answer: { status: 500, body: "{}" }, problem: undefined, status: 500 },
    ];
    for (const c of cases) {
      const url = await fakeProvider(() => c.answer);
      await pointAt(rsSteward, INSURANCE, url);
      const response = await query(INSURANCE);
      expect(response.statusCode).toBe(502);
      expect(response.json().code).toBe("PROVIDER_BAD_ANSWER");
      if (c.problem) expect(response.json().details.problem).toMatch(c.problem);
      if (c.status) expect(response.json().details.status).toBe(c.status);
      expect(response.body).not.toContain("陈志强");
    }
    // A system that does not trust this gateway's key refuses it: a bad answer with its status.
    const distrustful = createProviderServer({
      name: demoProviders.renshe.name,
      data: demoProviders.renshe.records(),
      trusted: [{ keyId: "tb-gw-0000000000000000", publicKey: gatewaySigner(generateGatewayKey()).publicKey }],
    });
    servers.push(distrustful);
    await new Promise<void>((resolve) => distrustful.listen(0, "127.0.0.1", resolve));
    await pointAt(rsSteward, INSURANCE, `http://127.0.0.1:${(distrustful.address() as AddressInfo).port}`);
    const refused = await query(INSURANCE);
    expect(refused.json()).toMatchObject({ code: "PROVIDER_BAD_ANSWER", details: { status: 401 } });
  });
});
