// Exchange-gateway queries per second (session, grant check, rate limit, signed call to the department
// system, answer check, masking, access record and ledger outbox row in one transaction) beside direct
// signed calls to the same department system, measured in the same run; on PGlite and PostgreSQL.
//   npx tsx bench/exchange.ts [--connections 50] [--seconds 10] [--samples 2000] [--only pglite|postgres]
//     [--port 18500 --provider-port 18600] (the server's port and the first of the department systems' four)
//     [--profile <dir>] (V8 CPU profiles of the server and the department systems, written to <dir> when they stop)
//     [--servers N] (PostgreSQL: N server processes on the one database, on ports port … port+N−1, the
//     load spread evenly over them; the first starts the department systems; one at a time uses the first)
// PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) must allow CREATE DATABASE.
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { generate } from "otplib";
import pg from "pg";
import { gatewaySigner, signRequest } from "../apps/server/src/modules/exchange/signing.ts";

const { values } = parseArgs({
  options: {
    connections: { type: "string", default: "50" },
    seconds: { type: "string", default: "10" },
    samples: { type: "string", default: "2000" },
    only: { type: "string" },
    port: { type: "string" },
    "provider-port": { type: "string" },
    profile: { type: "string" },
    servers: { type: "string", default: "1" },
  },
});
const SERVERS = Number(values.servers);
const CONNECTIONS = Number(values.connections);
const SECONDS = Number(values.seconds);
const SAMPLES = Number(values.samples);
const root = new URL("..", import.meta.url).pathname;
const RESOURCE = "350100.gongan.household_registration";

let nextPort = 19_100 + Math.floor(Math.random() * 500) * 5;

function start(command: string, args: string[], env: Record<string, string>): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("is running")) resolve(child);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.on("exit", (code) => reject(new Error(`${command} exited ${code}: ${output.slice(-2000)}`)));
  });
}

/**
 * CPU time (user + system) a process has used, in ms, from /proc (Linux). The figure a shared machine
 * disturbs least: other processes slow a query down, but do not make it cost the server more CPU.
 */
function cpuMs(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}

/**
 * A process's system calls that read and wrote (/proc/<pid>/io) and the times it slept and was woken
 * (voluntary context switches, /proc/<pid>/status): what a query costs the kernel, beside its CPU.
 */
function kernelCounts(pid: number | undefined): { reads: number; writes: number; wakeups: number } {
  try {
    const io = readFileSync(`/proc/${pid}/io`, "utf8");
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const field = (text: string, name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(text)?.[1]);
    return {
      reads: field(io, "syscr"),
      writes: field(io, "syscw"),
      wakeups: field(status, "voluntary_ctxt_switches"),
    };
  } catch {
    return { reads: Number.NaN, writes: Number.NaN, wakeups: Number.NaN };
  }
}
const perQuery = (before: ReturnType<typeof kernelCounts>, after: ReturnType<typeof kernelCounts>, queries: number) =>
  `${((after.reads - before.reads) / queries).toFixed(1)} reads, ${((after.writes - before.writes) / queries).toFixed(1)} writes, ${((after.wakeups - before.wakeups) / queries).toFixed(1)} wake-ups`;

/** The processes started by `pid` (the demo department systems the server starts). */
function childPids(pid: number | undefined): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * The CPU time of the PostgreSQL backends serving `database` (their command line names it), sampled
 * every 200 ms while the load runs so a backend the pool closes meanwhile still counts: per backend,
 * the last reading less the first (a backend started during the run counts from zero).
 */
function backendCpu(database: string | undefined) {
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  const sample = (initial: boolean) => {
    if (!database) return;
    for (const pid of backendPids(database)) {
      const cpu = cpuMs(pid);
      if (Number.isNaN(cpu)) continue;
      if (!first.has(pid)) first.set(pid, initial ? cpu : 0);
      last.set(pid, cpu);
    }
  };
  sample(true);
  const timer = setInterval(() => sample(false), 200);
  return {
    /** Stops sampling; the CPU time used meanwhile, in ms (NaN without PostgreSQL). */
    stop(): number {
      clearInterval(timer);
      sample(false);
      if (!database) return Number.NaN;
      let sum = 0;
      for (const [pid, cpu] of last) sum += cpu - (first.get(pid) ?? 0);
      return sum;
    },
  };
}

/** The PostgreSQL backends serving `database` (their command line names it). */
function backendPids(database: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (cmdline.startsWith("postgres: ") && cmdline.includes(` ${database} `)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** How many ledger batches (entries share their batch's integration time) and checkpoints there are. */
async function ledgerCounts(url: string | undefined): Promise<{ batches: number; checkpoints: number }> {
  if (!url) return { batches: Number.NaN, checkpoints: Number.NaN };
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ batches: string; checkpoints: string }>(
      `select (select count(distinct integrated_at) from ledger_entries) as batches,
              (select count(*) from ledger_checkpoints) as checkpoints`,
    );
    return { batches: Number(rows[0]?.batches), checkpoints: Number(rows[0]?.checkpoints) };
  } finally {
    await client.end();
  }
}

interface Figures {
  total: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

function run(options: autocannon.Options): Promise<Figures> {
  return new Promise((resolve, reject) => {
    autocannon(options, (error, result) => {
      if (error) return reject(error);
      resolve({
        total: result.requests.total,
        rps: result.requests.average,
        p50: result.latency.p50,
        p99: result.latency.p99,
        // autocannon's `errors` already counts its timeouts.
        errors: result.errors,
        non2xx: result.non2xx,
      });
    });
  });
}

/**
 * The figures of load generators run side by side (one per server process): counts and rates add up;
 * the p50 is their mean weighted by requests (an approximation), the p99 the worst of them.
 */
function combine(parts: Figures[]): Figures {
  if (parts.length === 1) return parts[0] as Figures;
  const total = parts.reduce((sum, f) => sum + f.total, 0);
  return {
    total,
    rps: parts.reduce((sum, f) => sum + f.rps, 0),
    p50: Math.round(parts.reduce((sum, f) => sum + f.p50 * f.total, 0) / Math.max(1, total)),
    p99: Math.max(...parts.map((f) => f.p99)),
    errors: parts.reduce((sum, f) => sum + f.errors, 0),
    non2xx: parts.reduce((sum, f) => sum + f.non2xx, 0),
  };
}

interface Account {
  username: string;
  password: string;
  region: string;
  roles: string[];
  totpSecret: string | null;
}
interface Session {
  cookie: string;
  csrf: string;
}

async function login(base: string, account: Account): Promise<Session> {
  const body: Record<string, string> = { username: account.username, password: account.password };
  if (account.totpSecret) body.totp = await generate({ secret: account.totpSecret });
  const response = await fetch(`${base}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`login ${account.username} failed: ${await response.text()}`);
  const cookie = (response.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  return { cookie, csrf: ((await response.json()) as { csrfToken: string }).csrfToken };
}

async function call(base: string, s: Session, method: string, path: string, body?: unknown) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { cookie: s.cookie, "x-csrf-token": s.csrf, ...(body ? { "content-type": "application/json" } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json() as Promise<Record<string, unknown>>;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** One request at a time, timed each: the latency the gateway adds, without queueing. */
async function sequential(send: () => Promise<Response>): Promise<{ p50: number; p99: number }> {
  const times: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const began = performance.now();
    // A kept-alive connection the server closed as it was reused fails before any answer: that sample
    // is taken again (the bench's client, undici, does not resend a POST by itself).
    const response = await send().catch((error: { cause?: { code?: string } }) => {
      if (error.cause?.code !== "UND_ERR_SOCKET") throw error;
      return undefined;
    });
    if (!response) {
      i--;
      continue;
    }
    const text = await response.text();
    if (response.status !== 200) throw new Error(`status ${response.status}: ${text.slice(0, 500)}`);
    times.push(performance.now() - began);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

async function measure(kind: "pglite" | "postgres") {
  const port = values.port ? Number(values.port) : nextPort;
  const providerPort = values["provider-port"] ? Number(values["provider-port"]) : nextPort + 1;
  nextPort += 10;
  const dataDir = mkdtempSync(join(tmpdir(), "tb-bench-exchange-"));
  const env: Record<string, string> = {
    PORT: String(port),
    DEMO_PROVIDER_PORT: String(providerPort),
    DATA_DIR: dataDir,
    LOG_LEVEL: "warn",
    LOGIN_RATE_LIMIT_PER_MINUTE: "10000",
  };
  let dropDatabase = async () => {};
  let databaseName: string | undefined;
  if (kind === "postgres") {
    const adminUrl = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
    const name = `tongban_bench_exchange_${Date.now()}`;
    databaseName = name;
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    await client.query(`create database ${name}`);
    await client.end();
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    env.DATABASE_URL = url.toString();
    env.DATABASE_POOL_SIZE = "40";
    dropDatabase = async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    };
  }
  // Node itself (not npx), so the child's pid is the server's and its CPU time can be read. The
  // department systems the server starts are profiled with it.
  const server = await start(
    process.execPath,
    [
      ...(values.profile ? ["--cpu-prof", `--cpu-prof-dir=${values.profile}`] : []),
      "--import",
      "tsx",
      "apps/server/src/main.ts",
    ],
    env,
  );
  // Further server processes on the same database and data folder (keys, files), as a deployment
  // behind a load balancer would run them; the department systems and payment sandbox stay the first's.
  const servers = [server];
  const serverCpu = () => servers.reduce((sum, s) => sum + cpuMs(s.pid), 0);
  // The 公安 system is the one queried; the others idle. Their CPU together (and, under load, the
  // database's backends'), so the whole cost of a query can be told apart from the server's.
  const providersCpu = () => childPids(server.pid).reduce((sum, pid) => sum + cpuMs(pid), 0);
  const base = `http://127.0.0.1:${port}`;
  try {
    if (SERVERS > 1 && kind !== "postgres") throw new Error("--servers needs PostgreSQL");
    for (let i = 1; i < SERVERS; i++) {
      servers.push(
        await start(process.execPath, ["--import", "tsx", "apps/server/src/main.ts"], {
          ...env,
          PORT: String(port + i),
          DEMO_PROVIDERS: "false",
          PAYMENT_GATEWAY: "none",
        }),
      );
    }
    const accounts = JSON.parse(readFileSync(join(dataDir, "demo-accounts.json"), "utf8")) as Account[];
    const byName = (username: string) => accounts.find((a) => a.username === username) as Account;
    // 人社 asks for the household registration; 公安's steward grants it with a rate fit for a load test.
    const asker = await login(base, byName("fz.rs.handler"));
    const steward = await login(base, byName("fz.ga.steward"));
    const request = await call(base, asker, "POST", "/api/v1/exchange/requests", {
      resource: RESOURCE,
      purpose: "benchmark: household registration checks",
      legalBasis: "《政务信息资源共享管理暂行办法》",
      fields: ["idNumber", "name", "householdHead", "relationToHead", "registeredAddress"],
      expiresOn: `${new Date().getUTCFullYear() + 1}-12-31`,
    });
    await call(base, steward, "POST", `/api/v1/exchange/requests/${request.id}/decision`, {
      decision: "approve",
      rateLimitPerMinute: 1_000_000,
    });
    const keys = accounts
      .filter((a) => a.region === "350100" && a.roles.length === 0 && /^\d{17}/.test(a.username))
      .map((a) => a.username);
    const queryBody = (i: number) =>
      JSON.stringify({
        resource: RESOURCE,
        key: keys[i % keys.length],
        purpose: "benchmark: household registration check",
      });
    const gatewayHeaders = { "content-type": "application/json", cookie: asker.cookie, "x-csrf-token": asker.csrf };
    // The same call the gateway makes to the department system, signed with the gateway's key.
    const signer = gatewaySigner(readFileSync(join(dataDir, "keys", "exchange-gateway-key"), "utf8").trim());
    const providerPath = `/v1/350100/household_registration`;
    const directBody = (i: number) =>
      JSON.stringify({
        key: keys[i % keys.length],
        fields: ["idNumber", "name", "householdHead", "relationToHead", "registeredAddress"],
        offset: 0,
        limit: 20,
      });
    const directHeaders = (body: string) => ({
      "content-type": "application/json",
      ...signRequest(signer, { method: "POST", path: providerPath, body, requestId: randomUUID(), now: new Date() }),
    });
    const providerUrl = `http://127.0.0.1:${providerPort}`;

    // Warm both paths up.
    for (let i = 0; i < 200; i++) {
      await (
        await fetch(`${base}/api/v1/exchange/query`, { method: "POST", headers: gatewayHeaders, body: queryBody(i) })
      ).arrayBuffer();
      const body = directBody(i);
      await (
        await fetch(`${providerUrl}${providerPath}`, { method: "POST", headers: directHeaders(body), body })
      ).arrayBuffer();
    }

    const phase = (name: string) => process.stderr.write(`[${kind}] ${name}\n`);
    phase("sequential direct");
    let d = 0;
    const directSequential = await sequential(() => {
      const body = directBody(d++);
      return fetch(`${providerUrl}${providerPath}`, { method: "POST", headers: directHeaders(body), body });
    });
    phase("sequential gateway");
    let g = 0;
    const cpuBeforeSequential = serverCpu();
    const kernelBeforeSequential = kernelCounts(server.pid);
    const ledgerBeforeSequential = await ledgerCounts(env.DATABASE_URL);
    const gatewaySequential = await sequential(() =>
      fetch(`${base}/api/v1/exchange/query`, { method: "POST", headers: gatewayHeaders, body: queryBody(g++) }),
    );
    // The sequencer integrates the last queries' entries meanwhile: their cost is the queries' too.
    await new Promise((r) => setTimeout(r, 2000));
    const cpuSequential = (serverCpu() - cpuBeforeSequential) / SAMPLES;
    const kernelSequential = perQuery(kernelBeforeSequential, kernelCounts(server.pid), SAMPLES);
    const ledgerAfterSequential = await ledgerCounts(env.DATABASE_URL);
    const sequentialLedger = {
      batches: ledgerAfterSequential.batches - ledgerBeforeSequential.batches,
      checkpoints: ledgerAfterSequential.checkpoints - ledgerBeforeSequential.checkpoints,
    };

    phase("load direct");
    let di = 0;
    const providerBeforeDirect = providersCpu();
    const direct = await run({
      url: providerUrl,
      connections: CONNECTIONS,
      duration: SECONDS,
      requests: [
        {
          method: "POST",
          setupRequest: (req) => {
            const body = directBody(di++);
            return { ...req, path: providerPath, headers: directHeaders(body), body };
          },
        },
      ],
    });
    const providerDirect = (providersCpu() - providerBeforeDirect) / direct.total;
    // The first few answers that are not 200, by status and code, so a non-2xx count has its reasons.
    const failures = new Map<string, number>();
    const noteFailure = (status: number, body: string) => {
      if (status === 200) return;
      const code = /"code":"([A-Z_]+)"/.exec(body)?.[1] ?? "?";
      const reason = `${status} ${code}`;
      failures.set(reason, (failures.get(reason) ?? 0) + 1);
    };
    // The 公安 system counts the requests it verified and the Ed25519 verifications that took (a tree
    // signature is verified once for all its requests).
    const providerHealth = async () =>
      (await (await fetch(`${providerUrl}/healthz`)).json()) as { verifiedRequests?: number; signatureChecks?: number };
    const healthBeforeLoad = await providerHealth();
    phase("load gateway");
    let gi = 0;
    const cpuBeforeLoad = serverCpu();
    const kernelBeforeLoad = kernelCounts(server.pid);
    const providerBeforeLoad = providersCpu();
    const databaseLoadCpu = backendCpu(databaseName);
    const gateway = combine(
      await Promise.all(
        servers.map((_, i) =>
          run({
            url: `http://127.0.0.1:${port + i}`,
            connections: Math.ceil(CONNECTIONS / servers.length),
            duration: SECONDS,
            requests: [
              {
                method: "POST",
                setupRequest: (req) => ({
                  ...req,
                  path: "/api/v1/exchange/query",
                  headers: gatewayHeaders,
                  body: queryBody(gi++),
                }),
                onResponse: (status: number, body: string) => noteFailure(status, body),
              },
            ],
          }),
        ),
      ),
    );
    // Every query is on record: wait for the sequencer, then read the log's size from its checkpoint.
    await new Promise((r) => setTimeout(r, 5000));
    const cpuLoad = (serverCpu() - cpuBeforeLoad) / gateway.total;
    const kernelLoad = perQuery(kernelBeforeLoad, kernelCounts(server.pid), gateway.total);
    const providerLoad = (providersCpu() - providerBeforeLoad) / gateway.total;
    const databaseLoad = databaseLoadCpu.stop() / gateway.total;
    const healthAfterLoad = await providerHealth();
    const verificationsPerRequest =
      ((healthAfterLoad.signatureChecks ?? Number.NaN) - (healthBeforeLoad.signatureChecks ?? Number.NaN)) /
      ((healthAfterLoad.verifiedRequests ?? Number.NaN) - (healthBeforeLoad.verifiedRequests ?? Number.NaN));
    if (failures.size > 0) phase(`answers other than 200: ${[...failures].map(([r, n]) => `${n} × ${r}`).join(", ")}`);
    const checkpoint = await (await fetch(`${base}/ledger/checkpoint`)).text();
    const treeSize = Number(checkpoint.split("\n")[1]);
    return {
      directSequential,
      gatewaySequential,
      direct,
      gateway,
      treeSize,
      cpuSequential,
      sequentialLedger,
      cpuLoad,
      providerDirect,
      providerLoad,
      databaseLoad,
      verificationsPerRequest,
      kernelSequential,
      kernelLoad,
    };
  } finally {
    for (const s of servers) s.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 1500));
    await dropDatabase().catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const line = (label: string, f: Figures) =>
  `${label.padEnd(40)} ${f.rps.toFixed(0).padStart(7)}/s   p50 ${String(f.p50).padStart(5)} ms   p99 ${String(f.p99).padStart(5)} ms   errors ${f.errors}   non-2xx ${f.non2xx}`;
const ms = (x: number) => `${x.toFixed(2)} ms`;

const kinds = (values.only ? [values.only] : ["pglite", "postgres"]) as ("pglite" | "postgres")[];
process.stdout.write(
  `Exchange gateway benchmark: ${SAMPLES} sequential samples, then ${CONNECTIONS} connections for ${SECONDS} s${SERVERS > 1 ? ` spread over ${SERVERS} server processes` : ""}, Node ${process.version}\n`,
);
for (const kind of kinds) {
  const f = await measure(kind);
  process.stdout.write(`\n[${kind}]\n`);
  process.stdout.write(
    `one at a time   direct p50 ${ms(f.directSequential.p50)} p99 ${ms(f.directSequential.p99)}   gateway p50 ${ms(f.gatewaySequential.p50)} p99 ${ms(f.gatewaySequential.p99)}   added at p50 ${ms(f.gatewaySequential.p50 - f.directSequential.p50)}\n`,
  );
  process.stdout.write(`${line("direct signed call to the 公安 system", f.direct)}\n`);
  process.stdout.write(`${line("gateway POST /api/v1/exchange/query", f.gateway)}\n`);
  process.stdout.write(
    `server CPU per gateway query (gateway, ledger sequencer, everything in the server processes): one at a time ${ms(f.cpuSequential)}, under load ${ms(f.cpuLoad)}\n`,
  );
  process.stdout.write(
    `the (first) server process's system calls per gateway query: one at a time ${f.kernelSequential}; under load ${f.kernelLoad}\n`,
  );
  process.stdout.write(
    `department systems' CPU per query under load: direct ${ms(f.providerDirect)}, through the gateway ${ms(f.providerLoad)}; PostgreSQL backends' CPU per gateway query under load: ${ms(f.databaseLoad)}\n`,
  );
  process.stdout.write(
    `signature verifications per request at the 公安 system under load: ${Number.isNaN(f.verificationsPerRequest) ? "not counted (older system)" : f.verificationsPerRequest.toFixed(3)}\n`,
  );
  process.stdout.write(
    `ledger work for the ${SAMPLES} queries one at a time: ${f.sequentialLedger.batches} batches, ${f.sequentialLedger.checkpoints} checkpoints signed\n`,
  );
  process.stdout.write(`ledger entries after the run: ${f.treeSize}\n`);
}
