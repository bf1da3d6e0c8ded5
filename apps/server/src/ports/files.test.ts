import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { localDiskFileStore, sha256Hex } from "./files.ts";

describe("local disk file store", () => {
  it("stores by SHA-256 and reads back the same bytes", async () => {
    const store = localDiskFileStore(mkdtempSync(join(tmpdir(), "tb-files-")));
    const content = new TextEncoder().encode("结婚登记声明");
    const sha = await store.put(content);
    expect(sha).toBe(sha256Hex(content));
    expect(Buffer.from((await store.get(sha)) ?? []).toString()).toBe("结婚登记声明");
  });

  it("takes many concurrent uploads of the same content", async () => {
    const store = localDiskFileStore(mkdtempSync(join(tmpdir(), "tb-files-")));
    const content = new Uint8Array(100_000).fill(7);
    const shas = await Promise.all(Array.from({ length: 50 }, () => store.put(content)));
    expect(new Set(shas).size).toBe(1);
    expect((await store.get(shas[0] as string))?.length).toBe(100_000);
  });

  it("answers nothing for unknown or malformed names", async () => {
    const store = localDiskFileStore(mkdtempSync(join(tmpdir(), "tb-files-")));
    expect(await store.get("0".repeat(64))).toBeUndefined();
    expect(await store.get("../../etc/passwd")).toBeUndefined();
  });
});
