/**
 * What every browser test file needs: a built web app, a real server on a fresh data folder,
 * Debian's Chromium, an axe scan, and TOTP codes for the demo staff.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import AxeBuilder from "@axe-core/playwright";
import { generate } from "otplib";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { describe, it } from "vitest";

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
  /** Finds a demo account, e.g. account("fz.admin"). */
  account(username: string): DemoAccount;
  stop(): Promise<void>;
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

interface Spawned {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function spawnServer(port: number, dataDir: string): Spawned {
  // Its own process group, so stopping it also stops the node process npx starts under it.
  const child = spawn("npx", ["tsx", "apps/server/src/main.ts"], {
    cwd: repoRoot,
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "warn" },
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

async function waitReady(url: string, spawned: Spawned, timeoutMs: number): Promise<"ready" | "exited"> {
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

function stopProcess(spawned: Spawned): Promise<void> {
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
export async function startServer(): Promise<RunningServer> {
  ensureBuilt();
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "tongban-e2e-"));
  const baseUrl = `http://127.0.0.1:${port}`;
  const api = spawnServer(port, dataDir);
  const state = await waitReady(baseUrl, api, 180_000);
  if (state !== "ready") {
    rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`the server exited during start:\n${api.output()}`);
  }
  // The tests are about the app the server itself serves; say so plainly if it does not.
  const shell = await fetch(`${baseUrl}/login`);
  if (!(shell.headers.get("content-type") ?? "").includes("text/html")) {
    await stopProcess(api);
    rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`the server does not serve apps/web/dist: GET /login answered ${shell.status}`);
  }

  const accounts = JSON.parse(readFileSync(join(dataDir, "demo-accounts.json"), "utf8")) as DemoAccount[];
  return {
    baseUrl,
    accounts,
    account(username) {
      const found = accounts.find((a) => a.username === username);
      if (!found) throw new Error(`no demo account ${username}`);
      return found;
    },
    async stop() {
      await stopProcess(api);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// --- TOTP and axe ---------------------------------------------------------------------------------

export function totpCode(secret: string): Promise<string> {
  return generate({ secret });
}

/** The server accepts each 30-second TOTP step once per account; this waits for a fresh one. */
export async function nextTotpStep() {
  const msIntoStep = Date.now() % 30_000;
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
