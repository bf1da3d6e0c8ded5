import type { TrustList } from "@tongban/contracts";
import { generateNoteKey, parseSignerKey } from "@tongban/ledger";
import { describe, expect, it } from "vitest";
import { createTrustStore, signTrustList, TRUST_LIST_HEADER, TrustRegistry, verifyTrustList } from "./trust-list.ts";

const now = new Date("2026-06-01T00:00:00Z");
const admin = generateNoteKey("tongban-federation-admin");
const adminSigner = parseSignerKey(admin.signerKey);
const fuzhou = generateNoteKey("tongban-node-350100");
const weinan = generateNoteKey("tongban-node-610500");
const issuer = generateNoteKey("fuzhou-certificates", "sm2");

function list(overrides: Partial<TrustList> = {}): TrustList {
  return {
    federation: "test",
    sequence: 3,
    issuedAt: "2026-05-01T00:00:00Z",
    nextUpdate: "2026-08-01T00:00:00Z",
    members: [
      {
        regionCode: "350100",
        name: "福州市",
        url: "http://127.0.0.1:19001/",
        keys: [
          { use: "node", key: fuzhou.verifierKey },
          { use: "certificate", key: issuer.verifierKey },
        ],
        validUntil: "2027-01-01T00:00:00Z",
      },
      {
        regionCode: "610500",
        name: "渭南市",
        url: "http://127.0.0.1:19002/",
        keys: [{ use: "node", key: weinan.verifierKey }],
        validUntil: "2026-05-31T00:00:00Z",
      },
    ],
    ...overrides,
  };
}

describe("the federation trust list", () => {
  it("is a signed note the administrator's key verifies", () => {
    const note = signTrustList(list(), [adminSigner]);
    expect(note.startsWith(`${TRUST_LIST_HEADER}\n{`)).toBe(true);
    const checked = verifyTrustList(note, [admin.verifierKey], now);
    expect(checked.ok && checked.list.members.map((m) => m.regionCode)).toEqual(["350100", "610500"]);
  });

  it("is refused when signed by another key, altered, expired or listing a region twice", () => {
    const other = generateNoteKey("tongban-federation-admin");
    const byOther = signTrustList(list(), [parseSignerKey(other.signerKey)]);
    expect(verifyTrustList(byOther, [admin.verifierKey], now)).toMatchObject({ ok: false });

    const note = signTrustList(list(), [adminSigner]);
    const altered = note.replace("http://127.0.0.1:19002/", "http://127.0.0.1:19666/");
    const alteredCheck = verifyTrustList(altered, [admin.verifierKey], now);
    expect(alteredCheck.ok).toBe(false);
    expect(!alteredCheck.ok && alteredCheck.error).toMatch(/signature/);

    const expired = verifyTrustList(note, [admin.verifierKey], new Date("2026-09-01T00:00:00Z"));
    expect(!expired.ok && expired.error).toMatch(/expired/);

    const first = list().members[0];
    const twice = signTrustList(list({ members: first ? [first, first] : [] }), [adminSigner]);
    const twiceCheck = verifyTrustList(twice, [admin.verifierKey], now);
    expect(!twiceCheck.ok && twiceCheck.error).toMatch(/listed twice/);
  });

  it("answers which active member a key belongs to, for each use", () => {
    const registry = new TrustRegistry(list());
    expect(registry.trustedKey(issuer.verifierKey, "certificate", now)?.member.regionCode).toBe("350100");
    expect(registry.trustedKey(issuer.verifierKey, "node", now)).toBeUndefined();
    // Weinan's validity ran out the day before.
    expect(registry.trustedKey(weinan.verifierKey, "node", now)).toBeUndefined();
    expect(registry.activeMember("610500", now)).toBeUndefined();
    expect(registry.member("610500")?.name).toBe("渭南市");
    expect(registry.keysOf("350100", "node", now).map((k) => k.verifierKey)).toEqual([fuzhou.verifierKey]);
    expect(registry.trustedKey(generateNoteKey("stranger").verifierKey, "node", now)).toBeUndefined();
  });

  it("reloads a newer list and refuses to go back to an older one", () => {
    let current = signTrustList(list({ sequence: 3 }), [adminSigner]);
    const store = createTrustStore({ read: () => current, adminKeys: [admin.verifierKey], now: () => now });
    current = signTrustList(list({ sequence: 4, federation: "renamed" }), [adminSigner]);
    expect(store.reload()).toBeUndefined();
    expect(store.current().list.federation).toBe("renamed");
    current = signTrustList(list({ sequence: 2 }), [adminSigner]);
    expect(store.reload()).toMatch(/went back/);
    expect(store.current().sequence).toBe(4);
    current = "not a note";
    expect(store.reload()).toBeDefined();
    expect(store.current().sequence).toBe(4);
  });
});
