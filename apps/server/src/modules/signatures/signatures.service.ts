// Electronic signatures of deciding officials (GB/T 38540-style: the official's own key signs the
// decision). Each official gets an Ed25519 key at their first decision; its private half is sealed
// with AES-256-GCM under the node's sealing key, so a copy of the database signs nothing.
import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  verify,
} from "node:crypto";
import type { Db } from "../../db/database.ts";
import type { Clock, KeyStore } from "../../ports/index.ts";

export interface DecisionSignature {
  algorithm: "Ed25519";
  /** The official's public key, base64 of the raw 32 bytes. */
  publicKey: string;
  /** Exactly the bytes that were signed (canonical JSON of the decision). */
  signedContent: string;
  /** base64 of the 64-byte signature. */
  value: string;
}

function seal(key: Buffer, plaintext: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64");
}

function unseal(key: Buffer, sealed: string): Buffer {
  const raw = Buffer.from(sealed, "base64");
  const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]);
}

const rawPublicKey = (spkiDer: Buffer) => spkiDer.subarray(spkiDer.length - 32).toString("base64");

export function verifyDecisionSignature(signature: DecisionSignature): boolean {
  try {
    const spki = Buffer.concat([
      Buffer.from("302a300506032b6570032100", "hex"),
      Buffer.from(signature.publicKey, "base64"),
    ]);
    const key = createPublicKey({ key: spki, format: "der", type: "spki" });
    return verify(null, Buffer.from(signature.signedContent, "utf8"), key, Buffer.from(signature.value, "base64"));
  } catch {
    return false;
  }
}

export function createSignaturesService({ clock, keys }: { clock: Clock; keys: KeyStore }) {
  const sealingKey = Buffer.from(
    keys.getOrCreate("signing-seal-key", () => randomBytes(32).toString("hex")),
    "hex",
  );

  async function keyFor(trx: Db, accountId: string) {
    const row = await trx.selectFrom("signing_keys").selectAll().where("account_id", "=", accountId).executeTakeFirst();
    if (row) {
      return {
        publicKey: row.public_key,
        privateKey: createPrivateKey({ key: unseal(sealingKey, row.sealed_private_key), format: "der", type: "pkcs8" }),
      };
    }
    const pair = generateKeyPairSync("ed25519");
    const publicKey = rawPublicKey(pair.publicKey.export({ format: "der", type: "spki" }));
    const pkcs8 = pair.privateKey.export({ format: "der", type: "pkcs8" });
    await trx
      .insertInto("signing_keys")
      .values({
        account_id: accountId,
        algorithm: "Ed25519",
        public_key: publicKey,
        sealed_private_key: seal(sealingKey, pkcs8),
        created_at: clock.now(),
      })
      .execute();
    return { publicKey, privateKey: pair.privateKey };
  }

  return {
    /** Signs `content` (already canonical) as the official, in the caller's transaction. */
    async sign(trx: Db, accountId: string, content: string): Promise<DecisionSignature> {
      const { publicKey, privateKey } = await keyFor(trx, accountId);
      const value = sign(null, Buffer.from(content, "utf8"), privateKey).toString("base64");
      return { algorithm: "Ed25519", publicKey, signedContent: content, value };
    },
    verify: verifyDecisionSignature,
  };
}
export type SignaturesService = ReturnType<typeof createSignaturesService>;
