// The signed-request protocol between the exchange gateway and department systems (docs/exchange.md).
// The gateway signs each request with its Ed25519 key over the method, the path, the date, the body's
// digest (RFC 9530 Content-Digest) and a request id; a department system holds only the public key,
// and refuses unsigned, stale, altered, forged and replayed requests.
//
// Two schemes (ADR 0006): `Tongban-Ed25519`, one signature per request, and `Tongban-Ed25519-Tree`,
// one signature over the root of a hash tree (RFC 9162 §2.1) of the requests to one system gathered in
// the same moment, each request carrying its inclusion path. A system accepts both; the gateway uses
// the tree scheme with a system that says it accepts it.

import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  hash,
  type KeyObject,
  sign,
  verify,
} from "node:crypto";
import { leafHash, nodeHash, rootFromInclusionProof } from "@tongban/ledger/core";

export const SCHEME = "Tongban-Ed25519";
export const TREE_SCHEME = "Tongban-Ed25519-Tree";
/** A department system's answers carry this header, naming the schemes it accepts besides `SCHEME`. */
export const ACCEPT_SIGNATURE = "x-tongban-accept-signature";
/** The most requests under one tree signature; more wait for the next. */
export const MAX_TREE_SIZE = 1024;
// Labels that keep a tree's leaves and its signed statement apart from everything else the key signs
// or hashes: a per-request signing string begins with an HTTP method, a ledger entry is JSON.
const LEAF_LABEL = "tongban-exchange-request-v1\n";
const ROOT_LABEL = "tongban-exchange-tree-v1\n";
/** How far a request's Date may be from the receiver's clock, either way. */
export const MAX_SKEW_MS = 5 * 60_000;

export interface GatewaySigner {
  keyId: string;
  /** The raw 32-byte public key, base64. */
  publicKey: string;
  sign(data: string): string;
}

/** A new Ed25519 private key as base64 PKCS#8 DER, for the key store. */
export function generateGatewayKey(): string {
  const { privateKey } = generateKeyPairSync("ed25519");
  return privateKey.export({ format: "der", type: "pkcs8" }).toString("base64");
}

function rawPublicKey(key: KeyObject): Buffer {
  const jwk = key.export({ format: "jwk" }) as { x: string };
  return Buffer.from(jwk.x, "base64url");
}

/** A key's id: a fingerprint of the public key, so a receiver can hold several (key rotation). */
export function keyIdOf(publicKey: string): string {
  return `tb-gw-${createHash("sha256").update(Buffer.from(publicKey, "base64")).digest("hex").slice(0, 16)}`;
}

export function gatewaySigner(pkcs8Base64: string): GatewaySigner {
  const privateKey = createPrivateKey({ key: Buffer.from(pkcs8Base64, "base64"), format: "der", type: "pkcs8" });
  const publicKey = rawPublicKey(createPublicKey(privateKey)).toString("base64");
  return {
    keyId: keyIdOf(publicKey),
    publicKey,
    sign: (data) => sign(null, Buffer.from(data, "utf8"), privateKey).toString("base64"),
  };
}

/** RFC 9530 Content-Digest of a body: `sha-256=:<base64>:`. */
export function contentDigest(body: string | Uint8Array): string {
  return `sha-256=:${hash("sha256", body, "base64")}:`;
}

/** The exact bytes signed: one line each, in this order, with no trailing newline. */
export function signingString(parts: {
  method: string;
  path: string;
  date: string;
  digest: string;
  requestId: string;
}): string {
  return [parts.method.toUpperCase(), parts.path, parts.date, parts.digest, parts.requestId].join("\n");
}

/** The headers that sign a request to `path` (with its query string) carrying `body`. */
export function signRequest(
  signer: GatewaySigner,
  request: { method: string; path: string; body: string; requestId: string; now: Date },
): Record<string, string> {
  const date = request.now.toUTCString();
  const digest = contentDigest(request.body);
  const signature = signer.sign(signingString({ ...request, date, digest }));
  return {
    date,
    "content-digest": digest,
    "x-tongban-request-id": request.requestId,
    authorization: `${SCHEME} keyId="${signer.keyId}", signature="${signature}"`,
  };
}

/**
 * The leaf of a request in a tree: SHA-256(0x00 ‖ label ‖ signing string) — the same method, path,
 * date, digest and request id a per-request signature covers, under a label of its own.
 */
export function treeLeaf(parts: Parameters<typeof signingString>[0]): Uint8Array {
  return leafHash(Buffer.from(LEAF_LABEL + signingString(parts), "utf8"));
}

/** The bytes signed for a tree: its label, its size and its root, one per line. */
export function treeStatement(size: number, root: Uint8Array): string {
  return `${ROOT_LABEL}${size}\n${Buffer.from(root).toString("base64")}`;
}

/**
 * The RFC 9162 §2.1.1 root of these leaves and each leaf's inclusion path (§2.1.3.1, lowest level
 * first), in one pass: n − 1 node hashes for the root, each sibling handed to the leaves below it.
 */
export function buildTree(leaves: readonly Uint8Array[]): { root: Uint8Array; paths: Uint8Array[][] } {
  if (leaves.length === 0) throw new RangeError("a tree needs at least one leaf");
  const paths: Uint8Array[][] = leaves.map(() => []);
  const subtree = (start: number, end: number): Uint8Array => {
    if (end - start === 1) return leaves[start] as Uint8Array;
    let k = 1;
    while (k * 2 < end - start) k *= 2; // the largest power of two below the size
    const left = subtree(start, start + k);
    const right = subtree(start + k, end);
    for (let i = start; i < start + k; i++) paths[i]?.push(right);
    for (let i = start + k; i < end; i++) paths[i]?.push(left);
    return nodeHash(left, right);
  };
  return { root: subtree(0, leaves.length), paths };
}

interface Pending {
  leaf: Uint8Array;
  headers: Record<string, string>;
  resolve: (headers: Record<string, string>) => void;
  reject: (error: unknown) => void;
}

/**
 * The gateway's side of the tree scheme: `sign(system, request)` answers the request's headers once
 * the tree holding it is signed. Requests for one system that arrive in the same turn of the event
 * loop share one tree and one signature — the first opens it and it is signed when the turn ends
 * (`setImmediate`), so a request alone waits for nothing but the rest of its own turn. Under load, the
 * requests read from many connections in one turn go together, and a batch grows with the load.
 */
export function treeSigner(signer: GatewaySigner, options: { maxTreeSize?: number } = {}) {
  const maxSize = options.maxTreeSize ?? MAX_TREE_SIZE;
  const open = new Map<string, Pending[]>();
  let trees = 0;
  let signedRequests = 0;

  function seal(system: string) {
    const all = open.get(system) ?? [];
    open.delete(system);
    for (let from = 0; from < all.length; from += maxSize) {
      const batch = all.slice(from, from + maxSize);
      let signed: { paths: Uint8Array[][]; signature: string };
      try {
        const { root, paths } = buildTree(batch.map((p) => p.leaf));
        signed = { paths, signature: signer.sign(treeStatement(batch.length, root)) };
      } catch (error) {
        // A tree that cannot be signed fails its requests (they would otherwise wait for ever).
        for (const pending of batch) pending.reject(error);
        continue;
      }
      const { paths, signature } = signed;
      trees++;
      signedRequests += batch.length;
      for (const [index, pending] of batch.entries()) {
        const path = (paths[index] ?? []).map((h) => Buffer.from(h).toString("base64")).join(",");
        pending.resolve({
          ...pending.headers,
          authorization: `${TREE_SCHEME} keyId="${signer.keyId}", size=${batch.length}, index=${index}, path="${path}", signature="${signature}"`,
        });
      }
    }
  }

  return {
    sign(
      system: string,
      request: { method: string; path: string; body: string; requestId: string; now: Date },
    ): Promise<Record<string, string>> {
      const date = request.now.toUTCString();
      const digest = contentDigest(request.body);
      const leaf = treeLeaf({ ...request, date, digest });
      const headers = { date, "content-digest": digest, "x-tongban-request-id": request.requestId };
      return new Promise((resolve, reject) => {
        let pending = open.get(system);
        if (!pending) {
          pending = [];
          open.set(system, pending);
          setImmediate(seal, system);
        }
        pending.push({ leaf, headers, resolve, reject });
      });
    },
    /** Trees signed and the requests they covered, since the start. */
    stats: () => ({ trees, requests: signedRequests }),
  };
}
export type TreeSigner = ReturnType<typeof treeSigner>;

export type VerifyFailure =
  | "UNSIGNED"
  | "BAD_AUTHORIZATION"
  | "UNKNOWN_KEY"
  | "STALE_DATE"
  | "DIGEST_MISMATCH"
  | "BAD_SIGNATURE"
  | "BAD_PATH"
  | "REPLAYED";

export type VerifyResult = { ok: true; keyId: string } | { ok: false; reason: VerifyFailure };

export interface TrustedKey {
  keyId: string;
  /** Raw 32-byte Ed25519 public key, base64. */
  publicKey: string;
}

const AUTHORIZATION = new RegExp(`^${SCHEME} keyId="([\\w.-]{1,64})", signature="([A-Za-z0-9+/=]{1,200})"$`);
// A path holds at most log2(MAX_TREE_SIZE) = 10 hashes; a few more are let through to fail as BAD_PATH.
const TREE_AUTHORIZATION = new RegExp(
  `^${TREE_SCHEME} keyId="([\\w.-]{1,64})", size=([1-9]\\d{0,5}), index=(0|[1-9]\\d{0,5}), path="((?:[A-Za-z0-9+/]{43}=)(?:,[A-Za-z0-9+/]{43}=){0,15})?", signature="([A-Za-z0-9+/=]{1,200})"$`,
);
/** How many verified tree roots a system keeps, so the next requests under one need no signature check. */
const VERIFIED_ROOTS = 4096;

/**
 * A department system's check of incoming requests. Request ids seen within the allowed skew are
 * remembered, so a captured request cannot be sent again.
 */
export function requestVerifier(options: { trusted: TrustedKey[]; now?: () => number; maxSkewMs?: number }) {
  const keys = new Map<string, KeyObject>(
    options.trusted.map((k) => [
      k.keyId,
      createPublicKey({
        key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(k.publicKey, "base64").toString("base64url") },
        format: "jwk",
      }),
    ]),
  );
  const now = options.now ?? Date.now;
  const maxSkew = options.maxSkewMs ?? MAX_SKEW_MS;
  // Request id → until when it is remembered. Ids are remembered in the order they arrive, which is
  // the order they expire in, so forgetting starts at the front and stops at the first one still due:
  // a constant cost per request, where sweeping the whole map once it held 50,000 ids cost every
  // request a pass over all of them (a system under 3,000 queries a second got there in 17 s, and each
  // id is kept 10 minutes). A clock that steps back only delays forgetting; nothing is forgotten early.
  const seen = new Map<string, number>();

  // Tree roots whose signature verified: keyId, size, root and signature → true. Each later request
  // under the same root costs a few SHA-256s instead of an Ed25519 verification. Bounded: the oldest
  // is forgotten first, and a forgotten root is simply verified again.
  const verifiedRoots = new Set<string>();
  let signatureChecks = 0;

  /** Checks a tree-signed request's path to a root and that root's signature; answers the failure. */
  function verifyTreeSignature(
    keyId: string,
    key: KeyObject,
    parts: Parameters<typeof signingString>[0],
    match: RegExpExecArray,
  ): VerifyFailure | undefined {
    const size = Number(match[2]);
    const index = Number(match[3]);
    const path = match[4] ? match[4].split(",").map((h) => Buffer.from(h, "base64")) : [];
    const signature = match[5] as string;
    if (size > MAX_TREE_SIZE || index >= size) return "BAD_PATH";
    const root = rootFromInclusionProof(treeLeaf(parts), index, size, path);
    if (!root) return "BAD_PATH";
    const remembered = `${keyId} ${size} ${Buffer.from(root).toString("base64")} ${signature}`;
    if (verifiedRoots.has(remembered)) return undefined;
    signatureChecks++;
    const statement = Buffer.from(treeStatement(size, root), "utf8");
    if (!verify(null, statement, key, Buffer.from(signature, "base64"))) return "BAD_SIGNATURE";
    if (verifiedRoots.size >= VERIFIED_ROOTS) {
      verifiedRoots.delete(verifiedRoots.values().next().value as string);
    }
    verifiedRoots.add(remembered);
    return undefined;
  }

  function remember(requestId: string, at: number) {
    for (const [id, until] of seen) {
      if (until >= at) break;
      seen.delete(id);
    }
    seen.set(requestId, at + 2 * maxSkew);
  }

  return {
    verify(request: {
      method: string;
      path: string;
      headers: Record<string, string | string[] | undefined>;
      body: string | Uint8Array;
    }): VerifyResult {
      const header = (name: string) => {
        const value = request.headers[name];
        return Array.isArray(value) ? value[0] : value;
      };
      const authorization = header("authorization");
      const date = header("date");
      const digest = header("content-digest");
      const requestId = header("x-tongban-request-id");
      if (!authorization || !date || !digest || !requestId) return { ok: false, reason: "UNSIGNED" };
      const tree = authorization.startsWith(`${TREE_SCHEME} `) ? TREE_AUTHORIZATION.exec(authorization) : null;
      const match = tree ?? AUTHORIZATION.exec(authorization);
      if (!match || !/^[\w-]{8,64}$/.test(requestId)) return { ok: false, reason: "BAD_AUTHORIZATION" };
      const keyId = match[1] as string;
      const key = keys.get(keyId);
      if (!key) return { ok: false, reason: "UNKNOWN_KEY" };
      const at = now();
      const sent = Date.parse(date);
      if (Number.isNaN(sent) || Math.abs(at - sent) > maxSkew) return { ok: false, reason: "STALE_DATE" };
      if (contentDigest(request.body) !== digest) return { ok: false, reason: "DIGEST_MISMATCH" };
      const parts = { method: request.method, path: request.path, date, digest, requestId };
      if (tree) {
        const failure = verifyTreeSignature(keyId, key, parts, tree);
        if (failure) return { ok: false, reason: failure };
      } else {
        signatureChecks++;
        const signature = Buffer.from(match[2] as string, "base64");
        if (!verify(null, Buffer.from(signingString(parts), "utf8"), key, signature)) {
          return { ok: false, reason: "BAD_SIGNATURE" };
        }
      }
      // Only a verified request counts as seen: a forger cannot burn a real request's id.
      if (seen.has(requestId) && (seen.get(requestId) as number) >= at) return { ok: false, reason: "REPLAYED" };
      remember(requestId, at);
      return { ok: true, keyId };
    },
    /** Ed25519 verifications made since the start (a tree's root is verified once for all its requests). */
    signatureChecks: () => signatureChecks,
    /** How many request ids are remembered now. */
    remembered: () => seen.size,
  };
}
