// Starts the sandbox payment gateway as a child process of the node (like the demo department systems)
// and answers the WeChat Pay API v3 adapter that talks to it. The sandbox's keys — the merchant's RSA
// key pair, the platform's, the APIv3 key — are generated once into the node's key store: a demo
// convenience; with a real gateway the platform's private key is never the merchant's to hold.
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { KeyStore } from "../../ports/index.ts";
import { type PaymentGateway, wechatPayGateway } from "./gateway.ts";
import type { SandboxOptions } from "./sandbox.ts";
import { generateRsaKeyPair } from "./wechatpay-v3.ts";

const script = fileURLToPath(new URL("./sandbox-main.ts", import.meta.url));

export const SANDBOX_MCHID = "1900000109";
export const SANDBOX_APPID = "wxd930ea5d5a258f4f";

/** The sandbox's keys and identities, made once and kept in the node's key store. */
export function sandboxCredentials(keys: KeyStore) {
  const pair = (name: string) => {
    const text = keys.getOrCreate(name, () => JSON.stringify(generateRsaKeyPair()));
    return JSON.parse(text) as { privateKeyPem: string; publicKeyPem: string };
  };
  const merchant = pair("payment-sandbox-merchant-key");
  const platform = pair("payment-sandbox-platform-key");
  const apiV3Key = keys.getOrCreate("payment-sandbox-apiv3-key", () =>
    Array.from(
      crypto.getRandomValues(new Uint8Array(32)),
      (b) => "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"[b % 56],
    ).join(""),
  );
  return {
    mchid: SANDBOX_MCHID,
    appid: SANDBOX_APPID,
    merchantSerial: "5157F09EFDC096DE15EBE81A47057A72",
    platformSerial: "PUB_KEY_ID_0119000001092026113000000001",
    merchant,
    platform,
    apiV3Key,
  };
}

export function sandboxOptions(keys: KeyStore, extra: Partial<SandboxOptions> = {}): SandboxOptions {
  const c = sandboxCredentials(keys);
  return {
    mchid: c.mchid,
    appid: c.appid,
    merchantSerial: c.merchantSerial,
    merchantPublicKeyPem: c.merchant.publicKeyPem,
    platformSerial: c.platformSerial,
    platformPrivateKeyPem: c.platform.privateKeyPem,
    apiV3Key: c.apiV3Key,
    ...extra,
  };
}

/** The adapter of the node for its sandbox at `baseUrl`. */
export function sandboxGatewayClient(keys: KeyStore, baseUrl: string, now?: () => Date): PaymentGateway {
  const c = sandboxCredentials(keys);
  return wechatPayGateway({
    name: "sandbox",
    baseUrl,
    mchid: c.mchid,
    appid: c.appid,
    merchantSerial: c.merchantSerial,
    merchantPrivateKeyPem: c.merchant.privateKeyPem,
    platformSerial: c.platformSerial,
    platformPublicKeyPem: c.platform.publicKeyPem,
    apiV3Key: c.apiV3Key,
    ...(now ? { now } : {}),
  });
}

function nodeArgs(): string[] {
  const inherited = process.execArgv.filter((a, i, all) => a.includes("tsx") || all[i + 1]?.includes("tsx"));
  return inherited.some((a) => a.includes("tsx")) ? inherited : ["--import", "tsx"];
}

/** Starts the sandbox process on `port` (0: any free one); answers its URL once it is ready. */
export function startPaymentSandbox(options: {
  port: number;
  host?: string;
  sandbox: SandboxOptions;
  timeoutMs?: number;
}): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs(), script], {
      env: {
        ...process.env,
        PORT: String(options.port),
        HOST: options.host ?? "127.0.0.1",
        TONGBAN_PAYMENT_SANDBOX: JSON.stringify(options.sandbox),
      },
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    let output = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the payment sandbox did not start: ${output.slice(-500)}`));
    }, options.timeoutMs ?? 20_000);
    const stop = () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        const force = setTimeout(() => child.kill("SIGKILL"), 2000);
        child.once("exit", () => {
          clearTimeout(force);
          done();
        });
        child.kill("SIGTERM");
      });
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /payment sandbox ready on (\S+)/.exec(output);
      if (ready) {
        clearTimeout(timer);
        resolve({ url: ready[1] as string, child, stop });
      }
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the payment sandbox exited (${code}) before it was ready: ${output.slice(-500)}`));
    });
  });
}
