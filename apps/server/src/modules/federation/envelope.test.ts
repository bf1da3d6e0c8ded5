import type { Envelope, TrustList } from "@tongban/contracts";
import { generateNoteKey, parseSignerKey } from "@tongban/ledger";
import { describe, expect, it } from "vitest";
import { checkEnvelope, sealEnvelope, signReceipt, verifyReceipt } from "./envelope.ts";
import { TrustRegistry } from "./trust-list.ts";

const now = new Date("2026-06-01T08:00:00Z");
const fuzhou = parseSignerKey(generateNoteKey("tongban-node-350100").signerKey);
const weinan = parseSignerKey(generateNoteKey("tongban-node-610500").signerKey);
const intruder = parseSignerKey(generateNoteKey("tongban-node-350100").signerKey);
const member = (regionCode: string, key: string) => ({
  regionCode,
  name: regionCode,
  url: `http://127.0.0.1:1900${regionCode[0]}/`,
  keys: [{ use: "node" as const, key }],
  validUntil: "2027-01-01T00:00:00Z",
});
const list: TrustList = {
  federation: "test",
  sequence: 1,
  issuedAt: "2026-01-01T00:00:00Z",
  nextUpdate: "2027-01-01T00:00:00Z",
  members: [member("350100", fuzhou.verifierKey), member("610500", weinan.verifierKey)],
};
const trust = new TrustRegistry(list);
const content = {
  id: "0b0ad1b4-61f4-4e8e-8a52-2b8e8f3d8c11",
  from: "350100",
  to: "610500",
  type: "case.handover",
  subject: "case-1",
  idempotencyKey: "case-1/handover",
  body: { service: "610500-GA-0001", form: { purpose: "employment" } },
};
const sealed = (signer = fuzhou, at = now) => sealEnvelope(content, signer, at, "bm9uY2Utbm9uY2Utbm9uY2U");
const at610500 = { self: "610500", trust, now };

describe("signed envelopes", () => {
  it("pass every check at the node they are addressed to", () => {
    const checked = checkEnvelope(sealed(), at610500);
    expect(checked).toMatchObject({ ok: true, envelope: { from: "350100", to: "610500", type: "case.handover" } });
  });

  it("refuse an altered body, an altered address and a stripped signature", () => {
    const altered = { ...sealed(), body: { service: "610500-GA-0001", form: { purpose: "other" } } };
    expect(checkEnvelope(altered, at610500)).toMatchObject({ ok: false, code: "ENVELOPE_BAD_SIGNATURE" });
    const resubject: Envelope = { ...sealed(), subject: "case-2" };
    expect(checkEnvelope(resubject, at610500)).toMatchObject({ ok: false, code: "ENVELOPE_BAD_SIGNATURE" });
    const { signature: _s, ...unsigned } = sealed();
    expect(checkEnvelope(unsigned, at610500)).toMatchObject({ ok: false, code: "ENVELOPE_MALFORMED" });
  });

  it("refuse a forger: a key not in the trust list, or a listed key claimed by the wrong sender", () => {
    expect(checkEnvelope(sealed(intruder), at610500)).toMatchObject({ ok: false, code: "ENVELOPE_UNTRUSTED_SENDER" });
    // Weinan's genuine key on an envelope that says it comes from Fuzhou.
    const posing = sealEnvelope({ ...content, from: "350100" }, weinan, now, "bm9uY2Utbm9uY2Utbm9uY2U");
    expect(checkEnvelope(posing, { ...at610500, self: "610500" })).toMatchObject({
      ok: false,
      code: "ENVELOPE_UNTRUSTED_SENDER",
    });
    const stranger = sealEnvelope({ ...content, from: "440300" }, fuzhou, now, "bm9uY2Utbm9uY2Utbm9uY2U");
    expect(checkEnvelope(stranger, at610500)).toMatchObject({ ok: false, code: "ENVELOPE_UNTRUSTED_SENDER" });
  });

  it("refuse an envelope for another node and one too old or from the future", () => {
    expect(checkEnvelope(sealed(), { ...at610500, self: "500000" })).toMatchObject({
      ok: false,
      code: "ENVELOPE_MISADDRESSED",
    });
    const old = sealed(fuzhou, new Date(now.getTime() - 6 * 60_000));
    expect(checkEnvelope(old, at610500)).toMatchObject({ ok: false, code: "ENVELOPE_EXPIRED" });
    const future = sealed(fuzhou, new Date(now.getTime() + 6 * 60_000));
    expect(checkEnvelope(future, at610500)).toMatchObject({ ok: false, code: "ENVELOPE_EXPIRED" });
    expect(checkEnvelope(sealed(fuzhou, new Date(now.getTime() - 60_000)), at610500).ok).toBe(true);
  });

  it("refuse what is not an envelope at all, saying what is wrong", () => {
    expect(checkEnvelope(null, at610500)).toMatchObject({ ok: false, code: "ENVELOPE_MALFORMED" });
    const check = checkEnvelope({ ...sealed(), nonce: "short" }, at610500);
    expect(!check.ok && check.reason).toMatch(/^nonce/);
  });

  it("are acknowledged by receipts only the addressee's key can sign", () => {
    const fields = {
      messageId: content.id,
      from: "350100",
      to: "610500",
      idempotencyKey: content.idempotencyKey,
      receivedAt: now.toISOString(),
      status: "accepted" as const,
    };
    const expected = { messageId: content.id, from: "350100", to: "610500", idempotencyKey: content.idempotencyKey };
    expect(verifyReceipt(signReceipt(fields, weinan), expected, trust, now)).toBeUndefined();
    expect(verifyReceipt(signReceipt(fields, fuzhou), expected, trust, now)).toMatch(/not signed by a node key/);
    const forged = { ...signReceipt(fields, weinan), receivedAt: "2026-06-02T00:00:00.000Z" };
    expect(verifyReceipt(forged, expected, trust, now)).toMatch(/does not verify/);
    expect(verifyReceipt(signReceipt(fields, weinan), { ...expected, messageId: "other" }, trust, now)).toMatch(
      /another message/,
    );
  });
});
