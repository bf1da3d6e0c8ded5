// Every route, given malformed input, answers a client error with a code — never a 5xx. The routes
// come from the OpenAPI document the server builds, so a new route is covered without editing this.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, createTestApp, type TestApp } from "../support/app.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

type Method = "GET" | "POST" | "PATCH" | "DELETE";
interface Route {
  method: Method;
  path: string;
}

const BODIES: unknown[] = [
  undefined,
  {},
  [],
  "text",
  42,
  null,
  { unknown: true },
  { name: "nul\u0000inside", form: { field: "\u0000" }, "key\u0000": 1 },
  { id: "../../etc/passwd", code: "x".repeat(5000), type: { nested: [1, 2, 3] }, form: "not an object" },
];
const PARAMS = ["00000000-0000-4000-8000-000000000000", "not-an-id", "%E4%B8%AD", "1e999", "-1"];
// Logging out would end the session the rest of the run needs; it takes no input anyway.
const SKIP = new Set(["POST /api/v1/auth/logout"]);

function routes(): Route[] {
  const document = (t.app as unknown as { swagger(): { paths: Record<string, Record<string, unknown>> } }).swagger();
  const found: Route[] = [];
  for (const [path, operations] of Object.entries(document.paths))
    for (const method of Object.keys(operations)) {
      const upper = method.toUpperCase() as Method;
      if (!["GET", "POST", "PATCH", "DELETE"].includes(upper)) continue;
      if (SKIP.has(`${upper} ${path}`)) continue;
      found.push({ method: upper, path });
    }
  return found;
}

async function probe(client: Client, who: string) {
  const failures: string[] = [];
  for (const route of routes()) {
    for (const param of PARAMS) {
      const url = route.path.replace(/\{[^}]+\}/g, param);
      const queries =
        route.method === "GET"
          ? ["", "?limit=-5&before=yesterday&status=nonsense&q=%00", "?q=%E4%B8%AD&regionCode=999999&from=2026-13-45"]
          : [""];
      const bodies = route.method === "GET" || route.method === "DELETE" ? [undefined] : BODIES;
      for (const query of queries)
        for (const body of bodies) {
          const response = await client.request(route.method, `${url}${query}`, body);
          const label = `${who} ${route.method} ${url}${query} ${JSON.stringify(body)?.slice(0, 60)}`;
          if (response.statusCode >= 500)
            failures.push(`${label} → ${response.statusCode} ${response.body.slice(0, 200)}`);
          else if (response.statusCode >= 400 && response.headers["content-type"]?.toString().includes("json")) {
            const code = (response.json() as { code?: unknown }).code;
            if (typeof code !== "string") failures.push(`${label} → ${response.statusCode} without a code`);
          }
        }
      if (!route.path.includes("{")) break;
    }
  }
  return failures;
}

describe("malformed input on every route", { timeout: 600_000 }, () => {
  it("never answers 5xx, and every JSON error carries a code", async () => {
    const resident = await t.login(t.find((a) => a.username.startsWith("350102")).username);
    const admin = await t.login("fz.admin");
    const failures = [
      ...(await probe(t.anonymous(), "anonymous")),
      ...(await probe(resident, "resident")),
      ...(await probe(admin, "admin")),
    ];
    expect(failures).toEqual([]);
  });
});
