// E-certificate verifications per second, offline (the credential and a trust list, no network) and
// online (POST /api/v1/certificates/verify on a running node: signature, trusted issuer, ledger
// inclusion against the signed checkpoint, status, and a verification record written), on PGlite
// and PostgreSQL. The certificates come from real approvals of marriage registrations.
//   npx tsx bench/certificates.ts [--certificates 10] [--connections 50] [--seconds 10]
//     [--only pglite|postgres] [--port 19600]
// PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) must allow CREATE DATABASE.
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type TrustListMembers, trustFromList, verifyCredentialOffline, verifyFileOffline } from "@tongban/credentials";
import autocannon from "autocannon";
import { generate } from "otplib";
import pg from "pg";
import { pdf, png } from "../apps/server/test/support/files.ts";

const { values } = parseArgs({
  options: {
    certificates: { type: "string", default: "10" },
    connections: { type: "string", default: "50" },
    seconds: { type: "string", default: "10" },
    only: { type: "string" },
    port: { type: "string" },
  },
});
const CERTIFICATES = Number(values.certificates);
const CONNECTIONS = Number(values.connections);
const SECONDS = Number(values.seconds);
const root = new URL("..", import.meta.url).pathname;
let nextPort = values.port ? Number(values.port) : 19_600 + Math.floor(Math.random() * 40) * 5;

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

function start(env: Record<string, string>): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    // Node itself, not `npx tsx`: a SIGTERM sent to npm's process did not always reach the server,
    // and the benchmark then waited for its exit forever.
    const child = spawn(process.execPath, ["--import", "tsx", "apps/server/src/main.ts"], {
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
    child.on("exit", (code) => reject(new Error(`the server exited ${code}: ${output.slice(-2000)}`)));
  });
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

async function call<T = Record<string, unknown>>(
  base: string,
  s: Session,
  method: string,
  path: string,
  body?: unknown,
) {
  const form = body instanceof FormData;
  const response = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: {
      cookie: s.cookie,
      "x-csrf-token": s.csrf,
      ...(body !== undefined && !form ? { "content-type": "application/json" } : {}),
      ...(path.endsWith("/actions") ? { "idempotency-key": randomUUID() } : {}),
    },
    body: body === undefined ? undefined : form ? body : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** A resident's marriage registration, filed, accepted, reviewed and approved: the certificate issues. */
async function approvedMarriage(base: string, resident: Session, window: Session, handler: Session, i: number) {
  const { id } = await call<{ id: string }>(base, resident, "POST", "/applications", { serviceCode: "350100-MZ-0001" });
  await call(base, resident, "PATCH", `/applications/${id}`, {
    form: {
      partnerName: "陈雨桐",
      partnerIdNumber: "11010519491231002X",
      partnerPhone: "13905910001",
      applicantOccupation: "教师",
      partnerOccupation: "工程师",
      appointmentDate: `2026-12-${String(8 + (i % 20)).padStart(2, "0")}`,
    },
  });
  for (const [code, name, type, content] of [
    ["photo", "合影.png", "image/png", png],
    ["no_spouse_statement", "声明.pdf", "application/pdf", pdf],
  ] as const) {
    const body = new FormData();
    body.append("materialCode", code);
    body.append("file", new Blob([content], { type }), name);
    await call(base, resident, "POST", `/applications/${id}/materials`, body);
  }
  await call(base, resident, "POST", `/applications/${id}/actions`, { type: "submit" });
  await call(base, window, "POST", `/applications/${id}/actions`, { type: "accept", opinion: "受理" });
  await call(base, handler, "POST", `/applications/${id}/actions`, { type: "complete_step", opinion: "审查通过" });
  await call(base, handler, "POST", `/applications/${id}/actions`, { type: "approve", opinion: "准予登记" });
}

function rate(label: string, seconds: number, work: () => void) {
  // Warm up (key objects, JIT), then count.
  for (let i = 0; i < 200; i++) work();
  let n = 0;
  const began = performance.now();
  const until = began + seconds * 1000;
  while (performance.now() < until) {
    for (let i = 0; i < 100; i++) work();
    n += 100;
  }
  const perSecond = n / ((performance.now() - began) / 1000);
  console.log(`  ${label.padEnd(44)} ${Math.round(perSecond).toLocaleString("en").padStart(8)} /s (one core)`);
  return perSecond;
}

function cannon(base: string, bodies: string[]): Promise<autocannon.Result> {
  let i = 0;
  return new Promise((resolve, reject) =>
    autocannon(
      {
        url: `${base}/api/v1/certificates/verify`,
        connections: CONNECTIONS,
        duration: SECONDS,
        requests: [
          {
            method: "POST",
            headers: { "content-type": "application/json" },
            setupRequest: (request) => ({ ...request, body: bodies[i++ % bodies.length] }),
          },
        ],
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    ),
  );
}

async function measure(kind: "pglite" | "postgres") {
  const port = nextPort;
  nextPort += 5;
  const dataDir = mkdtempSync(join(tmpdir(), "tb-bench-certificates-"));
  const env: Record<string, string> = {
    PORT: String(port),
    DATA_DIR: dataDir,
    LOG_LEVEL: "warn",
    DEMO_PROVIDERS: "false",
    FEDERATION_DEMO: "false",
    LOGIN_RATE_LIMIT_PER_MINUTE: "10000",
  };
  let dropDatabase = async () => {};
  if (kind === "postgres") {
    const adminUrl = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
    const name = `tongban_bench_certificates_${Date.now()}`;
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
  const server = await start(env);
  const base = `http://127.0.0.1:${port}`;
  try {
    const accounts = JSON.parse(readFileSync(join(dataDir, "demo-accounts.json"), "utf8")) as Account[];
    const byName = (username: string) => accounts.find((a) => a.username === username) as Account;
    const resident = await login(
      base,
      accounts.find((a) => a.region === "350100" && a.roles.length === 0 && /^\d{17}/.test(a.username)) as Account,
    );
    const window = await login(base, byName("fz.mz.window"));
    const handler = await login(base, byName("fz.mz.handler"));
    for (let i = 0; i < CERTIFICATES; i++) await approvedMarriage(base, resident, window, handler, i);
    // Let the sequencer seal the issuances under a checkpoint, so the ledger check runs fully.
    await new Promise((r) => setTimeout(r, 1500));
    const mine = await call<{ id: string; number: string; ledgerIndex: number | null }[]>(
      base,
      resident,
      "GET",
      "/me/certificates",
    );
    const credentials = await Promise.all(
      mine.map(async (c) => {
        const response = await fetch(`${base}/api/v1/certificates/${c.id}/credential`, {
          headers: { cookie: resident.cookie },
        });
        return (await response.json()) as Record<string, unknown>;
      }),
    );
    const pdfs = await Promise.all(
      mine.slice(0, 3).map(async (c) => {
        const response = await fetch(`${base}/api/v1/certificates/${c.id}/pdf`, {
          headers: { cookie: resident.cookie },
        });
        return new Uint8Array(await response.arrayBuffer());
      }),
    );
    const issuer = await (await fetch(`${base}/api/v1/certificates/issuer`)).json();
    const trust = trustFromList(issuer.trustList as TrustListMembers);
    const now = new Date();

    console.log(`\n${kind}: ${mine.length} certificates (ledger entries ${mine.map((c) => c.ledgerIndex).join(", ")})`);
    let k = 0;
    const offline = rate("offline, credential JSON", Math.min(SECONDS, 5), () => {
      const report = verifyCredentialOffline(credentials[k++ % credentials.length], { trust, now });
      if (!report.valid) throw new Error("an offline verification failed");
    });
    // PDFs are parsed asynchronously; time a fixed number.
    const pdfRuns = 300;
    const began = performance.now();
    for (let i = 0; i < pdfRuns; i++) {
      const report = await verifyFileOffline(pdfs[i % pdfs.length] as Uint8Array, { trust, now });
      if (!report.valid) throw new Error("an offline PDF verification failed");
    }
    const pdfRate = pdfRuns / ((performance.now() - began) / 1000);
    console.log(
      `  ${"offline, PDF (parse + embedded receipt)".padEnd(44)} ${Math.round(pdfRate).toLocaleString("en").padStart(8)} /s (one core)`,
    );

    const figures: Record<string, autocannon.Result> = {};
    for (const [label, bodies] of [
      ["online, by number", mine.map((c) => JSON.stringify({ number: c.number }))],
      ["online, credential JSON", credentials.map((c) => JSON.stringify({ credential: c }))],
    ] as const) {
      const result = await cannon(base, [...bodies]);
      figures[label] = result;
      console.log(
        `  ${label.padEnd(44)} ${Math.round(result.requests.average).toLocaleString("en").padStart(8)} /s  p50 ${result.latency.p50} ms  p99 ${result.latency.p99} ms  non-2xx ${result.non2xx}  errors ${result.errors + result.timeouts}`,
      );
    }
    const check = await (
      await fetch(`${base}/api/v1/certificates/verify`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ number: mine[0]?.number }),
      })
    ).json();
    console.log(
      `  (a verification after the run: ${check.outcome}; checks ${check.checks.map((c: { check: string; outcome: string }) => `${c.check}=${c.outcome}`).join(" ")})`,
    );
    return { offline, pdfRate, figures };
  } finally {
    server.kill("SIGTERM");
    await new Promise((r) => server.once("exit", r));
    await dropDatabase();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

console.log(
  `e-certificate verification: ${CONNECTIONS} connections × ${SECONDS} s per online run; invoices issued/s: not measured (e-invoices are not built yet)`,
);
for (const kind of ["pglite", "postgres"] as const) {
  if (values.only && values.only !== kind) continue;
  await measure(kind);
}
