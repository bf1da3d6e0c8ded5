// Whom this node trusts to issue e-certificates. Today: its own issuer key. The federation's trust
// list (issue 6, modules/federation) adds every member's `certificate` keys: pass its current list
// as `federation` and the same verification code trusts them — see docs/certificates.md.
import { combineTrust, type IssuerTrust, type TrustListMembers, trustFromList } from "@tongban/credentials";

export interface IssuerTrustSource {
  /** The trust in force now (a federation list can change while the node runs). */
  current(): IssuerTrust;
}

/** The one-member list of this node: its certificate key, and its ledger key to check its receipts. */
export function ownTrustList(certificateKey: string, ledgerKeys: string[]): TrustListMembers {
  return {
    members: [
      {
        regionCode: "",
        name: "本节点",
        keys: [{ use: "certificate", key: certificateKey }, ...ledgerKeys.map((key) => ({ use: "ledger", key }))],
      },
    ],
  };
}

export function nodeIssuerTrust(
  own: TrustListMembers,
  /** The federation's current trust list, when the node belongs to one. */
  federation?: () => TrustListMembers | undefined,
): IssuerTrust & IssuerTrustSource {
  const ownTrust = trustFromList(own, "this node's own issuer key");
  let cached: { list: TrustListMembers; trust: IssuerTrust } | undefined;
  const current = (): IssuerTrust => {
    const list = federation?.();
    if (!list) return ownTrust;
    if (cached?.list !== list) cached = { list, trust: combineTrust(ownTrust, trustFromList(list)) };
    return cached.trust;
  };
  return { current, issuerFor: (publicKey) => current().issuerFor(publicKey) };
}
