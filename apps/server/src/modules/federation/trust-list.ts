// The federation's trust list (like X-Road's global configuration): which regional nodes belong to
// the federation, where they answer and which keys they sign with, signed by the federation
// administrator. It travels as a C2SP signed note whose text is a header line and the list as
// canonical JSON, so any signed-note verifier (and SM2 administrators' keys) work unchanged.
import { type FederationKeyUse, type FederationMember, TrustList } from "@tongban/contracts";
import {
  NoteKeyError,
  type NoteSigner,
  type ParsedVerifier,
  parseNote,
  parseVerifierKey,
  signNote,
  verifyNote,
} from "@tongban/ledger";
import { canonicalJson } from "../../lib/canonical-json.ts";

export const TRUST_LIST_HEADER = "tongban/federation-trust-list/v1";

export type TrustListCheck = { ok: true; list: TrustList } | { ok: false; error: string };

/** The signed note of a trust list: header line, canonical JSON line, signatures. */
export function signTrustList(list: TrustList, signers: readonly NoteSigner[]): string {
  const parsed = TrustList.parse(list);
  return signNote(`${TRUST_LIST_HEADER}\n${canonicalJson(parsed)}\n`, signers);
}

/**
 * Opens a signed trust list: a signature by one of the administrator's keys, the header, a list
 * that passes the schema, one member per region, every key parseable, and a list not past its
 * `nextUpdate`. Never throws; answers what is wrong.
 */
export function verifyTrustList(note: string, adminKeys: readonly string[], now: Date): TrustListCheck {
  let verifiers: ParsedVerifier[];
  try {
    verifiers = adminKeys.map((key) => parseVerifierKey(key));
  } catch (error) {
    return { ok: false, error: `the administrator's key is not valid: ${(error as Error).message}` };
  }
  if (verifiers.length === 0) return { ok: false, error: "no administrator key to verify the trust list with" };
  const opened = verifyNote(note, verifiers);
  if (!opened.ok)
    return { ok: false, error: `the trust list's signature does not verify (${opened.reason}: ${opened.error})` };
  const [header, json, rest] = opened.text.split("\n");
  if (header !== TRUST_LIST_HEADER || json === undefined || rest !== "")
    return { ok: false, error: `not a trust list: the note must be "${TRUST_LIST_HEADER}" and one JSON line` };
  let body: unknown;
  try {
    body = JSON.parse(json);
  } catch {
    return { ok: false, error: "the trust list's JSON line does not parse" };
  }
  const parsed = TrustList.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, error: `the trust list is not valid at ${issue?.path.join(".")}: ${issue?.message}` };
  }
  const list = parsed.data;
  const regions = new Set<string>();
  for (const member of list.members) {
    if (regions.has(member.regionCode)) return { ok: false, error: `region ${member.regionCode} is listed twice` };
    regions.add(member.regionCode);
    for (const { key } of member.keys) {
      try {
        parseVerifierKey(key);
      } catch (error) {
        if (error instanceof NoteKeyError)
          return { ok: false, error: `a key of ${member.regionCode} is not valid: ${error.message}` };
        throw error;
      }
    }
  }
  if (new Date(list.nextUpdate) <= now)
    return { ok: false, error: `the trust list expired at ${list.nextUpdate}; the administrator must sign a new one` };
  return { ok: true, list };
}

/** The list's text without verifying it (for showing a list that failed verification). */
export function trustListText(note: string): string | undefined {
  const parsed = parseNote(note);
  return parsed.ok ? parsed.value.text : undefined;
}

/**
 * A verified trust list, with the questions other modules ask of it: who a region's node is, and
 * whether a key belongs to a member for a given use (an envelope's sender, a checkpoint's log, an
 * e-certificate's issuer), at a given time.
 */
export class TrustRegistry {
  readonly #verifiers = new Map<string, ParsedVerifier>();

  constructor(readonly list: TrustList) {
    for (const member of list.members)
      for (const { key } of member.keys) this.#verifiers.set(key, parseVerifierKey(key));
  }

  get sequence(): number {
    return this.list.sequence;
  }

  /** The member serving `regionCode`, valid or not. */
  member(regionCode: string): FederationMember | undefined {
    return this.list.members.find((m) => m.regionCode === regionCode);
  }

  /** The member serving `regionCode` if its validity has not run out at `at`. */
  activeMember(regionCode: string, at: Date): FederationMember | undefined {
    const member = this.member(regionCode);
    return member && isActive(member, at) ? member : undefined;
  }

  /** The keys of an active member for one use, ready to verify with. */
  keysOf(regionCode: string, use: FederationKeyUse, at: Date): ParsedVerifier[] {
    const member = this.activeMember(regionCode, at);
    if (!member) return [];
    return member.keys
      .filter((k) => k.use === use)
      .map((k) => this.#verifiers.get(k.key))
      .filter((v): v is ParsedVerifier => v !== undefined);
  }

  /**
   * Whether `key` (a signed-note verifier key) is listed for `use` by a member valid at `at`; answers
   * that member. E-certificates ask this of an issuer's key.
   */
  trustedKey(
    key: string,
    use: FederationKeyUse,
    at: Date,
  ): { member: FederationMember; verifier: ParsedVerifier } | undefined {
    const verifier = this.#verifiers.get(key);
    if (!verifier) return undefined;
    const member = this.list.members.find((m) => isActive(m, at) && m.keys.some((k) => k.key === key && k.use === use));
    return member ? { member, verifier } : undefined;
  }
}

function isActive(member: FederationMember, at: Date): boolean {
  return new Date(member.validUntil) > at;
}

/**
 * Where a node gets its trust list from, kept current: the list is read again when asked to reload,
 * and a list with a lower sequence than the one held is refused (no rollback to an older list).
 */
export interface TrustStore {
  current(): TrustRegistry;
  /** Reads the list again; answers an error when the new one is refused (the old one stays). */
  reload(): string | undefined;
}

export function createTrustStore({
  read,
  adminKeys,
  now,
}: {
  read: () => string;
  adminKeys: readonly string[];
  now: () => Date;
}): TrustStore {
  const open = (): TrustRegistry => {
    const checked = verifyTrustList(read(), adminKeys, now());
    if (!checked.ok) throw new TrustListError(checked.error);
    return new TrustRegistry(checked.list);
  };
  let registry = open();
  return {
    current: () => registry,
    reload() {
      try {
        const next = open();
        if (next.sequence < registry.sequence)
          return `the trust list's sequence went back from ${registry.sequence} to ${next.sequence}`;
        registry = next;
        return undefined;
      } catch (error) {
        return (error as Error).message;
      }
    },
  };
}

export class TrustListError extends Error {
  override name = "TrustListError";
}
