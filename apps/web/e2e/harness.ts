/**
 * What every browser test file needs: a built web app, a real server on a fresh data folder,
 * Debian's Chromium, an axe scan, and TOTP codes for the demo staff.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import AxeBuilder from "@axe-core/playwright";
import { generate } from "otplib";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
export const webRoot = resolve(here, "..");
export const repoRoot = resolve(webRoot, "../..");

export const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
export const hasChromium = existsSync(CHROMIUM);
const missingChromium = `Chromium is missing at ${CHROMIUM}; install it with \`apt-get install chromium\` to run the browser tests.`;

/**
 * A describe block that needs Chromium. Without it the tests are skipped with a message, except
 * under CI, where a missing browser must fail the run rather than pass it silently.
 */
export function browserSuite(name: string, body: () => void) {
  if (!hasChromium && process.env.CI) {
    describe(name, () => {
      it("has Chromium to run in", () => {
        throw new Error(missingChromium);
      });
    });
    return;
  }
  if (!hasChromium) console.warn(`[${name}] skipped: ${missingChromium}`);
  describe.skipIf(!hasChromium)(name, body);
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

// Reduced motion: the app then turns antd's animations off, so axe never sees a half-faded colour.
export const phone = {
  viewport: { width: 390, height: 844 },
  isMobile: true,
  hasTouch: true,
  deviceScaleFactor: 2,
  reducedMotion: "reduce" as const,
};
export const desktop = { viewport: { width: 1366, height: 900 }, reducedMotion: "reduce" as const };

// The API calls and full page loads of each page, reported when a scenario fails.
const apiCalls = new WeakMap<Page, string[]>();

export async function newPage(browser: Browser, options: Parameters<Browser["newContext"]>[0] = desktop) {
  const context: BrowserContext = await browser.newContext(options);
  const page: Page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  const calls: string[] = [];
  apiCalls.set(page, calls);
  page.on("response", (response) => {
    const url = new URL(response.url());
    if (url.pathname.startsWith("/api/")) {
      calls.push(
        `${new Date().toISOString().slice(11, 23)} ${response.request().method()} ${url.pathname} → ${response.status()}`,
      );
    }
  });
  page.on("framenavigated", (frame) => {
    if (frame === page.mainFrame()) calls.push(`${new Date().toISOString().slice(11, 23)} navigated ${frame.url()}`);
  });
  return { context, page, problems };
}

// --- building the web app -----------------------------------------------------------------------

function newestChange(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestChange(join(path, entry)));
  return newest;
}

/** Builds apps/web when dist is missing or older than any of its sources (contracts included). */
export function ensureBuilt() {
  const built = join(webRoot, "dist", "index.html");
  const sources = [
    join(webRoot, "src"),
    join(webRoot, "public"),
    join(webRoot, "index.html"),
    join(webRoot, "vite.config.ts"),
    join(repoRoot, "packages", "contracts", "src"),
    join(repoRoot, "packages", "ledger", "src"),
  ];
  const builtAt = existsSync(built) ? statSync(built).mtimeMs : 0;
  if (builtAt > 0 && Math.max(...sources.map(newestChange)) <= builtAt) return;
  try {
    // Vitest sets NODE_ENV=test, which Vite would honour and build React's development runtime.
    execFileSync("npx", ["vite", "build", "--logLevel", "warn"], {
      cwd: webRoot,
      stdio: "pipe",
      timeout: 240_000,
      env: { ...process.env, NODE_ENV: "production" },
    });
  } catch (error) {
    const output = error as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`vite build failed:\n${output.stdout?.toString() ?? ""}\n${output.stderr?.toString() ?? ""}`);
  }
}

// --- the server -----------------------------------------------------------------------------------

export interface DemoAccount {
  username: string;
  password: string;
  roles: string[];
  department: string | null;
  region: string | null;
  totpSecret: string | null;
}

export interface RunningServer {
  baseUrl: string;
  accounts: DemoAccount[];
  /** How far the server's clock is from the real one (0 unless the test moved it). */
  readonly clockOffsetMs: number;
  /** Finds a demo account, e.g. account("fz.admin"). */
  account(username: string): DemoAccount;
  /** The first demo resident of a region (Fuzhou unless told). */
  resident(region?: string): DemoAccount;
  /** Stops the server and starts it again on the same data and port, with the clock moved by `clockOffsetMs`. */
  restart(options?: ServerOptions): Promise<void>;
  stop(): Promise<void>;
}

export interface ServerOptions {
  /** Runs the server's clocks this far from the real time, e.g. weeks back to make cases overdue now. */
  clockOffsetMs?: number;
  /**
   * Starts the demo department systems (公安, 民政, 教育, 人社) on ports of this server's own, so
   * scenarios that fetch shared data talk to systems that trust this server's gateway key.
   */
  demoProviders?: boolean;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((answer) => {
    const server = createServer();
    server.once("error", () => answer(false));
    server.listen(port, "127.0.0.1", () => server.close(() => answer(true)));
  });
}

/** The first of `count` consecutive free ports (the demo department systems take four in a row). */
export async function freePortRun(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = 20_000 + Math.floor(Math.random() * 30_000);
    let free = true;
    for (let port = first; port < first + count && free; port++) free = await portIsFree(port);
    if (free) return first;
  }
  throw new Error(`no ${count} consecutive free ports found`);
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export interface Spawned {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

const shiftedClock = pathToFileURL(join(here, "shifted-clock.mjs")).href;

function spawnServer(port: number, dataDir: string, clockOffsetMs: number, providerPort: number | null): Spawned {
  // A test that needs another date runs the server with every clock moved (see shifted-clock.mjs).
  const clock: Record<string, string> =
    clockOffsetMs === 0
      ? {}
      : {
          NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --import=${shiftedClock}`.trim(),
          TONGBAN_E2E_CLOCK_OFFSET_MS: String(clockOffsetMs),
        };
  return spawnInGroup(["npx", "tsx", "apps/server/src/main.ts"], {
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
    CHECK_RESPONSES: "true",
    // The payment sandbox on any free port, so parallel servers do not fight over one.
    PAYMENT_SANDBOX_PORT: "0",
    // Scenarios that do not ask for the demo department systems leave them out, so parallel
    // servers do not fight over their ports.
    ...(providerPort === null
      ? { DEMO_PROVIDERS: "false" }
      : { DEMO_PROVIDERS: "true", DEMO_PROVIDER_PORT: String(providerPort) }),
    ...clock,
  });
}

/**
 * Starts a command from the repository's root in its own process group (so stopping it also stops
 * the node processes it starts), keeping what it prints for the error a failed start shows.
 */
export function spawnInGroup([command, ...args]: string[], env: Record<string, string>): Spawned {
  const child = spawn(command as string, args, {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolveExit) => child.once("exit", (code) => resolveExit(code)));
  return { child, output: () => output, exited };
}

export async function waitReady(url: string, spawned: Spawned, timeoutMs: number): Promise<"ready" | "exited"> {
  let exited = false;
  void spawned.exited.then(() => {
    exited = true;
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited) return "exited";
    try {
      const response = await fetch(`${url}/readyz`);
      if (response.ok) return "ready";
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the server did not become ready in ${timeoutMs / 1000} s:\n${spawned.output()}`);
}

async function waitStopped(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      await fetch(`${url}/readyz`);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the server at ${url} still answers ${timeoutMs / 1000} s after it was stopped`);
}

export function stopProcess(spawned: Spawned): Promise<void> {
  const pid = spawned.child.pid;
  if (pid === undefined || spawned.child.exitCode !== null) return Promise.resolve();
  try {
    process.kill(-pid, "SIGTERM");
  } catch {
    return Promise.resolve();
  }
  const forced = setTimeout(() => {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }, 10_000);
  return spawned.exited.then(() => clearTimeout(forced));
}

/**
 * Starts the real server on a free port and a fresh data folder (so the demo world and its
 * passwords are new), serving the built web app, and answers where it listens.
 */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  ensureBuilt();
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "tongban-e2e-"));
  const baseUrl = `http://127.0.0.1:${port}`;
  let clockOffsetMs = options.clockOffsetMs ?? 0;
  const providerPort = options.demoProviders ? await freePortRun(4) : null;
  const launch = async () => {
    const spawned = spawnServer(port, dataDir, clockOffsetMs, providerPort);
    const state = await waitReady(baseUrl, spawned, 180_000);
    if (state !== "ready") {
      rmSync(dataDir, { recursive: true, force: true });
      throw new Error(`the server exited during start:\n${spawned.output()}`);
    }
    return spawned;
  };
  let api = await launch();
  // The tests are about the app the server itself serves; say so plainly if it does not.
  const shell = await fetch(`${baseUrl}/login`);
  if (!(shell.headers.get("content-type") ?? "").includes("text/html")) {
    await stopProcess(api);
    rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`the server does not serve apps/web/dist: GET /login answered ${shell.status}`);
  }

  const accounts = JSON.parse(readFileSync(join(dataDir, "demo-accounts.json"), "utf8")) as DemoAccount[];
  const account = (username: string) => {
    const found = accounts.find((a) => a.username === username);
    if (!found) throw new Error(`no demo account ${username}`);
    return found;
  };
  return {
    baseUrl,
    accounts,
    get clockOffsetMs() {
      return clockOffsetMs;
    },
    account,
    resident(region = "350100") {
      const found = accounts.find(
        (a) => a.roles.length === 0 && /^\d{17}[\dX]$/.test(a.username) && a.region === region,
      );
      if (!found) throw new Error(`no demo resident of ${region}`);
      return found;
    },
    async restart(next = {}) {
      await stopProcess(api);
      // npx exits before the server it started has shut down: wait until nothing answers, or the
      // old server would pass for the new one.
      await waitStopped(baseUrl, 30_000);
      clockOffsetMs = next.clockOffsetMs ?? 0;
      api = await launch();
    },
    async stop() {
      await stopProcess(api);
      await waitStopped(baseUrl, 30_000);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * One server and one browser for a test file: started before its tests, stopped after them.
 * The answer's fields are read inside the tests (they exist once `beforeAll` has run).
 */
export function useServerAndBrowser(options: ServerOptions = {}): { server: RunningServer; browser: Browser } {
  const running = {} as { server: RunningServer; browser: Browser };
  beforeAll(async () => {
    running.server = await startServer(options);
    running.browser = await launchBrowser();
  });
  afterAll(async () => {
    await running.browser?.close();
    await running.server?.stop();
  });
  return running;
}

// --- TOTP and axe ---------------------------------------------------------------------------------

export function totpCode(secret: string, clockOffsetMs = 0): Promise<string> {
  return generate({ secret, epoch: Math.floor((Date.now() + clockOffsetMs) / 1000) });
}

// The server accepts each 30-second TOTP step once per account: the last step used, by account.
const usedSteps = new Map<string, number>();

/** A code for a step this account has not used yet, waiting for the next step when it must. */
export async function freshTotp(server: RunningServer, account: DemoAccount): Promise<string> {
  const secret = account.totpSecret;
  if (!secret) throw new Error(`${account.username} has no TOTP secret`);
  const stepOf = () => Math.floor((Date.now() + server.clockOffsetMs) / 30_000);
  if (usedSteps.get(`${server.baseUrl} ${account.username}`) === stepOf()) await nextTotpStep(server.clockOffsetMs);
  usedSteps.set(`${server.baseUrl} ${account.username}`, stepOf());
  return totpCode(secret, server.clockOffsetMs);
}

/** The server accepts each 30-second TOTP step once per account; this waits for a fresh one. */
export async function nextTotpStep(clockOffsetMs = 0) {
  const msIntoStep = (((Date.now() + clockOffsetMs) % 30_000) + 30_000) % 30_000;
  await new Promise((r) => setTimeout(r, 30_000 - msIntoStep + 500));
}

/** Runs axe with the WCAG 2.1 A and AA rules and answers a readable list of violations (empty when clean). */
export async function axeViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return result.violations.map(
    (violation) =>
      `${violation.id} (${violation.impact}): ${violation.help}\n` +
      violation.nodes
        .slice(0, 5)
        .map((node) => `    ${node.target.join(" ")} — ${node.failureSummary?.split("\n").join(" ")}`)
        .join("\n"),
  );
}

/**
 * Runs a scenario and, when it fails, saves a screenshot and the URL under test-results/ (ignored
 * by git) so a red CI run shows what the browser showed.
 */
export async function recordingFailure(page: Page, name: string, scenario: () => Promise<void>) {
  try {
    await scenario();
  } catch (error) {
    const folder = join(repoRoot, "test-results");
    mkdirSync(folder, { recursive: true });
    const file = join(folder, `${name.replace(/[^\w-]+/g, "-")}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
    if (error instanceof Error) {
      const calls = apiCalls.get(page)?.slice(-15).join("\n    ") ?? "";
      error.message += `\n  at URL ${page.url()}\n  screenshot: ${file}\n  last API calls:\n    ${calls}`;
    }
    throw error;
  }
}

// --- steps every scenario repeats ------------------------------------------------------------------

/**
 * Logs in through the login page: staff with a fresh TOTP code, landing on the workbench;
 * residents and enterprises land on their own page.
 */
export async function logIn(page: Page, server: RunningServer, username: string) {
  const account = server.account(username);
  await page.goto(`${server.baseUrl}/login`);
  await page.getByLabel("账号", { exact: true }).fill(account.username);
  await page.getByLabel("密码", { exact: true }).fill(account.password);
  await page.getByRole("button", { name: /登\s*录/ }).click();
  if (account.totpSecret) {
    const totp = page.getByLabel("动态验证码", { exact: true });
    await totp.waitFor();
    await totp.fill(await freshTotp(server, account));
    await page.getByRole("button", { name: /验证并登录/ }).click();
    await page.waitForURL(`${server.baseUrl}/workbench`);
  } else {
    await page.waitForURL(`${server.baseUrl}/me`);
  }
}

/** Clicks a case action; when it asks for details, fills them with `fill` and confirms. */
export async function staffAct(
  page: Page,
  name: string,
  fill?: (dialog: ReturnType<Page["getByRole"]>) => Promise<void>,
) {
  await page.getByRole("button", { name, exact: true }).click();
  if (fill) {
    const dialog = page.getByRole("dialog");
    await dialog.waitFor();
    await fill(dialog);
    await dialog.getByRole("button", { name: /确\s*定/ }).click();
    await dialog.waitFor({ state: "hidden" });
  }
}

/** Picks an option of a labelled native select by its text. */
export async function chooseOption(page: Page, label: string, option: string) {
  await page.getByLabel(label, { exact: true }).selectOption({ label: option });
}

// --- setting up cases through the API ---------------------------------------------------------------

// Small but real files: the server reads the type from the bytes, not from the name.
export const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
  "base64",
);
export const PDF = Buffer.from(
  "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
);
export const MARRIAGE = "350100-MZ-0001";

/** A logged-in API session (cookie and CSRF token), for the state a scenario starts from. */
export interface ApiSession {
  /** Answers the parsed JSON; a status other than the expected one (2xx by default) throws with the body. */
  request<T = Record<string, unknown>>(method: string, path: string, body?: unknown, expect?: number): Promise<T>;
  /** Takes a case action with a fresh Idempotency-Key and answers the case. */
  act(id: string, action: Record<string, unknown>): Promise<{ status: string; number: string }>;
}

export async function apiLogin(server: RunningServer, username: string): Promise<ApiSession> {
  const account = server.account(username);
  const login = await fetch(`${server.baseUrl}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      username,
      password: account.password,
      ...(account.totpSecret ? { totp: await freshTotp(server, account) } : {}),
    }),
  });
  if (!login.ok) throw new Error(`API login of ${username} answered ${login.status}: ${await login.text()}`);
  const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const session: ApiSession = {
    async request<T>(method: string, path: string, body?: unknown, expect?: number) {
      const form = body instanceof FormData;
      const response = await fetch(`${server.baseUrl}/api/v1${path}`, {
        method,
        headers: {
          cookie,
          "x-csrf-token": csrfToken,
          ...(body !== undefined && !form ? { "content-type": "application/json" } : {}),
          ...(path.endsWith("/actions") ? { "idempotency-key": crypto.randomUUID() } : {}),
        },
        body: body === undefined ? undefined : form ? body : JSON.stringify(body),
      });
      const text = await response.text();
      const ok = expect === undefined ? response.ok : response.status === expect;
      if (!ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
      return (text ? JSON.parse(text) : undefined) as T;
    },
    act(id, action) {
      return session.request("POST", `/applications/${id}/actions`, action);
    },
  };
  return session;
}

/** A complete marriage-registration case of a Fuzhou resident, submitted (待受理); answers its id and number. */
export async function submittedMarriage(
  server: RunningServer,
  resident = server.resident().username,
): Promise<{ id: string; number: string }> {
  const api = await apiLogin(server, resident);
  const { id } = await api.request<{ id: string }>("POST", "/applications", { serviceCode: MARRIAGE });
  await api.request("PATCH", `/applications/${id}`, {
    form: {
      partnerName: "陈雨桐",
      partnerIdNumber: "11010519491231002X",
      partnerPhone: "13905910001",
      applicantOccupation: "教师",
      partnerOccupation: "工程师",
      appointmentDate: "2026-12-08",
    },
  });
  for (const [code, name, type, content] of [
    ["photo", "合影.png", "image/png", PNG],
    ["no_spouse_statement", "声明.pdf", "application/pdf", PDF],
  ] as const) {
    const body = new FormData();
    body.append("materialCode", code);
    body.append("file", new Blob([content], { type }), name);
    await api.request("POST", `/applications/${id}/materials`, body);
  }
  const submitted = await api.act(id, { type: "submit" });
  if (submitted.status !== "submitted") throw new Error(`the case was not submitted: ${JSON.stringify(submitted)}`);
  return { id, number: submitted.number };
}

/** The same case, accepted by the civil-affairs window (its committed limit starts counting). */
export async function acceptedMarriage(server: RunningServer): Promise<{ id: string; number: string }> {
  const filed = await submittedMarriage(server);
  const window = await apiLogin(server, "fz.mz.window");
  const accepted = await window.act(filed.id, { type: "accept", opinion: "材料齐全，予以受理" });
  if (accepted.status !== "under_review") throw new Error(`the case was not accepted: ${JSON.stringify(accepted)}`);
  return filed;
}
