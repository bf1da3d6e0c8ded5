import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Services } from "../../src/app.ts";
import { createProviderServer } from "../../src/demo-providers/provider.ts";
import { type DemoProviderKind, demoProviders } from "../../src/demo-providers/records.ts";
import { demoResidents, makeIdNumber } from "../../src/seed/demo-world.ts";
import type { Client, TestApp } from "./app.ts";

/** The app's services, for what only other modules call (the gateway's key, queryForApplication …). */
export function servicesOf(t: TestApp): Services {
  return (t.app as unknown as { services: Services }).services;
}

/** The ID number of a demo resident, by name. */
export function idNumberOf(name: string): string {
  const person = demoResidents.find((r) => r.name === name);
  if (!person) throw new Error(`no demo resident ${name}`);
  return makeIdNumber(person.region, person.birth, person.seq);
}

/** Logs in a demo resident by name. */
export async function loginResidentNamed(t: TestApp, name: string): Promise<Client> {
  const username = idNumberOf(name);
  const client = t.anonymous();
  const response = await client.request("POST", "/api/v1/auth/login", {
    username,
    password: t.account(username).password,
  });
  if (response.statusCode !== 200) throw new Error(`login ${name} failed: ${response.body}`);
  return client;
}

/** A demo department system in this process on a free port, trusting the test app's gateway key. */
export async function startInProcessProvider(t: TestApp, kind: DemoProviderKind) {
  const server: Server = createProviderServer({
    name: demoProviders[kind].name,
    data: demoProviders[kind].records(),
    trusted: [servicesOf(t).exchange.gatewayKey()],
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Points a resource at a department system through its steward, as a steward would after a move. */
export async function pointAt(steward: Client, code: string, baseUrl: string) {
  const localCode = code.split(".")[2];
  const response = await steward.request("PATCH", `/api/v1/exchange/resources/${code}`, {
    connector: { kind: "http", url: `${baseUrl}/v1/${code.slice(0, 6)}/${localCode}` },
  });
  if (response.statusCode !== 200) throw new Error(`pointing ${code} failed: ${response.body}`);
}

/** Asks for a resource and has the provider's steward approve it; answers the grant id. */
export async function grantThrough(
  asker: Client,
  steward: Client,
  request: { resource: string; fields: string[]; expiresOn?: string; purpose?: string },
  decision: Record<string, unknown> = {},
): Promise<string> {
  const asked = await asker.request("POST", "/api/v1/exchange/requests", {
    purpose: "办件核验所需",
    legalBasis: "《政务信息资源共享管理暂行办法》",
    expiresOn: "2027-12-31",
    ...request,
  });
  if (asked.statusCode !== 201) throw new Error(`request failed: ${asked.body}`);
  const decided = await steward.request("POST", `/api/v1/exchange/requests/${asked.json().id}/decision`, {
    decision: "approve",
    ...decision,
  });
  if (decided.statusCode !== 200) throw new Error(`decision failed: ${decided.body}`);
  return decided.json().grantId as string;
}
