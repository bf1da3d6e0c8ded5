// Kills the server with SIGKILL in the middle of a stream of changes and starts it again on the same
// data: every change that was acknowledged must be in the ledger, and the new checkpoint must be
// consistent with the last one published before the crash.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { idNumberCheckCharacter } from "@tongban/contracts";
import { fromBase64, verifyConsistency } from "@tongban/ledger";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";

const root = new URL("../../../../", import.meta.url).pathname;
const port = 18_700 + Math.floor(Math.random() * 200);
const base = `http://127.0.0.1:${port}`;
const dataDir = mkdtempSync(join(tmpdir(), "tb-crash-"));
const env: Record<string, string> = {
  PORT: String(port),
  DATA_DIR: dataDir,
  LOG_LEVEL: "warn",
  LOGIN_RATE_LIMIT_PER_MINUTE: "10000",
  // The demo department systems have nothing to do with this test; without them the starts are quicker.
  DEMO_PROVIDERS: "false",
};
let dropDatabase = async () => {};
let server: ChildProcess | undefined;

function startServer(): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "apps/server/src/main.ts"], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout?.on("data", (chunk) => {
      output += chunk;
      if (output.includes("is running")) resolve(child);
    });
    child.stderr?.on("data", (chunk) => {
      output += chunk;
    });
    child.on("exit", (code, signal) => {
      if (signal !== "SIGKILL" && signal !== "SIGTERM")
        reject(new Error(`server exited ${code}: ${output.slice(-1500)}`));
    });
  });
}

function idNumber(n: number): string {
  const first17 = `350102199${String(n).padStart(8, "0").slice(0, 1)}01${String(10 + (n % 18))}${String(100 + (Math.floor(n / 18) % 900))}`;
  return first17 + idNumberCheckCharacter(first17);
}

const checkpointOf = async () => {
  const lines = (await (await fetch(`${base}/ledger/checkpoint`)).text()).split("\n");
  return { size: Number(lines[1]), root: fromBase64(lines[2] ?? "") as Uint8Array };
};

afterAll(async () => {
  server?.kill("SIGTERM");
  await new Promise((r) => setTimeout(r, 500));
  await dropDatabase();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("ledger after a crash", () => {
  // Two starts of a server process: on a loaded machine that alone can take a minute.
  it("keeps every acknowledged change and stays consistent with the last published checkpoint", {
    timeout: 180_000,
  }, async () => {
    const url = process.env.DATABASE_URL;
    if (url) {
      const name = `tongban_crash_${Date.now()}`;
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`create database ${name}`);
      await admin.end();
      const scoped = new URL(url);
      scoped.pathname = `/${name}`;
      env.DATABASE_URL = scoped.toString();
      dropDatabase = async () => {
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        await c.query(`drop database if exists ${name} with (force)`);
        await c.end();
      };
    }
    server = await startServer();
    await new Promise((r) => setTimeout(r, 1500));
    const before = await checkpointOf();
    expect(before.size).toBeGreaterThan(0);

    const acknowledged: string[] = [];
    let stop = false;
    const writers = Array.from({ length: 6 }, async (_, k) => {
      for (let n = k; !stop; n += 6) {
        try {
          const response = await fetch(`${base}/api/v1/auth/register`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({
              kind: "resident",
              name: "测试者",
              idNumber: idNumber(n),
              phone: "13900000000",
              password: "crash12345",
            }),
          });
          if (response.status === 201) acknowledged.push(((await response.json()) as { user: { id: string } }).user.id);
        } catch {
          return;
        }
      }
    });
    await new Promise((r) => setTimeout(r, 3000));
    server.kill("SIGKILL");
    stop = true;
    await Promise.allSettled(writers);
    expect(acknowledged.length).toBeGreaterThan(5);

    server = await startServer();
    // Wait for the sequencer to integrate what the crash left in the outbox.
    let after = await checkpointOf();
    for (let i = 0; i < 40 && after.size < before.size + acknowledged.length; i++) {
      await new Promise((r) => setTimeout(r, 250));
      after = await checkpointOf();
    }
    const proof = (await (
      await fetch(`${base}/api/v1/ledger/proofs/consistency?from=${before.size}&to=${after.size}`)
    ).json()) as { proof: string[] };
    expect(
      verifyConsistency(
        before.size,
        after.size,
        proof.proof.map((p) => fromBase64(p) as Uint8Array),
        before.root,
        after.root,
      ),
    ).toBe(true);

    const subjects = new Set<string>();
    for (let i = before.size; i < after.size; i++) {
      const entry = (await (await fetch(`${base}/api/v1/ledger/entries/${i}`)).json()) as { entry: string };
      subjects.add(JSON.parse(entry.entry).subject);
    }
    expect(acknowledged.filter((id) => !subjects.has(id))).toEqual([]);
  });
});
