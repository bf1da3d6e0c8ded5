import { randomBytes, randomUUID } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Ports passed into buildApp: production passes these, tests pass fakes of the same shape. */
export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

export interface Ids {
  uuid(): string;
  /** An unguessable token of `bytes` random bytes, base64url. */
  token(bytes?: number): string;
}
export const randomIds: Ids = {
  uuid: () => randomUUID(),
  token: (bytes = 32) => randomBytes(bytes).toString("base64url"),
};

/** Secrets the node generates once and keeps: session signing, later the ledger keys. */
export interface KeyStore {
  getOrCreate(name: string, create: () => string): string;
}

/** Keeps each key as a file readable only by the owner under `<DATA_DIR>/keys/`. */
export function fileKeyStore(dataDir: string): KeyStore {
  const dir = join(dataDir, "keys");
  return {
    getOrCreate(name, create) {
      if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`bad key name ${name}`);
      const path = join(dir, name);
      if (existsSync(path)) return readFileSync(path, "utf8").trim();
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const value = create();
      writeFileSync(path, `${value}\n`, { mode: 0o600, flag: "wx" });
      chmodSync(path, 0o600);
      return value;
    },
  };
}

export function memoryKeyStore(): KeyStore {
  const keys = new Map<string, string>();
  return {
    getOrCreate(name, create) {
      let value = keys.get(name);
      if (value === undefined) {
        value = create();
        keys.set(name, value);
      }
      return value;
    },
  };
}
