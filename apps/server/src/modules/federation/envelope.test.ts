import type { Envelope, Receipt, TrustList } from "@tongban/contracts";
import { generateNoteKey, inclusionProof, leafHash, parseSignerKey, rootHash, utf8Encode } from "@tongban/ledger";
import { describe, expect, it } from "vitest";
import {
  checkEnvelope,
  type SealMemo,
  sealEnvelope,
  sealEnvelopes,
  signReceipt,
  signReceipts,
  treeWithPaths,
  verifyReceipt,
} from "./envelope.ts";
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

describe("envelopes and receipts sealed together (ADR 0008)", () => {
  const contents = [0, 1, 2, 3, 4].map((i) => ({
    ...content,
    id: `0b0ad1b4-61f4-4e8e-8a52-2b8e8f3d8c1${i}`,
    subject: `case-${i}`,
    idempotencyKey: `case-${i}/handover`,
  }));
  const nonces = contents.map((_, i) => `bm9uY2Utbm9uY2Utbm9uY2U${i}`);
  const batch = (signer = fuzhou) => sealEnvelopes(contents, signer, now, nonces);
  const fields = contents.map((c) => ({
    messageId: c.id,
    from: "350100",
    to: "610500",
    idempotencyKey: c.idempotencyKey,
    receivedAt: now.toISOString(),
    status: "accepted" as const,
  }));
  const bad = (envelope: unknown) =>
    expect(checkEnvelope(envelope, at610500)).toMatchObject({ ok: false, code: "ENVELOPE_BAD_SIGNATURE" });

  it("share one signature, each envelope passing every check on its own with its path", () => {
    const envelopes = batch();
    expect(new Set(envelopes.map((e) => e.signature)).size).toBe(1);
    expect(envelopes.map((e) => e.tree?.index)).toEqual([0, 1, 2, 3, 4]);
    for (const envelope of envelopes) expect(checkEnvelope(envelope, at610500).ok).toBe(true);
  });

  it("verify the shared signature once for a whole request, and only for the same root", () => {
    const memo: SealMemo = new Map();
    for (const envelope of batch()) expect(checkEnvelope(envelope, { ...at610500, memo }).ok).toBe(true);
    expect(memo.size).toBe(1);
    // A remembered verification does not carry over to an item whose path leads to another root.
    const [first] = batch();
    expect(checkEnvelope({ ...first, body: { altered: true } }, { ...at610500, memo })).toMatchObject({
      ok: false,
      code: "ENVELOPE_BAD_SIGNATURE",
    });
  });

  it("refuse an altered item, a wrong path or index, a stripped path and a forged root", () => {
    const envelopes = batch();
    const [first, second] = envelopes as [Envelope, Envelope];
    bad({ ...first, body: { service: "610500-GA-0001", form: { purpose: "other" } } });
    bad({ ...first, nonce: nonces[1] });
    // Another item's path, another index, a path cut short, or none at all.
    bad({ ...first, tree: second.tree });
    bad({ ...first, tree: { ...first.tree, index: 1 } });
    bad({ ...first, tree: { ...first.tree, path: first.tree?.path.slice(1) } });
    bad({ ...first, tree: { ...first.tree, size: 4 } });
    const { tree: _tree, ...untree } = first;
    bad(untree);
    // The root signed by a key Fuzhou never had, or the signature of another batch.
    const forged = sealEnvelopes(contents, intruder, now, nonces)[0] as Envelope;
    expect(checkEnvelope({ ...forged, key: fuzhou.verifierKey }, at610500)).toMatchObject({
      ok: false,
      code: "ENVELOPE_BAD_SIGNATURE",
    });
    const other = sealEnvelopes(contents.slice(0, 4), fuzhou, now, nonces.slice(0, 4))[0] as Envelope;
    bad({ ...first, signature: other.signature });
    // A path of another shape (a tree of two) under the same signature.
    bad({ ...first, tree: { size: 2, index: 0, path: [first.tree?.path[1]] } });
  });

  it("a single envelope's signature does not pass as a seal, nor a seal of receipts as one of envelopes", () => {
    const alone = sealEnvelope(contents[0] as typeof content, fuzhou, now, nonces[0] as string);
    const [first] = batch();
    bad({ ...alone, tree: first?.tree });
    // Fuzhou signing a tree of "receipts" whose leaves are its envelopes' bytes: not an envelope seal.
    const unsigned = batch().map(({ signature: _s, tree: _t, ...rest }) => rest);
    const asReceipts = signReceipts(unsigned as unknown as typeof fields, fuzhou);
    bad({ ...first, signature: asReceipts[0]?.signature });
  });

  it("answer receipts signed together, each verified with its path against the receiver's key", () => {
    const receipts = signReceipts(fields, weinan);
    const memo: SealMemo = new Map();
    for (const [i, receipt] of receipts.entries()) {
      const expected = {
        messageId: contents[i]?.id as string,
        from: "350100",
        to: "610500",
        idempotencyKey: contents[i]?.idempotencyKey as string,
      };
      expect(verifyReceipt(receipt, expected, trust, now, memo)).toBeUndefined();
    }
    expect(memo.size).toBe(1);
    const expected0 = {
      messageId: contents[0]?.id as string,
      from: "350100",
      to: "610500",
      idempotencyKey: "case-0/handover",
    };
    const [r0, r1] = receipts as [Receipt, Receipt];
    expect(verifyReceipt({ ...r0, receivedAt: "2026-06-02T00:00:00.000Z" }, expected0, trust, now)).toMatch(
      /does not verify/,
    );
    expect(verifyReceipt({ ...r0, tree: r1.tree }, expected0, trust, now)).toMatch(/does not verify/);
    expect(verifyReceipt(signReceipts(fields, fuzhou)[0] as Receipt, expected0, trust, now)).toMatch(
      /not signed by a node key/,
    );
  });
});

describe("a batch's tree and its paths", () => {
  it("are the RFC 9162 root and inclusion paths the ledger library computes, for every size a batch may have", () => {
    for (let size = 1; size <= 64; size++) {
      const leaves = Array.from({ length: size }, (_, i) => leafHash(utf8Encode(`item ${i}`)));
      const { root, paths } = treeWithPaths(leaves);
      expect(root).toEqual(rootHash(leaves));
      for (let i = 0; i < size; i++) expect(paths[i]).toEqual(inclusionProof(leaves, i, size));
    }
  });
});
