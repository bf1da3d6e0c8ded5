// Which issuers a verifier trusts. The federation's trust list (issue 6) names each member node and
// its keys by use; an e-certificate verifies only if its key is a member's `certificate` key. The
// same interface serves the node itself (its own issuer key) before it belongs to a federation.
import { bytesEqual, parseNote, parseVerifierKey, verifyNote } from "@tongban/ledger";

/** A trusted issuer as the trust source describes it. */
export interface TrustedIssuer {
  /** Who vouches for the key, e.g. 福州市 (350100) or "this node". */
  name: string;
  regionCode: string | null;
  /** Where the trust comes from: "federation trust list #12", "this node's own key"… */
  source: string;
  /** After this instant the member is no longer trusted (ISO 8601), if the source says. */
  validUntil: string | null;
  /** The member's ledger keys (signed-note verifier keys), to check a ledger receipt with. */
  ledgerKeys: string[];
}

export interface IssuerTrust {
  /** The trusted issuer holding this Ed25519 certificate key, or undefined when nobody vouches for it. */
  issuerFor(publicKey: Uint8Array): TrustedIssuer | undefined;
}

/** The parts of a trust list (packages/contracts TrustList) the verifier reads. */
export interface TrustListMembers {
  federation?: string;
  sequence?: number;
  members: {
    regionCode: string;
    name: string;
    validUntil?: string;
    keys: { use: string; key: string }[];
  }[];
}

export class TrustListError extends Error {
  override name = "TrustListError";
}

/** Trust from a list of members: each member's `certificate` keys vouch for its certificates. */
export function trustFromList(list: TrustListMembers, source?: string): IssuerTrust {
  const entries: { publicKey: Uint8Array; issuer: TrustedIssuer }[] = [];
  const label = source ?? (list.federation ? `${list.federation} trust list #${list.sequence ?? "?"}` : "trust list");
  for (const member of list.members) {
    const ledgerKeys = member.keys.filter((k) => k.use === "ledger").map((k) => k.key);
    for (const { use, key } of member.keys) {
      if (use !== "certificate") continue;
      const parsed = parseVerifierKey(key);
      if (parsed.type !== "ed25519") continue;
      entries.push({
        publicKey: parsed.publicKey,
        issuer: {
          name: member.name,
          regionCode: member.regionCode,
          source: label,
          validUntil: member.validUntil ?? null,
          ledgerKeys,
        },
      });
    }
  }
  return { issuerFor: (publicKey) => entries.find((e) => bytesEqual(e.publicKey, publicKey))?.issuer };
}

/** Trust in any of several sources, the first that vouches winning. */
export function combineTrust(...sources: IssuerTrust[]): IssuerTrust {
  return {
    issuerFor(publicKey) {
      for (const source of sources) {
        const found = source.issuerFor(publicKey);
        if (found) return found;
      }
      return undefined;
    },
  };
}

const TRUST_LIST_HEADER = "tongban/federation-trust-list/v1";

/**
 * Reads a trust-list file: the federation's signed note (header line, canonical JSON line,
 * signatures) — checked against `federationKeys` when given — or the list as plain JSON.
 */
export function parseTrustListFile(text: string, federationKeys: readonly string[] = []): TrustListMembers {
  let json = text;
  if (text.startsWith(TRUST_LIST_HEADER)) {
    if (federationKeys.length > 0) {
      const opened = verifyNote(
        text,
        federationKeys.map((k) => parseVerifierKey(k)),
      );
      if (!opened.ok) throw new TrustListError(`the trust list's signature does not verify (${opened.error})`);
    }
    const parsed = parseNote(text);
    if (!parsed.ok) throw new TrustListError("the trust list is not a well-formed signed note");
    json = parsed.value.text.split("\n")[1] ?? "";
  } else if (federationKeys.length > 0) {
    throw new TrustListError("a federation key was given but the trust list is plain JSON, not a signed note");
  }
  let body: unknown;
  try {
    body = JSON.parse(json);
  } catch {
    throw new TrustListError("the trust list is neither a signed trust list nor JSON");
  }
  const members = (body as TrustListMembers | undefined)?.members;
  if (!Array.isArray(members)) throw new TrustListError("the trust list has no members");
  for (const [i, m] of members.entries()) {
    if (typeof m?.regionCode !== "string" || typeof m.name !== "string" || !Array.isArray(m.keys))
      throw new TrustListError(`member ${i} lacks its regionCode, name or keys`);
  }
  return body as TrustListMembers;
}
