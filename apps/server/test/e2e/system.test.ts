import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../support/app.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe("operations endpoints", () => {
  it("answers health and readiness", async () => {
    expect((await t.app.inject("/healthz")).json()).toEqual({ status: "ok" });
    const ready = await t.app.inject("/readyz");
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: "ready" });
  });

  it("is not ready when a migration is pending", async () => {
    await t.database.db.deleteFrom("schema_migrations").where("version", "=", "002_catalog_applications").execute();
    const response = await t.app.inject("/readyz");
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({
      code: "NOT_READY",
      details: { pendingMigrations: ["002_catalog_applications"] },
    });
    await t.database.db.insertInto("schema_migrations").values({ version: "002_catalog_applications" }).execute();
  });

  it("serves Prometheus metrics with request counts per route", async () => {
    await t.app.inject("/api/v1/regions");
    const metrics = await t.app.inject("/metrics");
    expect(metrics.headers["content-type"]).toContain("text/plain");
    expect(metrics.body).toMatch(
      /tongban_http_requests_total\{method="GET",route="\/api\/v1\/regions",status="200"\} \d+/,
    );
    expect(metrics.body).toContain("tongban_process_cpu_seconds_total");
  });

  it("serves an OpenAPI 3.1 document generated from the routes, and its reference page", async () => {
    const doc = (await t.app.inject("/api/openapi.json")).json();
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/api/v1/auth/register",
        "/api/v1/auth/login",
        "/api/v1/auth/logout",
        "/api/v1/auth/me",
        "/api/v1/admin/staff",
      ]),
    );
    const register = doc.paths["/api/v1/auth/register"].post;
    expect(JSON.stringify(register.requestBody)).toContain("idNumber");
    const docs = await t.app.inject("/api/docs/");
    expect([200, 302]).toContain(docs.statusCode);
  });

  it("answers unknown routes with the error shape and echoes the request id", async () => {
    const response = await t.app.inject({ url: "/api/v1/nothing-here", headers: { "x-request-id": "trace-12345678" } });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: "NOT_FOUND", message: "Nothing is here" });
    expect(response.headers["x-request-id"]).toBe("trace-12345678");
  });

  it("sends security headers, on errors too", async () => {
    const response = await t.app.inject("/healthz");
    expect(response.headers["content-security-policy"]).toContain("default-src 'self'");
    expect(response.headers["x-content-type-options"]).toBe("nosniff");
    expect(response.headers["strict-transport-security"]).toMatch(/^max-age=\d+/);
    for (const url of ["/api/v1/applications", "/api/v1/nothing-here"]) {
      const refused = await t.app.inject(url);
      expect(refused.statusCode).toBeGreaterThanOrEqual(400);
      expect(refused.headers["content-security-policy"]).toBe(response.headers["content-security-policy"]);
      expect(refused.headers["x-frame-options"]).toBe("SAMEORIGIN");
    }
  });
});
