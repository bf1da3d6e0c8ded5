// A node on its own (no trust list): the federation's routes say so instead of pretending; the routes
// peers call are rate-limited per address all the same.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../support/app.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ federationRateLimitPerMinute: 5 });
});
afterAll(async () => {
  await t.close();
});

describe("a node outside any federation", () => {
  it("answers FEDERATION_DISABLED on the federation's routes and refuses envelopes", async () => {
    const anonymous = t.anonymous();
    const peers = await anonymous.request("GET", "/api/v1/federation/peers");
    expect(peers.statusCode).toBe(404);
    expect(peers.json().code).toBe("FEDERATION_DISABLED");
    const inbox = await anonymous.request("POST", "/api/v1/federation/inbox", { v: 1 });
    expect(inbox.json().code).toBe("FEDERATION_DISABLED");
    const resident = await t.login(t.find((a) => a.username.startsWith("350102")).username);
    const handOver = await resident.request("POST", "/api/v1/federation/cases", {
      serviceCode: "610500-GA-0001",
      form: {},
    });
    expect(handOver.json().code).toBe("FEDERATION_DISABLED");
  });

  it("bounds the requests one address makes to the routes peers call", async () => {
    const anonymous = t.anonymous();
    // One inbox request above; four more within the minute are answered, the next is not.
    for (let i = 0; i < 4; i++)
      expect((await anonymous.request("POST", "/api/v1/federation/inbox", { v: 1 })).statusCode).toBe(404);
    const limited = await anonymous.request("POST", "/api/v1/federation/inbox", { v: 1 });
    expect(limited.statusCode).toBe(429);
    expect(limited.json().code).toBe("RATE_LIMITED");
  });
});
