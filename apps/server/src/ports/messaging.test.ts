import { createHmac } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpGatewaySender, MessageGatewayError } from "./messaging.ts";

let server: Server;
let url: string;
const received: { headers: IncomingMessage["headers"]; body: string }[] = [];
let answer = 202;

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => {
      body += chunk;
    });
    request.on("end", () => {
      received.push({ headers: request.headers, body });
      response.statusCode = answer;
      response.end(answer >= 400 ? "quota exceeded" : "");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/send`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("HTTP message gateway adapter", () => {
  const clock = { now: () => new Date("2026-11-28T03:00:00Z") };

  it("posts the message as JSON with a verifiable HMAC signature", async () => {
    answer = 202;
    const sender = httpGatewaySender({ url, secret: "gateway-shared-secret", clock });
    await sender.send({ channel: "sms", recipient: "13905910321", body: "【通办】您的办件已受理" });
    const last = received.at(-1);
    expect(JSON.parse(last?.body ?? "")).toEqual({ channel: "sms", to: "13905910321", text: "【通办】您的办件已受理" });
    expect(last?.headers["x-tongban-timestamp"]).toBe("1795834800");
    const expected = createHmac("sha256", "gateway-shared-secret").update(`1795834800.${last?.body}`).digest("hex");
    expect(last?.headers["x-tongban-signature"]).toBe(expected);
  });

  it("throws when the gateway refuses, so the caller can retry", async () => {
    answer = 429;
    const sender = httpGatewaySender({ url, secret: "s", clock });
    await expect(sender.send({ channel: "email", recipient: "a@b.cn", subject: "x", body: "y" })).rejects.toThrow(
      MessageGatewayError,
    );
    await expect(sender.send({ channel: "email", recipient: "a@b.cn", body: "y" })).rejects.toThrow("quota exceeded");
  });
});
