import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { gatewaySigner, generateGatewayKey, requestVerifier, signingString, signRequest } from "./signing.ts";

const signer = gatewaySigner(generateGatewayKey());
const stranger = gatewaySigner(generateGatewayKey());
const now = Date.parse("2026-11-30T01:00:00Z");

function signed(overrides: { body?: string; path?: string; at?: number; requestId?: string; by?: typeof signer } = {}) {
  const body = overrides.body ?? JSON.stringify({ key: "350102199003150221", fields: ["name"] });
  const path = overrides.path ?? "/v1/350100/household_registration";
  const headers = signRequest(overrides.by ?? signer, {
    method: "POST",
    path,
    body,
    requestId: overrides.requestId ?? randomUUID(),
    now: new Date(overrides.at ?? now),
  });
  return { method: "POST", path, headers, body };
}

const verifier = () =>
  requestVerifier({ trusted: [{ keyId: signer.keyId, publicKey: signer.publicKey }], now: () => now });

describe("signed requests", () => {
  it("accepts a request signed by a trusted key", () => {
    expect(verifier().verify(signed())).toEqual({ ok: true, keyId: signer.keyId });
  });

  it("signs method, path, date, digest and request id, one per line", () => {
    expect(signingString({ method: "post", path: "/a?b=1", date: "D", digest: "X", requestId: "r" })).toBe(
      "POST\n/a?b=1\nD\nX\nr",
    );
  });

  it("refuses an unsigned request", () => {
    const request = signed();
    expect(verifier().verify({ ...request, headers: { date: request.headers.date } })).toEqual({
      ok: false,
      reason: "UNSIGNED",
    });
  });

  it("refuses a request dated outside the allowed skew", () => {
    expect(verifier().verify(signed({ at: now - 6 * 60_000 }))).toEqual({ ok: false, reason: "STALE_DATE" });
    expect(verifier().verify(signed({ at: now + 6 * 60_000 }))).toEqual({ ok: false, reason: "STALE_DATE" });
    expect(verifier().verify(signed({ at: now - 4 * 60_000 })).ok).toBe(true);
  });

  it("refuses a body changed after signing", () => {
    const request = signed();
    expect(verifier().verify({ ...request, body: request.body.replace("name", "phone") })).toEqual({
      ok: false,
      reason: "DIGEST_MISMATCH",
    });
  });

  it("refuses a request sent to another path than the one signed", () => {
    const request = signed();
    expect(verifier().verify({ ...request, path: "/v1/350100/resident_identity" })).toEqual({
      ok: false,
      reason: "BAD_SIGNATURE",
    });
  });

  it("refuses a forged signature and a key it does not know", () => {
    const request = signed();
    const forged = (request.headers.authorization as string).replace(
      /signature="[^"]+"/,
      `signature="${"A".repeat(86)}=="`,
    );
    expect(verifier().verify({ ...request, headers: { ...request.headers, authorization: forged } })).toEqual({
      ok: false,
      reason: "BAD_SIGNATURE",
    });
    expect(verifier().verify(signed({ by: stranger }))).toEqual({ ok: false, reason: "UNKNOWN_KEY" });
    // A stranger's signature under the trusted key's id does not verify either.
    const impostor = signed({ by: stranger });
    const relabelled = (impostor.headers.authorization as string).replace(stranger.keyId, signer.keyId);
    expect(verifier().verify({ ...impostor, headers: { ...impostor.headers, authorization: relabelled } })).toEqual({
      ok: false,
      reason: "BAD_SIGNATURE",
    });
  });

  it("refuses a malformed authorization header", () => {
    const request = signed();
    expect(
      verifier().verify({ ...request, headers: { ...request.headers, authorization: "Bearer something" } }),
    ).toEqual({ ok: false, reason: "BAD_AUTHORIZATION" });
  });

  it("refuses a replayed request", () => {
    const v = verifier();
    const request = signed();
    expect(v.verify(request).ok).toBe(true);
    expect(v.verify(request)).toEqual({ ok: false, reason: "REPLAYED" });
  });

  it("remembers request ids while their date could still be accepted, then forgets them", () => {
    let clock = now;
    const v = requestVerifier({
      trusted: [{ keyId: signer.keyId, publicKey: signer.publicKey }],
      now: () => clock,
      maxSkewMs: 1000,
    });
    const first = signed({ at: clock });
    expect(v.verify(first).ok).toBe(true);
    for (let i = 0; i < 5; i++) expect(v.verify(signed({ at: clock })).ok).toBe(true);
    clock += 1500; // beyond the skew: the first request is stale now, and still remembered
    expect(v.verify({ ...first, headers: { ...first.headers } })).toEqual({ ok: false, reason: "STALE_DATE" });
    expect(v.verify(signed({ at: clock })).ok).toBe(true);
    expect(v.remembered()).toBe(7);
    clock += 1000; // 2.5 s after the first six: past twice the skew, they are forgotten
    expect(v.verify(signed({ at: clock })).ok).toBe(true);
    expect(v.remembered()).toBe(2);
    // A replay within the window is still refused.
    const recent = signed({ at: clock });
    expect(v.verify(recent).ok).toBe(true);
    expect(v.verify(recent)).toEqual({ ok: false, reason: "REPLAYED" });
  });
});
