// SM2 digital signatures (GB/T 32918.2-2016) through sm-crypto-v2 (sm-crypto's API on @noble/curves'
// arithmetic: a signature takes about half a millisecond where sm-crypto's big integers took 25, which
// mattered because the sequencer signs every checkpoint on the event loop). Node's own SM2 cannot set the
// distinguishing identifier, which enters the signed digest: e = SM3(Z_A ‖ M) with
// Z_A = SM3(ENTL ‖ ID ‖ a ‖ b ‖ x_G ‖ y_G ‖ x_A ‖ y_A). Keys and signatures are raw bytes here:
// public keys as the 65-byte uncompressed point 04‖x‖y, signatures as the 64-byte r‖s.
import { sm2 } from "sm-crypto-v2";
import { fromHex, toHex } from "../bytes.ts";

/** The default distinguishing identifier of GM/T 0009-2012 / GB/T 35276-2017 (and of every SM2 library). */
export const SM2_DEFAULT_USER_ID = "1234567812345678";
export const SM2_PRIVATE_KEY_SIZE = 32;
export const SM2_PUBLIC_KEY_SIZE = 65;
export const SM2_SIGNATURE_SIZE = 64;

// GB/T 32918.5-2017 curve order n: private keys must lie in [1, n − 2].
const CURVE_ORDER = 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n;

export interface Sm2KeyPair {
  readonly privateKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** GB/T 32918.1-2016 §6.1 key pair generation on the GB/T 32918.5 recommended curve. */
export function generateSm2KeyPair(): Sm2KeyPair {
  const pair = sm2.generateKeyPairHex();
  return { privateKey: hexBytes(pair.privateKey.padStart(64, "0")), publicKey: hexBytes(pair.publicKey) };
}

/** GB/T 32918.1-2016 §6.1: d must lie in [1, n − 2]. */
export function isValidSm2PrivateKey(privateKey: Uint8Array): boolean {
  if (privateKey.length !== SM2_PRIVATE_KEY_SIZE) return false;
  const d = BigInt(`0x${toHex(privateKey)}`);
  return d >= 1n && d <= CURVE_ORDER - 2n;
}

/** GB/T 32918.1-2016 §6.2 public key validation, for the uncompressed encoding 04‖x‖y. */
export function isValidSm2PublicKey(publicKey: Uint8Array): boolean {
  if (publicKey.length !== SM2_PUBLIC_KEY_SIZE || publicKey[0] !== 0x04) return false;
  try {
    return sm2.verifyPublicKey(toHex(publicKey));
  } catch {
    // The library throws for a point off the curve; that is an invalid key, not an error.
    return false;
  }
}

/** GB/T 32918.1-2016 §6.1: P = [d]G, as the uncompressed point 04‖x‖y. */
export function sm2PublicKey(privateKey: Uint8Array): Uint8Array {
  if (!isValidSm2PrivateKey(privateKey)) throw new RangeError("not an SM2 private key");
  return hexBytes(sm2.getPublicKeyFromPrivateKey(toHex(privateKey)));
}

/**
 * GB/T 32918.2-2016 §6.1 signature of `message` with distinguishing ID `userId`, as r‖s. The public
 * key enters Z_A; give it when known (it must be the private key's) to spare a scalar multiplication.
 */
export function sm2Sign(
  privateKey: Uint8Array,
  message: Uint8Array,
  userId: string = SM2_DEFAULT_USER_ID,
  publicKey: Uint8Array = sm2PublicKey(privateKey),
): Uint8Array {
  if (!isValidSm2PrivateKey(privateKey)) throw new RangeError("not an SM2 private key");
  const signature = sm2.doSignature(message, toHex(privateKey), {
    hash: true,
    der: false,
    publicKey: toHex(publicKey),
    userId,
  });
  return hexBytes(signature);
}

/** GB/T 32918.2-2016 §7.1 verification of an r‖s signature; false, never an exception, on bad input. */
export function sm2Verify(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
  userId: string = SM2_DEFAULT_USER_ID,
): boolean {
  if (signature.length !== SM2_SIGNATURE_SIZE || !isValidSm2PublicKey(publicKey)) return false;
  try {
    return (
      sm2.doVerifySignature(message, toHex(signature), toHex(publicKey), {
        hash: true,
        der: false,
        userId,
      }) === true
    );
  } catch {
    return false;
  }
}

function hexBytes(hex: string): Uint8Array {
  const bytes = fromHex(hex);
  if (bytes === undefined) throw new Error("sm-crypto-v2 returned malformed hex");
  return bytes;
}
