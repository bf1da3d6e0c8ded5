// Which routes answer an anonymous caller and a resident: every route of the OpenAPI document refuses one (401
// without a session; 403 when a change comes without the session's CSRF token) unless it is on the
// public list below, with the reason it is public. A new route fails this test until it is one or
// the other.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../support/app.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const PUBLIC: Record<string, string> = {
  "GET /api/v1/regions": "the portal shows the regions before anyone logs in",
  "GET /api/v1/regions/{regionCode}/departments": "the portal lists a region's departments",
  "GET /api/v1/services": "the service catalogue is public (一次性告知)",
  "GET /api/v1/services/{code}": "a service's guide is public (一次性告知)",
  "POST /api/v1/auth/login": "logging in",
  "POST /api/v1/auth/register": "registering",
  "POST /api/v1/auth/totp/enrol": "a new staff member's first login (an enrolment token, not a session)",
  "GET /api/v1/ledger/entries/{index}": "the ledger is verifiable by anyone",
  "GET /api/v1/ledger/proofs/inclusion": "the ledger is verifiable by anyone",
  "GET /api/v1/ledger/proofs/consistency": "the ledger is verifiable by anyone",
  "GET /api/v1/certificates/issuer": "anyone verifying a certificate needs the issuer's keys and trust list",
  "GET /api/v1/certificates/{id}/status": "anyone verifying a certificate needs its status",
  "POST /api/v1/certificates/verify": "anyone may verify a certificate",
  "POST /api/v1/payments/notify": "the payment gateway posts its notifications (their signature is the credential)",
  "POST /api/v1/invoices/verify": "anyone may verify an e-invoice",
  "GET /api/v1/exchange/gateway-key": "departments' systems check the gateway's signed requests with it",
  "GET /api/v1/federation/services": "the portal offers the other regions' services to anyone (一次性告知)",
  "GET /api/v1/federation/services/{code}": "a service of another region's guide is public (一次性告知)",
  "GET /api/v1/federation/peers": "peers and the public read the federation's members",
  "GET /api/v1/federation/checkpoint": "peers and the public read the cosigned checkpoint",
  "POST /api/v1/federation/inbox": "peers post signed envelopes (the signature is the credential)",
  "POST /api/v1/federation/inbox/batch": "peers post several signed envelopes (each one's signature is its credential)",
  "POST /api/v1/federation/inbox/sealed-batch":
    "peers post several envelopes sealed together (the signature over their hash tree, with each one's path, is its credential)",
  "POST /api/v1/federation/witness/add-checkpoint":
    "peers' logs ask for cosignatures (the log's signature is the credential)",
};

const PARAM: Record<string, string> = {
  code: "350100-MZ-0001",
  version: "1",
  regionCode: "350100",
  index: "0",
  day: "2026-11-30",
};

// What a resident may read beyond the public routes: their own account, cases, certificates, enquiries,
// notifications and who read their data; the catalogue of data resources is for staff only.
const RESIDENT_READS = new Set([
  "GET /api/v1/auth/me",
  "GET /api/v1/applications",
  "GET /api/v1/me/certificates",
  "GET /api/v1/me/payments",
  "GET /api/v1/me/data-access",
  "GET /api/v1/enquiries",
  "GET /api/v1/notifications",
  "GET /api/v1/federation/cases",
]);

async function routesOf(app: TestApp["app"]) {
  const document = (app as unknown as { swagger(): { paths: Record<string, Record<string, unknown>> } }).swagger();
  return Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.keys(operations).map((method) => ({ method: method.toUpperCase(), path })),
  );
}

describe("anonymous callers", () => {
  it("are refused on every route that is not public", async () => {
    const document = (t.app as unknown as { swagger(): { paths: Record<string, Record<string, unknown>> } }).swagger();
    const open: string[] = [];
    for (const [path, operations] of Object.entries(document.paths))
      for (const method of Object.keys(operations)) {
        const upper = method.toUpperCase() as "GET" | "POST" | "PATCH" | "DELETE";
        if (!["GET", "POST", "PATCH", "DELETE"].includes(upper)) continue;
        const params = path.startsWith("/api/v1/exchange/")
          ? { ...PARAM, code: "350100.gongan.household_registration" }
          : PARAM;
        const url = path.replace(
          /\{([^}]+)\}/g,
          (_, name: string) => params[name] ?? "00000000-0000-4000-8000-000000000000",
        );
        const response = await t
          .anonymous()
          .request(upper, url, upper === "GET" || upper === "DELETE" ? undefined : {});
        const code = (response.json() as { code?: string }).code;
        const refused =
          (response.statusCode === 401 && code === "UNAUTHENTICATED") ||
          (response.statusCode === 403 && code === "CSRF_INVALID" && upper !== "GET");
        if (!refused) open.push(`${upper} ${path}`);
      }
    expect(open.sort()).toEqual(Object.keys(PUBLIC).sort());
  });

  it("a resident reads nothing meant for staff: every other GET with a session answers 403 or 404", async () => {
    const resident = await t.login(t.find((a) => a.username.startsWith("350102")).username);
    const open: string[] = [];
    for (const { method, path } of await routesOf(t.app)) {
      const route = `${method} ${path}`;
      if (method !== "GET" || route in PUBLIC || RESIDENT_READS.has(route)) continue;
      const params = path.startsWith("/api/v1/exchange/")
        ? { ...PARAM, code: "350100.gongan.household_registration" }
        : PARAM;
      const url = path.replace(
        /\{([^}]+)\}/g,
        (_, name: string) => params[name] ?? "00000000-0000-4000-8000-000000000000",
      );
      const response = await resident.request("GET", url);
      if (response.statusCode !== 403 && response.statusCode !== 404) open.push(`${route} → ${response.statusCode}`);
    }
    expect(open).toEqual([]);
    // With ids that exist: another person's staff record is refused, not just unknown.
    const admin = await t.database.db
      .selectFrom("accounts")
      .select("id")
      .where("username", "=", "fz.admin")
      .executeTakeFirstOrThrow();
    expect((await resident.request("GET", `/api/v1/admin/staff/${admin.id}`)).statusCode).toBe(403);
  });
});
