// The browser-safe part of @tongban/ledger: no node:crypto, no SM2 library, no I/O. SHA-256 comes
// from "#sha256", which resolves to node:crypto under Node and to a pure implementation elsewhere.

export { sha256, sha256Implementation } from "#sha256";
export { type AuditOptions, type AuditReport, type AuditSource, auditTiles } from "./audit.ts";
export { bytesEqual, concatBytes, fromBase64, fromHex, toBase64, toHex, utf8Decode, utf8Encode } from "./bytes.ts";
export {
  type Checkpoint,
  formatCheckpoint,
  parseCheckpoint,
  signCheckpoint,
  type VerifyCheckpointResult,
  verifyCheckpoint,
  verifyCheckpointAsync,
} from "./checkpoint.ts";
export { MerkleFrontier } from "./frontier.ts";
export { MemoryLog, type MemoryLogOptions } from "./memory-log.ts";
export {
  consistencyProof,
  emptyRootHash,
  HASH_SIZE,
  inclusionProof,
  leafHash,
  nodeHash,
  rootFromInclusionProof,
  rootHash,
  verifyConsistency,
  verifyInclusion,
} from "./merkle.ts";
export {
  type AsyncNoteVerifier,
  computeKeyId,
  formatKeyId,
  formatSignatureLine,
  isValidKeyName,
  MAX_NOTE_SIGNATURES,
  type NoteSignature,
  type NoteSigner,
  type NoteVerifier,
  type ParsedNote,
  parseNote,
  signNote,
  type VerifyNoteFailure,
  type VerifyNoteResult,
  verifyNote,
  verifyNoteAsync,
} from "./note.ts";
export {
  completeSubtrees,
  consistencyProofRanges,
  inclusionProofRanges,
  type LeafRange,
  type SubtreeNode,
} from "./proof-plan.ts";
export type { Result } from "./result.ts";
export {
  consistencyProofFromStore,
  frontierFromStore,
  type HashReader,
  inclusionProofFromStore,
  splitStoredHashIndex,
  storedHashCount,
  storedHashesForBatch,
  storedHashesForRecord,
  storedHashIndex,
  treeHashFromStore,
} from "./stored.ts";
export {
  entryBundlePath,
  formatEntryBundle,
  MAX_BUNDLED_ENTRY_SIZE,
  MAX_TILE_LEVEL,
  MalformedTileError,
  newTiles,
  parseEntryBundle,
  parseTilePath,
  readTileData,
  TILE_HEIGHT,
  TILE_WIDTH,
  type Tile,
  type TileAddress,
  type TileFetcher,
  tileHashes,
  tileHashReader,
  tilePath,
  tilesForSize,
  tileWidth,
} from "./tiles.ts";
export {
  type Ed25519VerifierKey,
  type EntryInclusionFailure,
  type EntryInclusionInput,
  type EntryInclusionResult,
  parseEd25519VerifierKey,
  type SubtleVerify,
  verifyEntryInclusion,
  webCryptoEd25519Verifier,
} from "./webcrypto.ts";
