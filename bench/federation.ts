// Cross-node hand-overs (跨省通办) between two real node processes on this machine — 福州 hands cases
// to 渭南 — against a local case at 渭南 measured in the same run:
//   - local case: a 渭南 resident files and submits a case at 渭南 (create, save the form, submit);
//   - hand-over request: a 渭南-registered resident living in 福州 applies at 福州 (POST /federation/cases);
//   - hand-over acknowledged: from the message's commit in 福州's outbox to 渭南's signed receipt
//     (the case filed and submitted at 渭南 in between) — the latency a hand-over adds;
//   - throughput: hand-overs acknowledged per second with many in flight, and the CPU each one cost
//     the two node processes (and their PostgreSQL backends), which the machine's load disturbs least,
//     and the CPU this load generator took on the same cores.
// Each node has its own database: an embedded PGlite (the demo's), or a fresh PostgreSQL database each
// (as a real node runs), or one run of each.
//   npx tsx bench/federation.ts [--cases 300] [--burst 2000] [--concurrency 64] [--port 19400]
//                               [--database pglite|postgres|both] [--cpu-prof <folder for the nodes' profiles>]
// PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) must allow CREATE DATABASE.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { idNumberCheckCharacter } from "@tongban/contracts";
import { generate } from "otplib";
import pg from "pg";
import { prepareDemoFederation } from "../apps/server/src/modules/federation/demo-federation.ts";
import { backendCpuSince, databaseBackendsCpu, processCpuSeconds } from "./cpu.ts";

const { values } = parseArgs({
  options: {
    cases: { type: "string", default: "300" },
    burst: { type: "string", default: "2000" },
    concurrency: { type: "string", default: "64" },
    port: { type: "string", default: "19400" },
    database: { type: "string", default: "pglite" },
    // A folder: each node process writes a V8 CPU profile there when it stops (node --cpu-prof).
    "cpu-prof": { type: "string" },
  },
});
const CASES = Number(values.cases);
const BURST = Number(values.burst);
const CONCURRENCY = Number(values.concurrency);
const kinds = (values.database === "both" ? ["pglite", "postgres"] : [values.database]) as ("pglite" | "postgres")[];
if (kinds.some((k) => k !== "pglite" && k !== "postgres")) throw new Error("--database is pglite, postgres or both");
const adminUrl = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const root = new URL("..", import.meta.url).pathname;

async function onPostgres(statement: string) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

type Node = ReturnType<typeof prepareDemoFederation>["nodes"][number];

/** Starts a node process; answers it once it listens. */
function startNode(
  node: Node,
  files: { trustListFile: string; adminKeyFile: string },
  databaseUrl: string,
  children: ChildProcess[],
): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const profile = values["cpu-prof"] ? ["--cpu-prof", "--cpu-prof-dir", values["cpu-prof"]] : [];
    const child = spawn(process.execPath, [...profile, "--import", "tsx", "apps/server/src/main.ts"], {
      cwd: root,
      env: {
        ...process.env,
        PORT: String(node.port),
        DATA_DIR: node.dataDir,
        NODE_REGION: node.regionCode,
        // Each node its own database, whatever the shell says: "" is the embedded one.
        DATABASE_URL: databaseUrl,
        FEDERATION_TRUST_LIST: files.trustListFile,
        FEDERATION_ADMIN_KEY: `@${files.adminKeyFile}`,
        DEMO_PROVIDERS: "false",
        LOG_LEVEL: "warn",
        LOGIN_RATE_LIMIT_PER_MINUTE: "10000",
        // Each node would start the payment sandbox on the same default port.
        PAYMENT_SANDBOX_PORT: "0",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    let output = "";
    child.stdout?.on("data", (chunk) => {
      output += chunk;
      if (output.includes("is running")) resolve(child);
    });
    child.stderr?.on("data", (chunk) => {
      output += chunk;
    });
    child.on("exit", (code) => reject(new Error(`${node.name} exited ${code}: ${output.slice(-1500)}`)));
  });
}

// Keep-alive connections for the load generator's requests. node:http rather than fetch: the
// generator shares the two cores with the nodes it measures, and with fetch (undici, WHATWG streams)
// it took 2.2–2.5 ms of CPU per hand-over of a burst, as much as a node, against 0.55–0.9 ms this
// way (2026-11-29, docs/performance.md); the requests and answers are the same.
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

class Client {
  cookie = "";
  csrf = "";
  constructor(readonly base: string) {}
  call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const payload = body !== undefined ? JSON.stringify(body) : undefined;
    return new Promise<Record<string, unknown>>((resolve, reject) => {
      const request = http.request(
        new URL(path, this.base),
        {
          method,
          agent,
          headers: {
            ...(payload !== undefined
              ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) }
              : {}),
            ...(this.cookie ? { cookie: this.cookie } : {}),
            ...(this.csrf && method !== "GET" ? { "x-csrf-token": this.csrf } : {}),
            ...headers,
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("error", reject);
          response.on("end", () => {
            try {
              const cookie = response.headers["set-cookie"]?.join("; ").match(/tongban\.sid=([^;]*)/);
              if (cookie) this.cookie = `tongban.sid=${cookie[1]}`;
              const json = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
              if (typeof json.csrfToken === "string") this.csrf = json.csrfToken;
              const status = response.statusCode ?? 0;
              if (status >= 300) throw new Error(`${method} ${path}: ${status} ${JSON.stringify(json)}`);
              resolve(json);
            } catch (error) {
              reject(error);
            }
          });
        },
      );
      request.on("error", reject);
      request.end(payload);
    });
  }
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
const summary = (label: string, samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  console.log(
    `${label.padEnd(44)} p50 ${percentile(sorted, 50).toFixed(1).padStart(6)} ms   p99 ${percentile(sorted, 99).toFixed(1).padStart(6)} ms   (n=${sorted.length})`,
  );
};

async function run(kind: "pglite" | "postgres", port: number) {
  const dataDir = mkdtempSync(join(tmpdir(), "tb-bench-federation-"));
  const { nodes, ...files } = prepareDemoFederation({ dataDir, port, host: "127.0.0.1", ledgerSm2: true });
  const [fuzhou, weinan] = nodes as [Node, Node];
  const children: ChildProcess[] = [];
  const databases =
    kind === "postgres" ? [fuzhou, weinan].map((n) => `tongban_bench_fed_${n.regionCode}_${Date.now()}`) : [];
  try {
    for (const name of databases) await onPostgres(`create database ${name}`);
    const urlOf = (i: number) => {
      if (kind === "pglite") return "";
      const url = new URL(adminUrl);
      url.pathname = `/${databases[i]}`;
      return url.toString();
    };
    const [fzProcess, wnProcess] = await Promise.all([
      startNode(fuzhou, files, urlOf(0), children),
      startNode(weinan, files, urlOf(1), children),
    ]);
    await drive(kind, fuzhou, weinan, [fzProcess, wnProcess], databases);
  } finally {
    await Promise.all(
      children.map(
        (child) =>
          new Promise((resolve) => {
            child.removeAllListeners("exit");
            if (child.exitCode !== null) return resolve(undefined);
            child.once("exit", resolve);
            child.kill("SIGTERM");
          }),
      ),
    );
    for (const name of databases) await onPostgres(`drop database if exists ${name} with (force)`).catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** CPU seconds of the two node processes and of their databases' PostgreSQL backends (by backend). */
function cpuNow(processes: ChildProcess[], databases: string[]) {
  return {
    nodes: processes.map((p) => processCpuSeconds(p.pid) ?? Number.NaN),
    databases: databases.map((d) => databaseBackendsCpu(d)),
  };
}

async function drive(
  kind: "pglite" | "postgres",
  fuzhou: Node,
  weinan: Node,
  processes: ChildProcess[],
  databases: string[],
) {
  const accountsOf = (node: Node) =>
    JSON.parse(readFileSync(join(node.dataDir, "demo-accounts.json"), "utf8")) as {
      username: string;
      password: string;
      totpSecret: string | null;
    }[];

  // The applicant at 福州: born and registered in 渭南, so 渭南 is competent for its household certificates.
  const first17 = "61050219920806033";
  const applicant = new Client(fuzhou.url);
  await applicant.call("POST", "/api/v1/auth/register", {
    kind: "resident",
    name: "赵磊",
    idNumber: first17 + idNumberCheckCharacter(first17),
    phone: "13859071268",
    password: "Bench-federation-1",
  });
  const admin = new Client(fuzhou.url);
  const fzAdmin = accountsOf(fuzhou).find((a) => a.username === "fz.admin");
  await admin.call("POST", "/api/v1/auth/login", {
    username: "fz.admin",
    password: fzAdmin?.password,
    totp: await generate({ secret: fzAdmin?.totpSecret as string }),
  });
  // A 渭南 resident at 渭南, for the local case.
  const local = new Client(weinan.url);
  const wang = accountsOf(weinan).find((a) => a.username.startsWith("610502"));
  await local.call("POST", "/api/v1/auth/login", { username: wang?.username, password: wang?.password });

  const form = { certificateKind: "household", subjectRelation: "self", purpose: "employment" };
  const handOver = () => applicant.call("POST", "/api/v1/federation/cases", { serviceCode: "610500-GA-0001", form });
  const fileLocally = async () => {
    const draft = await local.call("POST", "/api/v1/applications", { serviceCode: "610500-GA-0001", channel: "pc" });
    await local.call("PATCH", `/api/v1/applications/${draft.id}`, { form });
    await local.call(
      "POST",
      `/api/v1/applications/${draft.id}/actions`,
      { type: "submit" },
      { "idempotency-key": `bench-${draft.id}` },
    );
  };
  const pending = async () => {
    const peers = (await admin.call("GET", "/api/v1/federation/peers")) as {
      peers: { regionCode: string; pendingMessages: number }[];
    };
    return peers.peers.find((p) => p.regionCode === "610500")?.pendingMessages ?? 0;
  };
  const drain = async () => {
    while ((await pending()) > 0) await new Promise((r) => setTimeout(r, 20));
  };

  // Warm up both paths (catalogue caches, connections, JIT).
  for (let i = 0; i < 20; i++) {
    await fileLocally();
    await handOver();
  }
  await drain();

  // Latency, one at a time, both kinds interleaved so they see the same machine.
  const localMs: number[] = [];
  const requestMs: number[] = [];
  const ackMs: number[] = [];
  for (let i = 0; i < CASES; i++) {
    let t = performance.now();
    await fileLocally();
    localMs.push(performance.now() - t);
    t = performance.now();
    const handed = (await handOver()) as { id: string };
    requestMs.push(performance.now() - t);
    for (;;) {
      const [message] = (await admin.call(
        "GET",
        `/api/v1/federation/messages?direction=sent&subject=${handed.id}&limit=1`,
      )) as unknown as { at: string; deliveredAt: string | null }[];
      if (message?.deliveredAt) {
        ackMs.push(Date.parse(message.deliveredAt) - Date.parse(message.at));
        break;
      }
      // The figure is the two nodes' own timestamps, so polling more often would only take CPU from
      // the nodes being measured on a two-core machine.
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  console.log(
    `\nCross-node hand-overs 福州 → 渭南, two node processes on ${kind === "pglite" ? "PGlite" : "PostgreSQL"} (${CASES} of each, one at a time)`,
  );
  summary("local case at 渭南 (create, form, submit)", localMs);
  summary("hand-over request at 福州", requestMs);
  summary("hand-over acknowledged (outbox → receipt)", ackMs);

  // Throughput: BURST hand-overs with CONCURRENCY requests in flight, until every one is acknowledged.
  let next = 0;
  const cpuBefore = cpuNow(processes, databases);
  // This process drives the burst on the same two cores: its CPU is shown beside the nodes'.
  const benchBefore = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < BURST) {
        next += 1;
        await handOver();
      }
    }),
  );
  const requested = performance.now() - started;
  await drain();
  const acknowledged = performance.now() - started;
  const cpuAfter = cpuNow(processes, databases);
  const benchCpu = process.cpuUsage(benchBefore);
  // Acknowledged means delivered: a message refused for good also leaves the queue.
  const refused = (await admin.call(
    "GET",
    "/api/v1/federation/messages?direction=sent&status=refused&limit=200",
  )) as unknown as unknown[];
  if (refused.length > 0) throw new Error(`${refused.length} hand-overs were refused: ${JSON.stringify(refused[0])}`);
  const perHandover = (before: number[], after: number[]) =>
    after.map((a, i) => (((a - (before[i] as number)) * 1000) / BURST).toFixed(2));
  const [fzCpu, wnCpu] = perHandover(cpuBefore.nodes, cpuAfter.nodes);
  const [fzDb, wnDb] = cpuAfter.databases.map((after, i) =>
    ((backendCpuSince(cpuBefore.databases[i] as Map<string, number>, after) * 1000) / BURST).toFixed(2),
  );
  console.log(
    `\n${BURST} hand-overs, ${CONCURRENCY} in flight: requests ${(BURST / (requested / 1000)).toFixed(0)}/s, ` +
      `acknowledged ${(BURST / (acknowledged / 1000)).toFixed(0)}/s (all acknowledged after ${(acknowledged / 1000).toFixed(1)} s)`,
  );
  console.log(
    `CPU per hand-over: 福州 node ${fzCpu} ms, 渭南 node ${wnCpu} ms` +
      (kind === "postgres"
        ? `; PostgreSQL backends 福州 ${fzDb} ms, 渭南 ${wnDb} ms`
        : " (PGlite runs inside each node)") +
      `; this load generator ${((benchCpu.user + benchCpu.system) / 1000 / BURST).toFixed(2)} ms`,
  );
}

console.log(`Load average before: ${readFileSync("/proc/loadavg", "utf8").trim()}`);
const port = Number(values.port);
for (const [i, kind] of kinds.entries()) {
  try {
    await run(kind, port + 10 * i);
  } catch (error) {
    console.error(error);
    process.exitCode = 1;
  }
}
console.log(`Load average after: ${readFileSync("/proc/loadavg", "utf8").trim()}`);
