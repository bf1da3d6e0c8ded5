import { certificateSigningKey } from "@tongban/credentials";
import { generateNoteKey } from "@tongban/ledger";
import { describe, expect, it } from "vitest";
import { nodeIssuerTrust, ownTrustList } from "./issuer-trust.ts";

const keyPair = (name: string) => certificateSigningKey(generateNoteKey(name).signerKey);

describe("the node's issuer trust", () => {
  const own = keyPair("tongban.local/350100/certificates");
  const peer = keyPair("tongban.local/610500/certificates");
  const member = (key: string) => ({
    federation: "demo",
    sequence: 2,
    members: [
      { regionCode: "610500", name: "渭南", validUntil: "2030-01-01T00:00:00Z", keys: [{ use: "certificate", key }] },
    ],
  });

  it("trusts its own key alone when it belongs to no federation", () => {
    const trust = nodeIssuerTrust(ownTrustList(own.verifierKey, []));
    expect(trust.issuerFor(own.publicKey)?.source).toBe("this node's own issuer key");
    expect(trust.issuerFor(peer.publicKey)).toBeUndefined();
  });

  it("trusts the federation members' certificate keys, following the list as it changes", () => {
    let list: ReturnType<typeof member> | undefined = member(peer.verifierKey);
    const trust = nodeIssuerTrust(ownTrustList(own.verifierKey, []), () => list);
    expect(trust.issuerFor(peer.publicKey)).toMatchObject({
      name: "渭南",
      regionCode: "610500",
      source: "demo trust list #2",
    });
    expect(trust.issuerFor(own.publicKey)).toBeDefined();
    // A new list without the member: its certificates are no longer trusted.
    list = member(keyPair("other").verifierKey);
    expect(trust.issuerFor(peer.publicKey)).toBeUndefined();
    // A key listed for another use is not a certificate key.
    list = {
      ...member(peer.verifierKey),
      members: [{ ...member(peer.verifierKey).members[0]!, keys: [{ use: "node", key: peer.verifierKey }] }],
    };
    expect(trust.issuerFor(peer.publicKey)).toBeUndefined();
  });
});
