// The signed-request protocol between the exchange gateway and department systems (docs/exchange.md).
// The gateway signs each request with its Ed25519 key over the method, the path, the date, the body's
// digest (RFC 9530 Content-Digest) and a request id; a department system holds only the public key,
// and refuses unsigned, stale, altered, forged and replayed requests.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from "node:crypto";

export const SCHEME = "Tongban-Ed25519";
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
  return `sha-256=:${createHash("sha256").update(body).digest("base64")}:`;
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

export type VerifyFailure =
  | "UNSIGNED"
  | "BAD_AUTHORIZATION"
  | "UNKNOWN_KEY"
  | "STALE_DATE"
  | "DIGEST_MISMATCH"
  | "BAD_SIGNATURE"
  | "REPLAYED";

export type VerifyResult = { ok: true; keyId: string } | { ok: false; reason: VerifyFailure };

export interface TrustedKey {
  keyId: string;
  /** Raw 32-byte Ed25519 public key, base64. */
  publicKey: string;
}

const AUTHORIZATION = new RegExp(`^${SCHEME} keyId="([\\w.-]{1,64})", signature="([A-Za-z0-9+/=]{1,200})"$`);

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
      const match = AUTHORIZATION.exec(authorization);
      if (!match || !/^[\w-]{8,64}$/.test(requestId)) return { ok: false, reason: "BAD_AUTHORIZATION" };
      const [, keyId, signature] = match as unknown as [string, string, string];
      const key = keys.get(keyId);
      if (!key) return { ok: false, reason: "UNKNOWN_KEY" };
      const at = now();
      const sent = Date.parse(date);
      if (Number.isNaN(sent) || Math.abs(at - sent) > maxSkew) return { ok: false, reason: "STALE_DATE" };
      if (contentDigest(request.body) !== digest) return { ok: false, reason: "DIGEST_MISMATCH" };
      const data = signingString({ method: request.method, path: request.path, date, digest, requestId });
      if (!verify(null, Buffer.from(data, "utf8"), key, Buffer.from(signature, "base64"))) {
        return { ok: false, reason: "BAD_SIGNATURE" };
      }
      // Only a verified request counts as seen: a forger cannot burn a real request's id.
      if (seen.has(requestId) && (seen.get(requestId) as number) >= at) return { ok: false, reason: "REPLAYED" };
      remember(requestId, at);
      return { ok: true, keyId };
    },
    /** How many request ids are remembered now. */
    remembered: () => seen.size,
  };
}
