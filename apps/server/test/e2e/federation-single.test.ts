// A node on its own (no trust list): the federation's routes say so instead of pretending.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../support/app.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
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
});
