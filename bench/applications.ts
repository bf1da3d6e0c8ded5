// Applications submitted per second end to end and case reads per second, on PGlite and on
// PostgreSQL, each beside a bare-Fastify endpoint measured in the same run.
//   npx tsx bench/applications.ts [--drafts 3000] [--connections 1000] [--seconds 10] [--only pglite|postgres]
// Against a server already running (e.g. under `node --cpu-prof`), with its data folder's demo accounts:
//   npx tsx bench/applications.ts --url http://127.0.0.1:18999 --data-dir /tmp/perfdata [--database tongban_perf]
// Several server processes on one PostgreSQL database, the load split evenly between them (as a load
// balancer in front of them would), PostgreSQL only:
//   npx tsx bench/applications.ts --only postgres --processes 2
// PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) must allow CREATE DATABASE.
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { backendCpuSince, databaseBackendsCpu } from "./cpu.ts";
import { type LoadOptions, load, requestBytes } from "./load.ts";

const { values } = parseArgs({
  options: {
    drafts: { type: "string", default: "3000" },
    connections: { type: "string", default: "1000" },
    seconds: { type: "string", default: "10" },
    only: { type: "string" },
    url: { type: "string" },
    "data-dir": { type: "string" },
    database: { type: "string" },
    processes: { type: "string", default: "1" },
  },
});
const PROCESSES = Number(values.processes);
const DRAFTS = Number(values.drafts);
const CONNECTIONS = Number(values.connections);
const SECONDS = Number(values.seconds);
const root = new URL("..", import.meta.url).pathname;
const png = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
  "base64",
);
const pdf = Buffer.from("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n");

let nextPort = 18_100 + Math.floor(Math.random() * 500);

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
      if (output.includes("ready") || output.includes("is running")) resolve(child);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk) => {
      output += chunk.toString();
    });
    child.on("exit", (code) => reject(new Error(`${command} exited ${code}: ${output.slice(-2000)}`)));
  });
}

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  total: number;
  /** Of `errors`, the requests that waited past the load generator's timeout (10 s). */
  timeouts?: number;
  /** The share of case reads answered from the server's memory (CASE_CACHE_SECONDS). */
  fromMemory?: number;
  /** Actions committed per transaction on average (actions arriving together share one). */
  perTransaction?: number;
  /** Answers other than 2xx, by status code. */
  codes?: Record<string, number>;
  /** CPU time per request of the load generator (this process). */
  clientCpuMs?: number;
  /** CPU time per request of the server process and of the database's backends, when known. */
  serverCpuMs?: number;
  databaseCpuMs?: number;
}

// Rates on a machine whose cores the load generator shares swing with whatever else runs; the CPU
// time each request costs the server and PostgreSQL does not, so the benchmark prints both.
/** Case reads the server processes answered so far, from memory and from the database (their /metrics). */
async function caseReads(bases: string[]): Promise<{ memory: number; database: number }> {
  let memory = 0;
  let database = 0;
  for (const base of bases) {
    const text = await (await fetch(`${base}/metrics`)).text();
    memory += Number(text.match(/^tongban_case_reads_total\{source="memory"\} (\S+)$/m)?.[1] ?? 0);
    database += Number(text.match(/^tongban_case_reads_total\{source="database"\} (\S+)$/m)?.[1] ?? 0);
  }
  return { memory, database };
}

/** Actions committed and the transactions that committed them, over every server process. */
async function caseActions(bases: string[]): Promise<{ actions: number; transactions: number }> {
  let actions = 0;
  let transactions = 0;
  for (const base of bases) {
    const text = await (await fetch(`${base}/metrics`)).text();
    actions += Number(text.match(/^tongban_case_actions_total (\S+)$/m)?.[1] ?? 0);
    transactions += Number(text.match(/^tongban_case_action_transactions_total (\S+)$/m)?.[1] ?? 0);
  }
  return { actions, transactions };
}

async function serverCpuSeconds(base: string): Promise<number | undefined> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const match = text.match(/^tongban_process_cpu_seconds_total (\S+)$/m);
  return match ? Number(match[1]) : undefined;
}

/** What one run of load sends: the connections, and either a fixed number of requests or a duration. */
interface Load {
  connections: number;
  /** Each request once (split evenly between the processes)… */
  each?: true;
  /** …or requests in turn for this many seconds. */
  seconds?: number;
  /** The requests' bytes for one process (its URL), given its share of the work. */
  requests: (url: string, part: number, parts: number) => Buffer[];
}

/**
 * Runs the load against every server process at once, the connections (and the requests, with
 * `each`) split evenly; the p99 reported is the worst of the processes' and the p50 their average
 * weighted by requests (latencies of separate runs cannot be merged exactly).
 */
async function measured(bases: string[], database: string | undefined, options: Load) {
  const cpuOf = async () => {
    const each = await Promise.all(bases.map(serverCpuSeconds));
    return each.some((v) => v === undefined) ? undefined : each.reduce((a = 0, b = 0) => a + b, 0);
  };
  // The requests are built before anything is timed.
  const requests = bases.map((url, i) => options.requests(url, i, bases.length));
  const server = await cpuOf();
  // Backend by backend: the pool may close some during the run (see bench/cpu.ts).
  const db = databaseBackendsCpu(database);
  const client = process.cpuUsage();
  const parts = await Promise.all(
    bases.map((url, i) =>
      run({
        url,
        connections: Math.ceil(options.connections / bases.length),
        requests: requests[i] as Buffer[],
        ...(options.each ? { amount: (requests[i] as Buffer[]).length } : { seconds: options.seconds }),
      }),
    ),
  );
  const total = parts.reduce((a, p) => a + p.total, 0);
  const figures: Figures = {
    rps: parts.reduce((a, p) => a + p.rps, 0),
    p50: Math.round(parts.reduce((a, p) => a + p.p50 * p.total, 0) / Math.max(total, 1)),
    p99: Math.max(...parts.map((p) => p.p99)),
    errors: parts.reduce((a, p) => a + p.errors, 0),
    timeouts: parts.reduce((a, p) => a + (p.timeouts ?? 0), 0),
    non2xx: parts.reduce((a, p) => a + p.non2xx, 0),
    total,
    codes: parts.reduce<Record<string, number>>((a, p) => {
      for (const [code, n] of Object.entries(p.codes ?? {})) a[code] = (a[code] ?? 0) + n;
      return a;
    }, {}),
  };
  const { user, system } = process.cpuUsage(client);
  const serverAfter = await cpuOf();
  const dbSeconds = database ? backendCpuSince(db, databaseBackendsCpu(database)) : undefined;
  const per = (before?: number, after?: number) =>
    before === undefined || after === undefined || figures.total === 0
      ? undefined
      : ((after - before) * 1000) / figures.total;
  return {
    ...figures,
    serverCpuMs: per(server, serverAfter),
    databaseCpuMs: per(0, dbSeconds),
    clientCpuMs: per(0, (user + system) / 1e6),
  };
}

const run = (options: LoadOptions): Promise<Figures> => load(options);

async function bare(): Promise<Figures> {
  const port = nextPort++;
  const child = await start("node", ["bench/bare-fastify.mjs"], { PORT: String(port) });
  try {
    const url = `http://127.0.0.1:${port}`;
    return await run({
      url,
      connections: CONNECTIONS,
      seconds: SECONDS,
      requests: [requestBytes(url, "GET", "/hello")],
    });
  } finally {
    child.kill();
  }
}

interface Session {
  cookie: string;
  csrf: string;
}

async function login(base: string, username: string, password: string): Promise<Session> {
  const response = await fetch(`${base}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
  if (!response.ok) throw new Error(`login failed: ${await response.text()}`);
  const cookie = (response.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  return { cookie, csrf: ((await response.json()) as { csrfToken: string }).csrfToken };
}

async function call(
  base: string,
  s: Session,
  method: string,
  path: string,
  body?: unknown,
  extra: Record<string, string> = {},
) {
  const isForm = body instanceof FormData;
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      cookie: s.cookie,
      "x-csrf-token": s.csrf,
      ...(body && !isForm ? { "content-type": "application/json" } : {}),
      ...extra,
    },
    body: body === undefined ? undefined : isForm ? body : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json() as Promise<{ id: string }>;
}

function idNumber(): string {
  const first17 = "35010319920618028";
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((acc, d, i) => acc + Number(d) * (weights[i] as number), 0);
  return first17 + "10X98765432"[sum % 11];
}

/** Prepares complete drafts (form and materials) through the API, 64 at a time. */
async function prepareDrafts(base: string, sessions: Session[], count: number) {
  const form = {
    partnerName: "陈美玲",
    partnerIdNumber: idNumber(),
    partnerPhone: "13859012345",
    applicantOccupation: "工程师",
    partnerOccupation: "教师",
    appointmentDate: "2026-12-08",
  };
  const drafts: { id: string; session: Session }[] = [];
  let made = 0;
  async function worker() {
    while (made < count) {
      made++;
      const session = sessions[made % sessions.length] as Session;
      const { id } = await call(base, session, "POST", "/api/v1/applications", { serviceCode: "350100-MZ-0001" });
      await call(base, session, "PATCH", `/api/v1/applications/${id}`, { form });
      for (const [code, name, type, content] of [
        ["photo", "p.png", "image/png", png],
        ["no_spouse_statement", "s.pdf", "application/pdf", pdf],
      ] as const) {
        const data = new FormData();
        data.append("materialCode", code);
        data.append("file", new Blob([content], { type }), name);
        await call(base, session, "POST", `/api/v1/applications/${id}/materials`, data);
      }
      drafts.push({ id, session });
    }
  }
  await Promise.all(Array.from({ length: 64 }, worker));
  return drafts;
}

async function measure(kind: "pglite" | "postgres") {
  const port = nextPort++;
  const dataDir = mkdtempSync(join(tmpdir(), "tb-bench-"));
  const env: Record<string, string> = {
    PORT: String(port),
    DATA_DIR: dataDir,
    LOG_LEVEL: "warn",
    LOGIN_RATE_LIMIT_PER_MINUTE: "10000",
    DEMO_PROVIDERS: "false",
  };
  let dropDatabase = async () => {};
  const databaseName = `tongban_bench_${Date.now()}`;
  if (kind === "postgres") {
    const adminUrl = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
    const name = databaseName;
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
  // Node itself, not `npx tsx`: a SIGTERM to npm's process does not always reach the server. The
  // first process seeds the demo world and makes the node's keys; the others (PostgreSQL only)
  // start after it on the same database and data folder, each on its own port.
  const servers: ChildProcess[] = [];
  const bases: string[] = [];
  try {
    for (let i = 0; i < (kind === "postgres" ? PROCESSES : 1); i++) {
      const processPort = i === 0 ? port : nextPort++;
      servers.push(
        await start(process.execPath, ["--import", "tsx", "apps/server/src/main.ts"], {
          ...env,
          PORT: String(processPort),
          // The payment sandbox belongs to the first process (README, "Several server processes").
          ...(i === 0 ? {} : { PAYMENT_GATEWAY: "none" }),
        }),
      );
      bases.push(`http://127.0.0.1:${processPort}`);
    }
    return await drive(bases, dataDir, kind === "postgres" ? databaseName : undefined);
  } finally {
    for (const server of servers) server.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 1000));
    await dropDatabase().catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Prepares drafts, submits them all, then reads cases for SECONDS: the two figures. */
async function drive(bases: string[], dataDir: string, database?: string) {
  const base = bases[0] as string;
  {
    const accounts = JSON.parse(readFileSync(join(dataDir, "demo-accounts.json"), "utf8")) as {
      username: string;
      password: string;
      region: string;
      roles: string[];
    }[];
    const residents = accounts.filter(
      (a) => a.roles.length === 0 && a.region === "350100" && /^\d{17}/.test(a.username),
    );
    const sessions = await Promise.all(residents.map((r) => login(base, r.username, r.password)));
    const preparedAt = Date.now();
    const drafts = await prepareDrafts(base, sessions, DRAFTS);
    const prepareSeconds = (Date.now() - preparedAt) / 1000;

    const actionsBefore = await caseActions(bases);
    const submit = await measured(bases, database, {
      connections: Math.min(CONNECTIONS, drafts.length),
      each: true,
      requests: (url, part, parts) =>
        drafts
          .filter((_, i) => i % parts === part)
          .map((draft) =>
            requestBytes(
              url,
              "POST",
              `/api/v1/applications/${draft.id}/actions`,
              {
                "content-type": "application/json",
                cookie: draft.session.cookie,
                "x-csrf-token": draft.session.csrf,
                "idempotency-key": randomUUID(),
              },
              JSON.stringify({ type: "submit" }),
            ),
          ),
    });
    const actionsAfter = await caseActions(bases);
    const transactions = actionsAfter.transactions - actionsBefore.transactions;
    if (transactions > 0) submit.perTransaction = (actionsAfter.actions - actionsBefore.actions) / transactions;
    const readsBefore = await caseReads(bases);
    const read = await measured(bases, database, {
      connections: CONNECTIONS,
      seconds: SECONDS,
      requests: (url) =>
        drafts.map((draft) =>
          requestBytes(url, "GET", `/api/v1/applications/${draft.id}`, { cookie: draft.session.cookie }),
        ),
    });
    const readsAfter = await caseReads(bases);
    const fromMemory = readsAfter.memory - readsBefore.memory;
    const fromDatabase = readsAfter.database - readsBefore.database;
    read.fromMemory = fromMemory + fromDatabase > 0 ? fromMemory / (fromMemory + fromDatabase) : undefined;
    return { submit, read, prepareSeconds, drafts: drafts.length };
  }
}

const cpu = (f: Figures) =>
  f.serverCpuMs === undefined
    ? ""
    : `   CPU/request: server ${f.serverCpuMs.toFixed(2)} ms${f.databaseCpuMs === undefined ? "" : `, PostgreSQL ${f.databaseCpuMs.toFixed(2)} ms`}${f.clientCpuMs === undefined ? "" : `, load generator ${f.clientCpuMs.toFixed(2)} ms`}`;
const line = (label: string, f: Figures) =>
  `${label.padEnd(34)} ${f.rps.toFixed(0).padStart(8)}/s   p50 ${String(f.p50).padStart(5)} ms   p99 ${String(f.p99).padStart(5)} ms   errors ${f.errors}${f.errors ? ` (${f.timeouts ?? 0} timeouts)` : ""}   non-2xx ${f.non2xx}${f.non2xx ? ` ${JSON.stringify(f.codes)}` : ""}${cpu(f)}${f.fromMemory === undefined ? "" : `   from memory ${(f.fromMemory * 100).toFixed(0)} %`}${f.perTransaction === undefined ? "" : `   ${f.perTransaction.toFixed(1)} actions per transaction`}`;

if (values.url) {
  const figures = await drive(values.url.split(","), values["data-dir"] ?? "./data", values.database);
  process.stdout.write(
    `[${values.url}] (${figures.drafts} drafts prepared in ${figures.prepareSeconds.toFixed(1)} s)\n`,
  );
  process.stdout.write(`${line("submit (POST …/actions)", figures.submit)}\n`);
  process.stdout.write(`${line("case read (GET /applications/:id)", figures.read)}\n`);
  process.exit(0);
}

const kinds = (values.only ? [values.only] : ["pglite", "postgres"]) as ("pglite" | "postgres")[];
process.stdout.write(
  `Applications benchmark: ${CONNECTIONS} connections, ${DRAFTS} drafts, reads for ${SECONDS} s, ${PROCESSES} server process(es) on PostgreSQL, Node ${process.version}\n`,
);
for (const kind of kinds) {
  const baseline = await bare();
  const figures = await measure(kind);
  process.stdout.write(
    `\n[${kind}] (${figures.drafts} drafts prepared through the API in ${figures.prepareSeconds.toFixed(1)} s)\n`,
  );
  process.stdout.write(`${line("bare Fastify GET /hello", baseline)}\n`);
  process.stdout.write(`${line("submit (POST …/actions)", figures.submit)}\n`);
  process.stdout.write(`${line("case read (GET /applications/:id)", figures.read)}\n`);
}
