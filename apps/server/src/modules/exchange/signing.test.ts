import { randomUUID } from "node:crypto";
import { inclusionProof, leafHash, rootHash } from "@tongban/ledger/core";
import { describe, expect, it } from "vitest";
import {
  buildTree,
  contentDigest,
  gatewaySigner,
  generateGatewayKey,
  requestVerifier,
  SCHEME,
  signingString,
  signRequest,
  treeSigner,
} from "./signing.ts";

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

describe("tree-signed requests (Tongban-Ed25519-Tree)", () => {
  const path = "/v1/350100/household_registration";
  /** Signs `count` requests in one turn of the event loop: they share one tree and one signature. */
  async function batch(count: number, by = signer) {
    const trees = treeSigner(by);
    const requests = Array.from({ length: count }, (_, i) => ({
      method: "POST",
      path,
      body: JSON.stringify({ key: `35010219900315022${i % 10}`, fields: ["name"], n: i }),
      requestId: randomUUID(),
      now: new Date(now),
    }));
    const headers = await Promise.all(requests.map((r) => trees.sign("http://127.0.0.1:8091", r)));
    expect(trees.stats()).toEqual({ trees: 1, requests: count });
    return requests.map((r, i) => ({ method: r.method, path: r.path, body: r.body, headers: headers[i] ?? {} }));
  }
  const field = (request: { headers: Record<string, string> }, name: string) =>
    new RegExp(`${name}=("?)([^",]*(?:,[^",]+)*)\\1(?:,|$)`).exec(request.headers.authorization ?? "")?.[2] ?? "";
  const withAuthorization = <T extends { headers: Record<string, string> }>(request: T, authorization: string): T => ({
    ...request,
    headers: { ...request.headers, authorization },
  });

  it("accepts every request of a tree, verifying the root's signature once", async () => {
    const v = verifier();
    const requests = await batch(7);
    expect(requests[0]?.headers.authorization).toMatch(
      /^Tongban-Ed25519-Tree keyId="tb-gw-[0-9a-f]{16}", size=7, index=0, /,
    );
    for (const request of requests) expect(v.verify(request)).toEqual({ ok: true, keyId: signer.keyId });
    expect(v.signatureChecks()).toBe(1);
  });

  it("a tree of one costs what a request signed alone does: one signature, one verification", async () => {
    const v = verifier();
    const [alone] = await batch(1);
    expect(field(alone as { headers: Record<string, string> }, "path")).toBe("");
    expect(v.verify(alone as ReturnType<typeof signed>).ok).toBe(true);
    expect(v.signatureChecks()).toBe(1);
  });

  it("builds the root and paths of RFC 9162, as the ledger library does", () => {
    for (const size of [1, 2, 3, 5, 8, 13]) {
      const leaves = Array.from({ length: size }, (_, i) => leafHash(Uint8Array.of(i)));
      const { root, paths } = buildTree(leaves);
      expect(Buffer.from(root)).toEqual(Buffer.from(rootHash(leaves)));
      for (let i = 0; i < size; i++) {
        expect(paths[i]?.map((h) => Buffer.from(h))).toEqual(
          inclusionProof(leaves, i, size).map((h) => Buffer.from(h)),
        );
      }
    }
  });

  it("refuses a request altered after signing: its leaf no longer leads to the signed root", async () => {
    const [request] = (await batch(4)) as [ReturnType<typeof signed>];
    const v = verifier();
    expect(v.verify({ ...request, path: "/v1/350100/resident_identity" })).toEqual({
      ok: false,
      reason: "BAD_SIGNATURE",
    });
    expect(v.verify({ ...request, method: "PUT" })).toEqual({ ok: false, reason: "BAD_SIGNATURE" });
    const later = new Date(now + 1000).toUTCString();
    expect(v.verify({ ...request, headers: { ...request.headers, date: later } })).toEqual({
      ok: false,
      reason: "BAD_SIGNATURE",
    });
    expect(v.verify({ ...request, headers: { ...request.headers, "x-tongban-request-id": randomUUID() } })).toEqual({
      ok: false,
      reason: "BAD_SIGNATURE",
    });
    const body = request.body.replace("name", "phone");
    expect(v.verify({ ...request, body })).toEqual({ ok: false, reason: "DIGEST_MISMATCH" });
    expect(
      v.verify({ ...request, body, headers: { ...request.headers, "content-digest": contentDigest(body) } }),
    ).toEqual({
      ok: false,
      reason: "BAD_SIGNATURE",
    });
    // The untouched request still verifies: none of the refusals burnt its id.
    expect(v.verify(request).ok).toBe(true);
  });

  it("refuses a wrong path: another leaf's, a changed hash, a wrong index or size, one hash too many or few", async () => {
    const [first, second] = (await batch(5)) as [ReturnType<typeof signed>, ReturnType<typeof signed>];
    const v = verifier();
    const auth = first.headers.authorization as string;
    const swapped = auth.replace(/path="[^"]*"/, `path="${field(second, "path")}"`);
    expect(v.verify(withAuthorization(first, swapped))).toEqual({ ok: false, reason: "BAD_SIGNATURE" });
    const hashes = field(first, "path").split(",");
    const changed = [
      `${hashes[0]?.slice(0, 10)}${hashes[0]?.[10] === "A" ? "B" : "A"}${hashes[0]?.slice(11)}`,
      ...hashes.slice(1),
    ];
    expect(v.verify(withAuthorization(first, auth.replace(/path="[^"]*"/, `path="${changed.join(",")}"`)))).toEqual({
      ok: false,
      reason: "BAD_SIGNATURE",
    });
    expect(v.verify(withAuthorization(first, auth.replace("index=0", "index=1")))).toEqual({
      ok: false,
      reason: "BAD_SIGNATURE",
    });
    expect(v.verify(withAuthorization(first, auth.replace("index=0", "index=5")))).toEqual({
      ok: false,
      reason: "BAD_PATH",
    });
    expect(v.verify(withAuthorization(first, auth.replace("size=5", "size=4")))).toEqual({
      ok: false,
      reason: "BAD_PATH",
    });
    expect(
      v.verify(withAuthorization(first, auth.replace(/path="[^"]*"/, `path="${hashes.slice(1).join(",")}"`))),
    ).toEqual({
      ok: false,
      reason: "BAD_PATH",
    });
    expect(v.verify(withAuthorization(first, auth.replace(/path="([^"]*)"/, `path="$1,${hashes[0]}"`)))).toEqual({
      ok: false,
      reason: "BAD_PATH",
    });
    expect(v.verify(first).ok).toBe(true);
  });

  it("refuses a forged root signature, also on a root it has already verified", async () => {
    const v = verifier();
    // A stranger's tree presented under the trusted key's id.
    const [impostor] = (await batch(3, stranger)) as [ReturnType<typeof signed>];
    const relabelled = (impostor.headers.authorization as string).replace(stranger.keyId, signer.keyId);
    expect(v.verify(withAuthorization(impostor, relabelled))).toEqual({ ok: false, reason: "BAD_SIGNATURE" });
    const [first, second] = (await batch(3)) as [ReturnType<typeof signed>, ReturnType<typeof signed>];
    const forged = (r: ReturnType<typeof signed>) =>
      withAuthorization(
        r,
        (r.headers.authorization as string).replace(/signature="[^"]+"/, `signature="${"A".repeat(86)}=="`),
      );
    expect(v.verify(forged(first))).toEqual({ ok: false, reason: "BAD_SIGNATURE" });
    expect(v.verify(first).ok).toBe(true);
    // The root is remembered as verified now; a request under it with another signature is still refused.
    expect(v.verify(forged(second))).toEqual({ ok: false, reason: "BAD_SIGNATURE" });
    // A per-request signature's bytes are not a tree's: a signature over the leaf's signing string fails.
    const parts = {
      method: "POST",
      path,
      date: first.headers.date as string,
      digest: first.headers["content-digest"] as string,
      requestId: second.headers["x-tongban-request-id"] as string,
    };
    const oneByOne = signer.sign(signingString(parts));
    expect(
      v.verify(
        withAuthorization(
          second,
          (second.headers.authorization as string).replace(/signature="[^"]+"/, `signature="${oneByOne}"`),
        ),
      ),
    ).toEqual({ ok: false, reason: "BAD_SIGNATURE" });
    // Nor is a root's signature a request's: presented under the per-request scheme it fails.
    const rootSignature = /signature="([^"]+)"/.exec(second.headers.authorization as string)?.[1];
    const asOneByOne = `${SCHEME} keyId="${signer.keyId}", signature="${rootSignature}"`;
    expect(v.verify(withAuthorization(second, asOneByOne))).toEqual({ ok: false, reason: "BAD_SIGNATURE" });
    expect(v.verify(second).ok).toBe(true);
    expect(v.signatureChecks()).toBe(6);
  });

  it("refuses a replayed request, and a request id replayed under the other scheme", async () => {
    const v = verifier();
    const [request] = (await batch(2)) as [ReturnType<typeof signed>];
    expect(v.verify(request).ok).toBe(true);
    expect(v.verify(request)).toEqual({ ok: false, reason: "REPLAYED" });
    const again = signed({ body: request.body, requestId: request.headers["x-tongban-request-id"] as string });
    expect(v.verify(again)).toEqual({ ok: false, reason: "REPLAYED" });
  });

  it("refuses a stale tree-signed request and a malformed tree authorization", async () => {
    const trees = treeSigner(signer);
    const body = "{}";
    const headers = await trees.sign("s", {
      method: "POST",
      path,
      body,
      requestId: randomUUID(),
      now: new Date(now - 6 * 60_000),
    });
    expect(verifier().verify({ method: "POST", path, headers, body })).toEqual({ ok: false, reason: "STALE_DATE" });
    const [request] = (await batch(2)) as [ReturnType<typeof signed>];
    const broken = (request.headers.authorization as string).replace(/ size=\d+,/, "");
    expect(verifier().verify(withAuthorization(request, broken))).toEqual({ ok: false, reason: "BAD_AUTHORIZATION" });
  });

  it("keeps trees per system and splits more than the largest tree over several", async () => {
    const trees = treeSigner(signer, { maxTreeSize: 4 });
    const sign = (system: string) =>
      trees.sign(system, { method: "POST", path, body: "{}", requestId: randomUUID(), now: new Date(now) });
    const signedHeaders = await Promise.all([...Array.from({ length: 6 }, () => sign("a")), sign("b")]);
    expect(trees.stats()).toEqual({ trees: 3, requests: 7 });
    expect(signedHeaders.map((h) => /size=(\d+)/.exec(h.authorization ?? "")?.[1])).toEqual([
      "4",
      "4",
      "4",
      "4",
      "2",
      "2",
      "1",
    ]);
    const v = verifier();
    for (const headers of signedHeaders) expect(v.verify({ method: "POST", path, headers, body: "{}" }).ok).toBe(true);
  });

  it("fails the requests of a tree that cannot be signed instead of leaving them waiting", async () => {
    const broken = {
      ...signer,
      sign: () => {
        throw new Error("the key store is gone");
      },
    };
    const trees = treeSigner(broken);
    const sign = () =>
      trees.sign("s", { method: "POST", path, body: "{}", requestId: randomUUID(), now: new Date(now) });
    const results = await Promise.allSettled([sign(), sign()]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect(trees.stats()).toEqual({ trees: 0, requests: 0 });
  });
});
