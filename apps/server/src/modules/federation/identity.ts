// A node's federation keys, generated into its key store (<DATA_DIR>/keys) at the first start, as
// the ledger keys are: the node key signs envelopes and receipts, the witness key (C2SP
// cosignature/v1) cosigns the peers' ledger checkpoints.
import { generateNoteKey, type ParsedSigner, parseSignerKey } from "@tongban/ledger";
import type { KeyStore } from "../../ports/index.ts";

export interface NodeIdentity {
  regionCode: string;
  node: ParsedSigner;
  witness: ParsedSigner;
}

export const nodeKeyName = (regionCode: string) => `tongban-node-${regionCode}`;
export const witnessKeyName = (regionCode: string) => `tongban-witness-${regionCode}`;

export function nodeIdentity(keys: KeyStore, regionCode: string): NodeIdentity {
  const load = (file: string, name: string, type: "ed25519" | "cosignature/v1") => {
    const pair = JSON.parse(keys.getOrCreate(file, () => JSON.stringify(generateNoteKey(name, type)))) as {
      signerKey: string;
    };
    return parseSignerKey(pair.signerKey);
  };
  return {
    regionCode,
    node: load("federation-node-key", nodeKeyName(regionCode), "ed25519"),
    witness: load("federation-witness-key", witnessKeyName(regionCode), "cosignature/v1"),
  };
}
