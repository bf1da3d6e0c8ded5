import { Signer } from "@fastify/cookie";
import { describe, expect, it } from "vitest";
import { rememberingSigner } from "./session.plugin.ts";

const secret = "a-session-secret-of-at-least-32-characters";

describe("rememberingSigner", () => {
  it("signs and verifies as the cookie signer does, the first time and from memory", () => {
    const plain = new Signer(secret);
    const signer = rememberingSigner(secret);
    const cookie = signer.sign("session-id");
    expect(cookie).toBe(plain.sign("session-id"));
    expect(signer.sign("session-id")).toBe(cookie);
    expect(signer.unsign(cookie)).toEqual({ valid: true, renew: false, value: "session-id" });
    expect(signer.unsign(cookie)).toEqual({ valid: true, renew: false, value: "session-id" });
  });

  it("refuses a forged or altered cookie every time, even next to a remembered good one", () => {
    const signer = rememberingSigner(secret);
    const cookie = signer.sign("session-id");
    signer.unsign(cookie);
    const altered = `${cookie.slice(0, -1)}${cookie.endsWith("A") ? "B" : "A"}`;
    for (let i = 0; i < 2; i++) {
      expect(signer.unsign(altered).valid).toBe(false);
      expect(signer.unsign(`other-id.${cookie.split(".")[1]}`).valid).toBe(false);
      expect(rememberingSigner("another-secret-of-at-least-32-characters!").unsign(cookie).valid).toBe(false);
    }
  });
});
