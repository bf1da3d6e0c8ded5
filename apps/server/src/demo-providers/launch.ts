// Starts the demo department systems as child processes of the platform and stops them with it.
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { TrustedKey } from "../modules/exchange/signing.ts";
import { type DemoProviderKind, demoProviders } from "./records.ts";

const script = fileURLToPath(new URL("./main.ts", import.meta.url));

export interface RunningProvider {
  kind: DemoProviderKind;
  url: string;
  child: ChildProcess;
}

/**
 * Node arguments that load TypeScript: the parent's own loader when it has one (tsx), else tsx. A
 * parent run with `--cpu-prof` has its department systems profiled too (into the same folder).
 */
function nodeArgs(): string[] {
  const inherited = process.execArgv.filter((a, i, all) => a.includes("tsx") || all[i + 1]?.includes("tsx"));
  const profiling = process.execArgv.filter((a) => a.startsWith("--cpu-prof"));
  return [...(inherited.some((a) => a.includes("tsx")) ? inherited : ["--import", "tsx"]), ...profiling];
}

/** Starts one system and answers once it says it is ready (or fails, with its output). */
export function startProvider(
  kind: DemoProviderKind,
  options: { port: number; host?: string; trusted: TrustedKey[]; timeoutMs?: number },
): Promise<RunningProvider> {
  const host = options.host ?? "127.0.0.1";
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs(), script, kind], {
      env: {
        ...process.env,
        PORT: String(options.port),
        HOST: host,
        TONGBAN_GATEWAY_KEYS: JSON.stringify(options.trusted),
      },
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    let output = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${kind} did not start within ${options.timeoutMs ?? 20_000} ms: ${output.slice(-500)}`));
    }, options.timeoutMs ?? 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(" ready on ")) {
        clearTimeout(timer);
        child.stdout?.off("data", onData);
        resolve({ kind, url: `http://${host}:${options.port}`, child });
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${kind} exited (${code}) before it was ready: ${output.slice(-500)}`));
    });
  });
}

/** Stops a system: SIGTERM, then SIGKILL if it has not gone within two seconds. */
export function stopProvider(provider: RunningProvider): Promise<void> {
  const { child } = provider;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 2000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/**
 * Starts every demo system on `basePort` + its offset. One that cannot start is reported and left
 * out: queries to it then fail with PROVIDER_UNAVAILABLE, and nothing else is affected.
 */
export async function startDemoProviders(options: {
  basePort: number;
  trusted: TrustedKey[];
  onError: (kind: DemoProviderKind, error: Error) => void;
}): Promise<{ running: RunningProvider[]; stop(): Promise<void> }> {
  const kinds = Object.keys(demoProviders) as DemoProviderKind[];
  const results = await Promise.allSettled(
    kinds.map((kind) =>
      startProvider(kind, { port: options.basePort + demoProviders[kind].offset, trusted: options.trusted }),
    ),
  );
  const running: RunningProvider[] = [];
  for (const [i, result] of results.entries()) {
    if (result.status === "fulfilled") running.push(result.value);
    else options.onError(kinds[i] as DemoProviderKind, result.reason as Error);
  }
  return { running, stop: async () => void (await Promise.all(running.map(stopProvider))) };
}
