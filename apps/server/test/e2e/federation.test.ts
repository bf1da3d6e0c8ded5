// The demo federation as it runs: three real node processes on loopback (福州, 渭南, 重庆), each with
// its own embedded database, keys and demo world, joined by the signed trust list. 全程网办, 异地代收代办
// and 多地联办 end to end; a peer down for a while; the sender killed mid-delivery; forged and replayed
// envelopes.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { idNumberCheckCharacter } from "@tongban/contracts";
import {
  generateNoteKey,
  parseCheckpoint,
  parseNote,
  parseSignerKey,
  parseVerifierKey,
  signCheckpoint,
  verifyCosignature,
} from "@tongban/ledger";
import { generate } from "otplib";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareDemoFederation } from "../../src/modules/federation/demo-federation.ts";
import { sealEnvelope } from "../../src/modules/federation/envelope.ts";
import { formatAddCheckpoint } from "../../src/modules/federation/witness.ts";
import type { DemoAccount } from "../../src/seed/demo-world.ts";

const root = new URL("../../../../", import.meta.url).pathname;
const basePort = 19_300 + 3 * Math.floor(Math.random() * 60);
const dataDir = mkdtempSync(join(tmpdir(), "tb-federation-"));
const { nodes, trustListFile, adminKeyFile } = prepareDemoFederation({
  dataDir,
  port: basePort,
  host: "127.0.0.1",
  ledgerSm2: false,
});
const [FZ, WN] = [0, 1];
// With DATABASE_URL (the PostgreSQL run of the database tests) each node gets a database of its own.
const postgres = process.env.DATABASE_URL;
const databaseOf = (i: number) => {
  if (!postgres) return "";
  const url = new URL(postgres);
  url.pathname = `/tb_federation_${basePort}_${nodes[i]?.regionCode}`;
  return url.toString();
};
async function onPostgres(statement: (i: number) => string) {
  if (!postgres) return;
  const admin = new pg.Client({ connectionString: postgres });
  await admin.connect();
  for (const i of [0, 1, 2]) await admin.query(statement(i));
  await admin.end();
}
const processes: (ChildProcess | undefined)[] = [];
const urlOf = (i: number) => nodes[i]?.url as string;

function startNode(i: number): Promise<ChildProcess> {
  const node = nodes[i];
  if (!node) throw new Error(`no node ${i}`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "apps/server/src/main.ts"], {
      cwd: root,
      env: {
        ...process.env,
        PORT: String(node.port),
        DATA_DIR: node.dataDir,
        NODE_REGION: node.regionCode,
        DATABASE_URL: databaseOf(i),
        FEDERATION_TRUST_LIST: trustListFile,
        FEDERATION_ADMIN_KEY: `@${adminKeyFile}`,
        FEDERATION_RETRY_MAX_SECONDS: "1",
        DEMO_PROVIDERS: "false",
        LEDGER_SM2: "false",
        LOG_LEVEL: "warn",
        LOGIN_RATE_LIMIT_PER_MINUTE: "10000",
        AUTH_CACHE_SECONDS: "0",
        // Every node waits for its peers: each asks the others for their own readiness alone.
        FEDERATION_READY_PEERS: "true",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    processes[i] = child;
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
        reject(new Error(`node ${i} exited ${code}: ${output.slice(-1500)}`));
    });
  });
}

async function stopNode(i: number, signal: NodeJS.Signals = "SIGTERM") {
  const child = processes[i];
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill(signal);
  // A node that cannot stop in time is killed (and the test will show why it hung).
  const killer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  await exited;
  clearTimeout(killer);
}

// --- HTTP clients ------------------------------------------------------------------------------

interface Client {
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers of many shapes, each checked by the assertions
  call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }>;
}

function client(base: string): Client & { cookie?: string; csrf?: string } {
  const self: Client & { cookie?: string; csrf?: string } = {
    async call(method, path, body) {
      const response = await fetch(new URL(path, base), {
        method,
        headers: {
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
          ...(self.cookie ? { cookie: self.cookie } : {}),
          ...(self.csrf && method !== "GET" ? { "x-csrf-token": self.csrf } : {}),
          ...(method === "POST" && path.includes("/actions") ? { "idempotency-key": `k-${crypto.randomUUID()}` } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(20_000),
      }).catch((error) => {
        throw new Error(`${method} ${path}: ${(error as Error).message}`);
      });
      const setCookie = response.headers.get("set-cookie");
      const match = setCookie?.match(/tongban\.sid=([^;]*)/);
      if (match) self.cookie = `tongban.sid=${match[1]}`;
      const text = await response.text();
      const json = text ? JSON.parse(text) : undefined;
      if (json && typeof json.csrfToken === "string") self.csrf = json.csrfToken;
      return { status: response.status, json };
    },
  };
  return self;
}

const accountsOf = (i: number) =>
  JSON.parse(readFileSync(join(nodes[i]?.dataDir as string, "demo-accounts.json"), "utf8")) as DemoAccount[];
const lastStep = new Map<string, number>();
const signedIn = new Map<string, Client>();

// Sessions outlive node restarts (they are in each node's database), so each official logs in once.
async function staff(i: number, username: string) {
  const known = signedIn.get(`${i}/${username}`);
  if (known) return known;
  const c = await login(i, username);
  signedIn.set(`${i}/${username}`, c);
  return c;
}

async function login(i: number, username: string) {
  const account = accountsOf(i).find((a) => a.username === username);
  if (!account?.totpSecret) throw new Error(`no staff ${username}`);
  const c = client(urlOf(i));
  // The server accepts each TOTP step once per account: a second login waits for the next step.
  let step = Math.floor(Date.now() / 30_000);
  while (step <= (lastStep.get(username) ?? 0)) {
    await new Promise((r) => setTimeout(r, 1000));
    step = Math.floor(Date.now() / 30_000);
  }
  lastStep.set(username, step);
  const totp = await generate({ secret: account.totpSecret, epoch: step * 30 });
  const login = await c.call("POST", "/api/v1/auth/login", { username, password: account.password, totp });
  if (login.status !== 200) throw new Error(`login ${username}: ${JSON.stringify(login.json)}`);
  return c;
}

async function resident(i: number, username: string, password: string) {
  const c = client(urlOf(i));
  const login = await c.call("POST", "/api/v1/auth/login", { username, password });
  if (login.status !== 200) throw new Error(`login ${username}: ${JSON.stringify(login.json)}`);
  return c;
}

let lastSeen: unknown;
async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last seen ${JSON.stringify(lastSeen)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

// A resident born and registered in 渭南 (临渭区) who lives in 福州 and registers on 福州's portal.
const first17 = "61050219920806033";
const weinanIdNumber = first17 + idNumberCheckCharacter(first17);
const password = "Weinan-in-fz-2026";
const householdForm = { certificateKind: "household", subjectRelation: "self", purpose: "employment" };
let applicant: Client;

const caseAt = async (c: Client, id: string) => {
  const { json } = await c.call("GET", `/api/v1/federation/cases/${id}`);
  lastSeen = json;
  return json;
};
/** How a node applied the messages of batch deliveries so far (its /metrics). */
const batchMessages = async (node: number) => {
  const text = await (await fetch(new URL("metrics", urlOf(node)))).text();
  const count = (how: string) =>
    Number(text.match(new RegExp(`tongban_federation_batch_messages_total\\{applied="${how}"\\} (\\d+)`))?.[1]);
  return { together: count("together"), alone: count("alone") };
};
const handOver = async (c: Client) => {
  const response = await c.call("POST", "/api/v1/federation/cases", {
    serviceCode: "610500-GA-0001",
    form: householdForm,
  });
  expect(response.status, JSON.stringify(response.json)).toBe(201);
  return response.json as { id: string; status: string };
};

beforeAll(async () => {
  await onPostgres((i) => `create database ${new URL(databaseOf(i)).pathname.slice(1)}`);
  await Promise.all(nodes.map((_, i) => startNode(i)));
  const fz = client(urlOf(FZ));
  const registered = await fz.call("POST", "/api/v1/auth/register", {
    kind: "resident",
    name: "赵磊",
    idNumber: weinanIdNumber,
    phone: "13859071268",
    password,
  });
  expect(registered.status, JSON.stringify(registered.json)).toBe(201);
  applicant = fz;
}, 240_000);

afterAll(async () => {
  await Promise.all(nodes.map((_, i) => stopNode(i)));
  await onPostgres((i) => `drop database if exists ${new URL(databaseOf(i)).pathname.slice(1)} with (force)`);
  rmSync(dataDir, { recursive: true, force: true });
});

describe("three federated nodes", { timeout: 150_000 }, () => {
  it("verify the same trust list and the first node is ready only with its peers", async () => {
    for (const i of [0, 1, 2]) {
      const peers = (await client(urlOf(i)).call("GET", "/api/v1/federation/peers")).json;
      expect(peers.self).toBe(nodes[i]?.regionCode);
      expect(peers.peers.map((p: { regionCode: string }) => p.regionCode)).toEqual(["350100", "610500", "500000"]);
    }
    for (const i of [0, 1, 2]) expect((await fetch(new URL("readyz", urlOf(i)))).status).toBe(200);
  });

  it("全程网办: a 渭南 household certificate applied for in 福州 is decided in 渭南 and followed from 福州", async () => {
    // 林晓燕's household is in 福州: 渭南 is not competent for her.
    const lin = accountsOf(FZ).find((a) => a.username.startsWith("350102"));
    const linClient = await resident(FZ, lin?.username as string, lin?.password as string);
    const refused = await linClient.call("POST", "/api/v1/federation/cases", {
      serviceCode: "610500-GA-0001",
      form: householdForm,
    });
    expect(refused.status).toBe(400);
    expect(refused.json.details[0]).toMatchObject({ field: "serviceCode", reason: "NOT_COMPETENT" });
    // 福州's portal offers 渭南's and 重庆's services that can be handled fully online, from their catalogues.
    const offered = await client(urlOf(FZ)).call("GET", "/api/v1/federation/services");
    expect(offered.status).toBe(200);
    const household = offered.json.services.find((s: { code: string }) => s.code === "610500-GA-0001");
    expect(household).toMatchObject({ regionCode: "610500", regionName: expect.stringContaining("渭南") });
    expect(offered.json.services.every((s: { regionCode: string }) => s.regionCode !== "350100")).toBe(true);
    expect(offered.json.unavailable).toEqual([]);
    const guide = await client(urlOf(FZ)).call("GET", "/api/v1/federation/services/610500-GA-0001");
    expect(guide.json).toMatchObject({ regionCode: "610500", item: { code: "610500-GA-0001" } });
    // The form is checked here against 渭南's form before anything is handed over, field by field.
    const incomplete = await applicant.call("POST", "/api/v1/federation/cases", {
      serviceCode: "610500-GA-0001",
      form: { certificateKind: "household", subjectRelation: "nobody" },
    });
    expect(incomplete.status).toBe(400);
    expect(incomplete.json.code).toBe("VALIDATION_FAILED");
    expect(incomplete.json.details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: "form.purpose", reason: "REQUIRED" }),
        expect.objectContaining({ field: "form.subjectRelation", reason: "INVALID_VALUE" }),
      ]),
    );

    const handed = await handOver(applicant);
    expect(handed.status).toBe("handed_over");
    const filed = await until("the case filed in 渭南", async () => {
      const c = await caseAt(applicant, handed.id);
      return c.status === "submitted" ? c : undefined;
    });
    expect(filed).toMatchObject({ originRegion: "350100", competentRegion: "610500", competentName: "渭南市" });
    expect(filed.competentNumber).toMatch(/^610500-/);

    // 渭南's staff accept and decide it as one of their own cases.
    const window = await staff(WN, "wn.ga.window");
    const accepted = await window.call("POST", `/api/v1/applications/${handed.id}/actions`, { type: "accept" });
    expect(accepted.status, JSON.stringify(accepted.json)).toBe(200);
    const handler = await staff(WN, "wn.ga.handler");
    const approved = await handler.call("POST", `/api/v1/applications/${handed.id}/actions`, {
      type: "approve",
      opinion: "经核查户籍档案，情况属实，准予出具。",
    });
    expect(approved.status, JSON.stringify(approved.json)).toBe(200);

    const followed = await until("the decision back in 福州", async () => {
      const c = await caseAt(applicant, handed.id);
      return c.status === "approved" ? c : undefined;
    });
    expect(followed.timeline.map((s: { type: string }) => s.type)).toEqual(["submit", "accept", "approve"]);
    const sent = followed.messages.filter((m: { direction: string }) => m.direction === "sent");
    const received = followed.messages.filter((m: { direction: string }) => m.direction === "received");
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ type: "case.handover", peerRegion: "610500", status: "delivered" });
    expect(received.map((m: { type: string }) => m.type)).toEqual(["case.update", "case.update", "case.update"]);
    // 渭南's staff see the same case with its origin.
    const atWeinan = await caseAt(handler, handed.id);
    expect(atWeinan).toMatchObject({ role: "competent", originRegion: "350100", status: "approved" });
    // Someone else's case is not found.
    expect((await linClient.call("GET", `/api/v1/federation/cases/${handed.id}`)).status).toBe(404);
  });

  it("异地代收代办: 福州's window receives a 渭南 resident in person, 渭南 decides, 福州's window delivers", async () => {
    // 王芳 of 渭南 (临渭区) comes to 福州's service hall; she has no account in 福州.
    const first = "61050219880412052";
    const wang = first + idNumberCheckCharacter(first);
    const pdf = Buffer.from("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n").toString("base64");
    const request = {
      serviceCode: "610500-GA-0001",
      applicant: { kind: "resident", identifier: wang, name: "王芳", phone: "13991356021" },
      form: {
        certificateKind: "kinship",
        subjectRelation: "self",
        purpose: "education",
        relatedPersonName: "王小明",
        relatedPersonIdNumber: weinanIdNumber,
      },
      identityCheck: { document: "resident_id_card", method: "card_reader", verified: true },
      materials: [{ code: "kinship_proof", fileName: "出生医学证明.pdf", content: pdf, originalSeen: true }],
      materialsChecked: true,
      note: "原件已核验并退还",
    };
    const window = await staff(FZ, "fz.window");
    // Every problem at once, field by field.
    const bad = await window.call("POST", "/api/v1/federation/remote-cases", {
      ...request,
      applicant: { ...request.applicant, identifier: first + (wang.endsWith("0") ? "1" : "0") },
      form: { certificateKind: "kinship", subjectRelation: "self" },
      materials: [
        {
          code: "kinship_proof",
          fileName: "x.txt",
          content: Buffer.from("plain text").toString("base64"),
          originalSeen: false,
        },
      ],
    });
    expect(bad.status).toBe(400);
    const fields = bad.json.details.map((d: { field: string }) => d.field);
    expect(fields).toEqual(
      expect.arrayContaining(["applicant.identifier", "form.purpose", "form.relatedPersonName", "materials.0.content"]),
    );
    const unchecked = await window.call("POST", "/api/v1/federation/remote-cases", {
      ...request,
      identityCheck: { ...request.identityCheck, verified: false },
      materialsChecked: false,
    });
    expect(unchecked.status).toBe(400);
    expect(unchecked.json.details.map((d: { field: string }) => d.field)).toEqual(
      expect.arrayContaining(["identityCheck.verified", "materialsChecked"]),
    );
    // Only window staff receive cases; a resident or a handler cannot.
    expect((await applicant.call("POST", "/api/v1/federation/remote-cases", request)).status).toBe(403);
    expect(
      (await (await staff(FZ, "fz.ga.handler")).call("POST", "/api/v1/federation/remote-cases", request)).status,
    ).toBe(403);

    const received = await window.call("POST", "/api/v1/federation/remote-cases", request);
    expect(received.status, JSON.stringify(received.json)).toBe(201);
    expect(received.json).toMatchObject({
      mode: "remote_acceptance",
      status: "handed_over",
      reception: { identityCheck: { verified: true }, materials: [{ code: "kinship_proof", originalSeen: true }] },
    });
    const id = received.json.id as string;
    await until("the case filed in 渭南", async () =>
      (await caseAt(window, id)).status === "submitted" ? true : undefined,
    );
    // Not decided yet: nothing to deliver.
    const early = await window.call("POST", `/api/v1/federation/cases/${id}/deliver`, {
      recipientCheck: { document: "resident_id_card", method: "card_reader", verified: true },
    });
    expect(early.status).toBe(409);

    // 渭南 decides with the material the window scanned; approval power stays there.
    const wnWindow = await staff(WN, "wn.ga.window");
    const atWeinan = (await wnWindow.call("GET", `/api/v1/applications/${id}`)).json;
    expect(atWeinan.materials.map((m: { materialCode: string }) => m.materialCode)).toEqual(["kinship_proof"]);
    // The window's identity and materials checks travel with the case, in its submission.
    expect(JSON.stringify(atWeinan.actions[0].payload)).toContain("card_reader");
    expect((await wnWindow.call("POST", `/api/v1/applications/${id}/actions`, { type: "accept" })).status).toBe(200);
    const wnHandler = await staff(WN, "wn.ga.handler");
    const approved = await wnHandler.call("POST", `/api/v1/applications/${id}/actions`, {
      type: "approve",
      opinion: "经核查户籍档案与出生医学证明，亲属关系属实，准予出具。",
    });
    expect(approved.status, JSON.stringify(approved.json)).toBe(200);
    const decided = await until("the decision back at 福州's window", async () => {
      const c = await caseAt(window, id);
      return c.status === "approved" ? c : undefined;
    });
    expect(decided.canDeliver).toBe(true);

    // 渭南's own window does not deliver it: the result goes back to the window that received it.
    const notHere = await wnWindow.call("POST", `/api/v1/applications/${id}/actions`, {
      type: "deliver",
      method: "window",
    });
    expect(notHere.status).toBe(409);
    expect(notHere.json.details.reason).toContain("福州市");

    // Another department's window neither sees nor delivers it.
    const otherWindow = await staff(FZ, "fz.mz.window");
    expect((await otherWindow.call("GET", `/api/v1/federation/cases/${id}`)).status).toBe(404);
    expect(
      (
        await otherWindow.call("POST", `/api/v1/federation/cases/${id}/deliver`, {
          recipientCheck: { document: "resident_id_card", method: "card_reader", verified: true },
        })
      ).status,
    ).toBe(403);
    const listed = (await window.call("GET", "/api/v1/federation/cases")).json;
    expect(listed.map((c: { id: string }) => c.id)).toContain(id);

    const delivered = await window.call("POST", `/api/v1/federation/cases/${id}/deliver`, {
      recipientCheck: { document: "resident_id_card", method: "card_reader", verified: true },
      note: "电子证明已打印交申请人",
    });
    expect(delivered.status, JSON.stringify(delivered.json)).toBe(200);
    expect(delivered.json).toMatchObject({ status: "delivered", delivery: { recipientCheck: { verified: true } } });
    expect(
      (
        await window.call("POST", `/api/v1/federation/cases/${id}/deliver`, {
          recipientCheck: { document: "resident_id_card", method: "card_reader", verified: true },
        })
      ).status,
    ).toBe(409);
    // 渭南 records the delivery at 福州's window, so no window there hands it out again.
    await until("the delivery recorded in 渭南", async () => {
      const c = (await wnWindow.call("GET", `/api/v1/applications/${id}`)).json;
      lastSeen = c;
      return c.status === "delivered" ? c : undefined;
    });
  });

  it("多地联办: moving a household from 福州 to 渭南 runs 准迁 in 渭南, 迁出 in 福州, 落户 in 渭南 as one case", async () => {
    const lin = accountsOf(FZ).find((a) => a.username.startsWith("350102"));
    const linClient = await resident(FZ, lin?.username as string, lin?.password as string);
    const form = {
      fromRegion: "350102",
      fromAddress: "福建省福州市鼓楼区东街 12 号",
      toAddress: "陕西省渭南市临渭区朝阳大街 66 号 3 单元 502 室",
      moveReason: "house_purchase",
      movers: "1",
    };
    const outside = await linClient.call("POST", "/api/v1/federation/cases", {
      serviceCode: "610500-GA-0101",
      form: { ...form, fromRegion: "110101" },
    });
    expect(outside.status).toBe(400);
    expect(outside.json.details[0]).toMatchObject({ field: "form.fromRegion", reason: "NOT_A_MEMBER" });
    const offered = (await client(urlOf(FZ)).call("GET", "/api/v1/federation/services")).json;
    expect(offered.services.map((s: { code: string }) => s.code)).toContain("610500-GA-0101");

    const applied = await linClient.call("POST", "/api/v1/federation/cases", { serviceCode: "610500-GA-0101", form });
    expect(applied.status, JSON.stringify(applied.json)).toBe(201);
    expect(applied.json.mode).toBe("joint");
    const id = applied.json.id as string;
    const planned = await until("the linked steps planned by 渭南", async () => {
      const c = await caseAt(linClient, id);
      return c.jointSteps ? c : undefined;
    });
    expect(planned.jointSteps.map((s: { key: string; regionCode: string }) => `${s.key}@${s.regionCode}`)).toEqual([
      "permit@610500",
      "move_out@350100",
      "settle@610500",
    ]);

    // 1. 准迁 in 渭南.
    const wnWindow = await staff(WN, "wn.ga.window");
    const wnHandler = await staff(WN, "wn.ga.handler");
    expect((await wnWindow.call("POST", `/api/v1/applications/${id}/actions`, { type: "accept" })).status).toBe(200);
    const permit = await wnHandler.call("POST", `/api/v1/applications/${id}/actions`, {
      type: "approve",
      opinion: "购房落户条件符合，准予迁入。",
    });
    expect(permit.status, JSON.stringify(permit.json)).toBe(200);

    // 2. 迁出 in 福州: filed there as one of its own cases, in its 公安 queue.
    const fzWindow = await staff(FZ, "fz.ga.window");
    const moveOut = await until("the 迁出 step filed in 福州", async () => {
      const list = (await fzWindow.call("GET", "/api/v1/applications?serviceCode=350100-GA-0102")).json;
      lastSeen = list;
      return list.find((a: { status: string }) => a.status === "submitted");
    });
    const moveOutCase = (await fzWindow.call("GET", `/api/v1/applications/${moveOut.id}`)).json;
    expect(moveOutCase.form).toMatchObject({
      fromAddress: form.fromAddress,
      permitNumber: expect.stringMatching(/^610500-/),
    });
    // Staff of another department neither see nor act on it; another resident cannot read the joint case.
    const mzHandler = await staff(FZ, "fz.mz.handler");
    expect(
      (await mzHandler.call("POST", `/api/v1/applications/${moveOut.id}/actions`, { type: "accept" })).status,
    ).toBe(404);
    expect((await applicant.call("GET", `/api/v1/federation/cases/${id}`)).status).toBe(404);
    expect((await fzWindow.call("POST", `/api/v1/applications/${moveOut.id}/actions`, { type: "accept" })).status).toBe(
      200,
    );
    const fzHandler = await staff(FZ, "fz.ga.handler");
    const movedOut = await fzHandler.call("POST", `/api/v1/applications/${moveOut.id}/actions`, {
      type: "approve",
      opinion: "准迁信息核验无误，办理迁出。",
    });
    expect(movedOut.status, JSON.stringify(movedOut.json)).toBe(200);

    // 3. 落户 in 渭南, filed there by itself once 福州 reports the 迁出.
    const settle = await until("the 落户 step filed in 渭南", async () => {
      const list = (await wnWindow.call("GET", "/api/v1/applications?serviceCode=610500-GA-0103")).json;
      lastSeen = list;
      return list.find((a: { status: string }) => a.status === "submitted");
    });
    expect((await wnWindow.call("POST", `/api/v1/applications/${settle.id}/actions`, { type: "accept" })).status).toBe(
      200,
    );
    expect(
      (
        await wnHandler.call("POST", `/api/v1/applications/${settle.id}/actions`, {
          type: "approve",
          opinion: "迁移证明已核验，准予落户。",
        })
      ).status,
    ).toBe(200);

    // The resident sees one case with every node's steps on one timeline.
    const done = await until("the joint case finished at 福州", async () => {
      const c = await caseAt(linClient, id);
      return c.status === "approved" ? c : undefined;
    });
    expect(done.jointSteps.map((s: { status: string }) => s.status)).toEqual(["approved", "approved", "approved"]);
    expect(done.jointSteps.every((s: { number: string | null }) => s.number)).toBe(true);
    const regions = new Set(done.timeline.map((s: { region: string }) => s.region));
    expect(regions).toEqual(new Set(["610500", "350100"]));
    expect(
      done.timeline.filter((s: { type: string }) => s.type === "approve").map((s: { stepKey: string }) => s.stepKey),
    ).toEqual(["permit", "move_out", "settle"]);
  });

  it("多地联办 applied for on the coordinating node's own portal plans its linked steps there too", async () => {
    const local = accountsOf(WN).find((a) => a.username.startsWith("6105"));
    const c = await resident(WN, local?.username as string, local?.password as string);
    const draft = await c.call("POST", "/api/v1/applications", { serviceCode: "610500-GA-0101", channel: "pc" });
    expect(draft.status, JSON.stringify(draft.json)).toBe(201);
    const id = draft.json.id as string;
    const form = {
      fromRegion: "610502",
      fromAddress: "福建省福州市鼓楼区东街 12 号",
      toAddress: "陕西省渭南市临渭区朝阳大街 66 号",
      moveReason: "spouse",
      movers: "1",
    };
    await c.call("PATCH", `/api/v1/applications/${id}`, { form });
    // 渭南 cannot be both ends of the move: the submission is refused on that field and nothing stays.
    const refused = await c.call("POST", `/api/v1/applications/${id}/actions`, { type: "submit" });
    expect(refused.status).toBe(400);
    expect(refused.json.details[0]).toMatchObject({ field: "form.fromRegion", reason: "NOT_A_MEMBER" });
    expect((await c.call("GET", `/api/v1/applications/${id}`)).json.status).toBe("draft");
    await c.call("PATCH", `/api/v1/applications/${id}`, { form: { ...form, fromRegion: "350102" } });
    const submitted = await c.call("POST", `/api/v1/applications/${id}/actions`, { type: "submit" });
    expect(submitted.status, JSON.stringify(submitted.json)).toBe(200);
    const mine = (await c.call("GET", "/api/v1/federation/cases")).json;
    const joint = mine.find((x: { id: string }) => x.id === id);
    expect(joint).toMatchObject({ mode: "joint", originRegion: "610500", competentRegion: "610500" });
    expect(joint.jointSteps.map((s: { regionCode: string }) => s.regionCode)).toEqual(["610500", "350100", "610500"]);
  });

  it("refuses a hand-over whose file is not the one its envelope describes, and files nothing", async () => {
    const fuzhouKey = JSON.parse(
      readFileSync(join(nodes[FZ]?.dataDir as string, "keys", "federation-node-key"), "utf8"),
    );
    const caseId = crypto.randomUUID();
    const pdf = Buffer.from("%PDF-1.4\n%%EOF\n");
    const envelope = sealEnvelope(
      {
        id: crypto.randomUUID(),
        from: "350100",
        to: "610500",
        type: "case.handover",
        subject: caseId,
        idempotencyKey: `${caseId}/handover`,
        body: {
          caseId,
          number: "350100-X-FORGED",
          mode: "remote_acceptance",
          serviceCode: "610500-GA-0001",
          serviceName: "户籍类证明开具",
          applicant: { kind: "resident", identifier: weinanIdNumber, name: "赵磊", phone: null },
          form: householdForm,
          channel: "window",
          materials: [
            { code: "kinship_proof", fileName: "a.pdf", sha256: "0".repeat(64), content: pdf.toString("base64") },
          ],
        },
      },
      parseSignerKey(fuzhouKey.signerKey),
      new Date(),
      crypto.randomUUID().replaceAll("-", ""),
    );
    const answer = await fetch(new URL("api/v1/federation/inbox", urlOf(WN)), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(envelope),
    });
    expect(answer.status).toBe(422);
    const refusal = await answer.json();
    expect(refusal.code).toBe("FEDERATION_MESSAGE_REFUSED");
    expect(JSON.stringify(refusal.details)).toContain("materials.0.sha256");
    const handler = await staff(WN, "wn.ga.handler");
    expect((await handler.call("GET", `/api/v1/applications/${caseId}`)).status).toBe(404);
  });

  it("files several hand-overs delivered in one request together, each once, and a bad one alone", async () => {
    const fuzhouKey = parseSignerKey(
      JSON.parse(readFileSync(join(nodes[FZ]?.dataDir as string, "keys", "federation-node-key"), "utf8")).signerKey,
    );
    const handover = (form: Record<string, unknown>) => {
      const caseId = crypto.randomUUID();
      return {
        id: crypto.randomUUID(),
        from: "350100",
        to: "610500",
        type: "case.handover",
        subject: caseId,
        idempotencyKey: `${caseId}/handover`,
        body: {
          caseId,
          number: `350100-BATCH-${caseId.slice(0, 8)}`,
          mode: "online",
          serviceCode: "610500-GA-0001",
          serviceName: "户籍类证明开具",
          applicant: { kind: "resident", identifier: weinanIdNumber, name: "赵磊", phone: null },
          form,
          channel: "pc",
        },
      };
    };
    const seal = (content: ReturnType<typeof handover>) =>
      sealEnvelope(content, fuzhouKey, new Date(), crypto.randomUUID().replaceAll("-", ""));
    const deliver = async (envelopes: unknown[]) => {
      const response = await fetch(new URL("api/v1/federation/inbox/batch", urlOf(WN)), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ envelopes }),
      });
      expect(response.status).toBe(200);
      return (await response.json()).answers as {
        status: number;
        receipt?: { messageId: string; receivedAt: string };
        error?: { code: string; details?: unknown };
      }[];
    };
    const handler = await staff(WN, "wn.ga.handler");
    const admin = await staff(WN, "wn.admin");
    const handedOver = async (id: string) =>
      (await admin.call("GET", `/api/v1/federation/messages?direction=received&subject=${id}`)).json.filter(
        (m: { type: string }) => m.type === "case.handover",
      ).length;

    const before = await batchMessages(WN);
    const contents = [handover(householdForm), handover(householdForm), handover(householdForm)];
    const sealed = contents.map(seal);
    const first = await deliver(sealed);
    expect(first.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(first.map((a) => a.receipt?.messageId)).toEqual(contents.map((c) => c.id));
    const numbers = new Set<string>();
    for (const content of contents) {
      const filed = (await handler.call("GET", `/api/v1/applications/${content.subject}`)).json;
      expect(filed).toMatchObject({ status: "submitted", serviceCode: "610500-GA-0001", form: householdForm });
      numbers.add(filed.number);
      expect(await handedOver(content.subject)).toBe(1);
    }
    expect(numbers.size).toBe(3);
    expect(await batchMessages(WN)).toEqual({ together: before.together + 3, alone: before.alone });

    // Sent again with fresh nonces (the receipts were lost): the first receipts, nothing filed twice.
    const again = await deliver(contents.map(seal));
    expect(again.map((a) => a.receipt)).toEqual(first.map((a) => a.receipt));
    for (const content of contents) expect(await handedOver(content.subject)).toBe(1);
    // The same envelopes captured and sent again: each a replay.
    const replayed = await deliver(sealed);
    expect(replayed.map((a) => [a.status, a.error?.code])).toEqual(sealed.map(() => [409, "ENVELOPE_REPLAYED"]));

    // One form the competent node refuses: the batch's transaction is undone and each applied alone.
    const good = handover(householdForm);
    const bad = handover({ certificateKind: "household" });
    const mixed = await deliver([seal(good), seal(bad)]);
    expect(mixed[0]?.status).toBe(200);
    expect(mixed[1]).toMatchObject({ status: 422, error: { code: "FEDERATION_MESSAGE_REFUSED" } });
    expect(JSON.stringify(mixed[1]?.error?.details)).toContain("form.");
    expect((await handler.call("GET", `/api/v1/applications/${good.subject}`)).json.status).toBe("submitted");
    expect((await handler.call("GET", `/api/v1/applications/${bad.subject}`)).status).toBe(404);
    expect(await handedOver(good.subject)).toBe(1);
    expect(await handedOver(bad.subject)).toBe(0);
    expect((await batchMessages(WN)).alone).toBe(before.alone + 2);
  });

  it("commits hand-overs requested at the same moment together, each answered with its own case and message", async () => {
    const apply = (form: Record<string, unknown>) =>
      applicant.call("POST", "/api/v1/federation/cases", { serviceCode: "610500-GA-0001", form });
    const answers = await Promise.all([
      ...Array.from({ length: 6 }, () => apply(householdForm)),
      apply({ certificateKind: "household" }),
    ]);
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201, 201, 201, 400]);
    const handed = answers.slice(0, 6).map((a) => a.json);
    expect(new Set(handed.map((c) => c.id)).size).toBe(6);
    expect(new Set(handed.map((c) => c.number)).size).toBe(6);
    for (const c of handed) {
      expect(c).toMatchObject({ status: "handed_over", originRegion: "350100", competentRegion: "610500" });
      expect(c.messages).toEqual([
        expect.objectContaining({ direction: "sent", type: "case.handover", subject: c.id, status: "pending" }),
      ]);
    }
    for (const c of handed) {
      const filed = await until(`case ${c.id} filed`, async () => {
        const seen = await caseAt(applicant, c.id);
        return seen.status === "submitted" ? seen : undefined;
      });
      const sent = filed.messages.find((m: { type: string }) => m.type === "case.handover");
      expect(sent).toMatchObject({ id: c.messages[0].id, at: c.messages[0].at, status: "delivered" });
    }
  });

  it("keeps cases handed over while the competent node is down and delivers each once when it is back", async () => {
    await stopNode(WN);
    const handed = [await handOver(applicant), await handOver(applicant), await handOver(applicant)];
    const peers = await until("three messages waiting", async () => {
      const list = (await applicant.call("GET", "/api/v1/federation/peers")).json;
      const weinan = list.peers.find((p: { regionCode: string }) => p.regionCode === "610500");
      return weinan.pendingMessages >= 3 ? weinan : undefined;
    });
    expect(peers.pendingMessages).toBe(3);
    for (const { id } of handed) expect((await caseAt(applicant, id)).status).toBe("handed_over");
    const notReady = await fetch(new URL("readyz", urlOf(FZ)));
    expect(notReady.status).toBe(503);
    expect(JSON.stringify(await notReady.json())).toContain("610500");
    expect((await fetch(new URL("readyz?local=1", urlOf(FZ)))).status).toBe(200);

    await startNode(WN);
    for (const { id } of handed)
      await until(`case ${id} filed`, async () =>
        (await caseAt(applicant, id)).status === "submitted" ? true : undefined,
      );
    const admin = await staff(WN, "wn.admin");
    const inbox = (await admin.call("GET", "/api/v1/federation/messages?direction=received&limit=200")).json;
    for (const { id } of handed)
      expect(
        inbox.filter((m: { subject: string; type: string }) => m.subject === id && m.type === "case.handover"),
      ).toHaveLength(1);
    // Whether they came in one request or several, none was applied alone after a batch failed.
    expect((await batchMessages(WN)).alone).toBe(0);
  });

  it("loses nothing when the sender is killed before it could deliver", async () => {
    await stopNode(WN);
    const handed = await handOver(applicant);
    await stopNode(FZ, "SIGKILL");
    await startNode(FZ);
    await startNode(WN);
    applicant = await resident(FZ, weinanIdNumber, password);
    await until("the case filed after both restarts", async () =>
      (await caseAt(applicant, handed.id)).status === "submitted" ? true : undefined,
    );
    const admin = await staff(WN, "wn.admin");
    const inbox = (await admin.call("GET", "/api/v1/federation/messages?direction=received&limit=200")).json;
    expect(inbox.filter((m: { subject: string }) => m.subject === handed.id)).toHaveLength(1);
  });

  it("refuses forged and replayed envelopes and tells 福州's security officer", async () => {
    const handed = await handOver(applicant);
    await until("filed", async () => ((await caseAt(applicant, handed.id)).status === "submitted" ? true : undefined));
    const inbox = new URL("api/v1/federation/inbox", urlOf(FZ));
    const post = async (envelope: unknown) =>
      fetch(inbox, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(envelope) });
    const content = {
      id: crypto.randomUUID(),
      from: "610500",
      to: "350100",
      type: "case.update",
      subject: handed.id,
      idempotencyKey: `${handed.id}/update/77`,
      body: {
        caseId: handed.id,
        competentNumber: "610500-X",
        seq: 77,
        type: "note",
        status: "submitted",
        step: null,
        at: new Date().toISOString(),
      },
    };
    // A key 渭南 never had.
    const intruder = parseSignerKey(generateNoteKey("tongban-node-610500").signerKey);
    const forged = await post(sealEnvelope(content, intruder, new Date(), crypto.randomUUID().replaceAll("-", "")));
    expect(forged.status).toBe(403);
    expect((await forged.json()).code).toBe("ENVELOPE_UNTRUSTED_SENDER");
    // 渭南's own key (as if the envelope were captured on the way): accepted once, its copy refused.
    const weinanKey = JSON.parse(
      readFileSync(join(nodes[WN]?.dataDir as string, "keys", "federation-node-key"), "utf8"),
    );
    const genuine = sealEnvelope(
      content,
      parseSignerKey(weinanKey.signerKey),
      new Date(),
      crypto.randomUUID().replaceAll("-", ""),
    );
    expect((await post(genuine)).status).toBe(200);
    const replayed = await post(genuine);
    expect(replayed.status).toBe(409);
    expect((await replayed.json()).code).toBe("ENVELOPE_REPLAYED");
    const altered = await post({ ...genuine, nonce: crypto.randomUUID().replaceAll("-", "") });
    expect((await altered.json()).code).toBe("ENVELOPE_BAD_SIGNATURE");

    const security = await staff(FZ, "fz.security");
    const events = (await security.call("GET", "/api/v1/security/events?source=federation")).json;
    const types = events.map((e: { type: string }) => e.type);
    expect(types).toEqual(
      expect.arrayContaining([
        "federation.envelope_untrusted_sender",
        "federation.envelope_replayed",
        "federation.envelope_bad_signature",
      ]),
    );
  });

  it("has its checkpoints cosigned by the peers' witnesses, and a forked ledger is detected by them", async () => {
    const peers = (await client(urlOf(FZ)).call("GET", "/api/v1/federation/peers")).json;
    const witnessKey = (region: string) =>
      parseVerifierKey(
        peers.peers
          .find((p: { regionCode: string }) => p.regionCode === region)
          .keys.find((k: { use: string }) => k.use === "witness").key,
      );
    // 渭南 and 重庆 cosign 福州's latest checkpoint within a few seconds.
    const cosigned = await until("福州's checkpoint cosigned by both peers", async () => {
      const response = await fetch(new URL("api/v1/federation/checkpoint", urlOf(FZ)));
      const note = await response.text();
      const both = ["610500", "500000"].every((region) => verifyCosignature(note, witnessKey(region)).ok);
      return both ? note : undefined;
    });
    const parsed = parseNote(cosigned);
    const checkpoint = parsed.ok ? parseCheckpoint(parsed.value.text) : undefined;
    expect(checkpoint?.ok).toBe(true);

    // 福州's ledger key signs a second history: a checkpoint of a size 渭南 has witnessed, another root.
    const ledgerKey = JSON.parse(readFileSync(join(nodes[FZ]?.dataDir as string, "keys", "ledger-note-key"), "utf8"));
    const addCheckpoint = (body: string) =>
      fetch(new URL("api/v1/federation/witness/add-checkpoint", urlOf(WN)), {
        method: "POST",
        headers: { "content-type": "text/plain" },
        body,
      });
    const probe = signCheckpoint(
      { origin: "tongban.local/350100/ledger", treeSize: 1, rootHash: new Uint8Array(32).fill(7), extensions: [] },
      [parseSignerKey(ledgerKey.signerKey)],
    );
    const held = await addCheckpoint(formatAddCheckpoint(0, [], probe));
    expect(held.status).toBe(409);
    const heldSize = Number((await held.text()).trim());
    expect(heldSize).toBeGreaterThan(0);
    const rewritten = signCheckpoint(
      {
        origin: "tongban.local/350100/ledger",
        treeSize: heldSize,
        rootHash: new Uint8Array(32).fill(9),
        extensions: [],
      },
      [parseSignerKey(ledgerKey.signerKey)],
    );
    const refused = await addCheckpoint(formatAddCheckpoint(heldSize, [], rewritten));
    expect(refused.status).toBe(409);
    const security = await staff(WN, "wn.security");
    const events = (await security.call("GET", "/api/v1/security/events?type=federation.ledger_fork")).json;
    expect(events[0]).toMatchObject({ type: "federation.ledger_fork", severity: "high" });
    expect(events[0].details).toMatchObject({ log: "350100" });
  });
});
