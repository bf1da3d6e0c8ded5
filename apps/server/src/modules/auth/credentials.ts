import { hash, verify } from "@node-rs/argon2";
import { generateSecret, generateURI, verify as verifyTotp } from "otplib";
import QRCode from "qrcode";

// OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane.
// (`algorithm: 2` is Algorithm.Argon2id; the enum is a const enum that isolated modules cannot read.)
const ARGON2 = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

// Verified when an account does not exist, so a wrong account costs as much time as a wrong password.
let decoyHash: Promise<string> | undefined;
export async function spendPasswordTime(password: string): Promise<void> {
  decoyHash ??= hashPassword("decoy-password-never-matches-1");
  await verifyPassword(await decoyHash, password);
}

export function newTotpSecret(): string {
  return generateSecret();
}

export function totpUri(secret: string, account: string, issuer: string): string {
  return generateURI({ issuer, label: account, secret });
}

export function totpQrSvg(uri: string): Promise<string> {
  return QRCode.toString(uri, { type: "svg", errorCorrectionLevel: "M", margin: 1 });
}

/**
 * Checks a six-digit code at `now`, allowing one step of clock drift backwards, and never
 * accepting a step at or before the last one used (RFC 6238 §5.2: no second use of a code).
 * Answers the accepted time step, or undefined.
 */
export async function checkTotp(
  secret: string,
  token: string,
  now: Date,
  lastStep: number | null,
): Promise<number | undefined> {
  const result = await verifyTotp({
    secret,
    token,
    epoch: Math.floor(now.getTime() / 1000),
    epochTolerance: [30, 0],
    ...(lastStep !== null ? { afterTimeStep: lastStep } : {}),
  });
  return result.valid ? (result as { timeStep: number }).timeStep : undefined;
}
