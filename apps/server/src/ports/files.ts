import { createHash, randomBytes } from "node:crypto";
import { access, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * Where uploaded materials are kept, addressed by their SHA-256. The local-disk adapter serves the
 * demo and single-node deployments; an object-store adapter can take its place behind this port.
 */
export interface FileStore {
  put(content: Uint8Array): Promise<string>;
  get(sha256: string): Promise<Uint8Array | undefined>;
}

export const sha256Hex = (content: Uint8Array) => createHash("sha256").update(content).digest("hex");

export function localDiskFileStore(root: string): FileStore {
  const pathOf = (sha: string) => join(root, sha.slice(0, 2), sha);
  return {
    async put(content) {
      const sha = sha256Hex(content);
      const path = pathOf(sha);
      // Same content, same name: a file already stored needs no second write.
      if (
        await access(path).then(
          () => true,
          () => false,
        )
      )
        return sha;
      await mkdir(join(root, sha.slice(0, 2)), { recursive: true });
      // Write then rename, so a crash never leaves a half-written file under its final name; the
      // random part keeps concurrent uploads of the same content from sharing a temporary file.
      const temporary = `${path}.${randomBytes(6).toString("hex")}.tmp`;
      await writeFile(temporary, content, { mode: 0o600 });
      await rename(temporary, path);
      return sha;
    },
    async get(sha) {
      if (!/^[0-9a-f]{64}$/.test(sha)) return undefined;
      try {
        return new Uint8Array(await readFile(pathOf(sha)));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw error;
      }
    },
  };
}

export function memoryFileStore(): FileStore {
  const files = new Map<string, Uint8Array>();
  return {
    async put(content) {
      const sha = sha256Hex(content);
      files.set(sha, content);
      return sha;
    },
    async get(sha) {
      return files.get(sha);
    },
  };
}
