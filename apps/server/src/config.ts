import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";

/**
 * Every setting, where it comes from and what it allows. Values come from the environment,
 * then from an optional JSON file (TONGBAN_CONFIG, or ./tongban.config.json), then the default.
 */
const bool = z.enum(["true", "false"]).transform((v) => v === "true");
const settings = {
  port: {
    env: "PORT",
    schema: z.coerce.number().int().min(1).max(65535),
    default: 8080,
    allowed: "a whole number from 1 to 65535",
  },
  host: {
    env: "HOST",
    schema: z.string().min(1),
    default: "127.0.0.1",
    allowed: "a host name or IP address to listen on",
  },
  dataDir: { env: "DATA_DIR", schema: z.string().min(1), default: "./data", allowed: "a folder path" },
  databaseUrl: {
    env: "DATABASE_URL",
    schema: z.string().regex(/^postgres(ql)?:\/\/.+/),
    default: undefined,
    allowed: "a postgres:// or postgresql:// connection URL (leave unset for the embedded database)",
  },
  databasePoolSize: {
    env: "DATABASE_POOL_SIZE",
    schema: z.coerce.number().int().min(1).max(500),
    default: 20,
    allowed: "a whole number from 1 to 500",
  },
  logLevel: {
    env: "LOG_LEVEL",
    schema: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]),
    default: "info",
    allowed: "one of fatal, error, warn, info, debug, trace, silent",
  },
  publicUrl: {
    env: "PUBLIC_URL",
    schema: z.url({ protocol: /^https?$/ }),
    default: undefined,
    allowed: "an http(s) URL where users reach this server",
  },
  sessionTtlMinutes: {
    env: "SESSION_TTL_MINUTES",
    schema: z.coerce.number().int().min(5).max(1440),
    default: 480,
    allowed: "a whole number of minutes from 5 to 1440",
  },
  authCacheSeconds: {
    env: "AUTH_CACHE_SECONDS",
    schema: z.coerce.number().int().min(0).max(60),
    default: 5,
    allowed: "a whole number of seconds from 0 (no cache) to 60",
  },
  caseCacheSeconds: {
    env: "CASE_CACHE_SECONDS",
    schema: z.coerce.number().int().min(0).max(300),
    default: 30,
    allowed: "a whole number of seconds from 0 (no cache) to 300",
  },
  secureCookies: {
    env: "SECURE_COOKIES",
    schema: z.enum(["auto", "true", "false"]),
    default: "auto",
    allowed: "auto, true or false",
  },
  trustProxy: { env: "TRUST_PROXY", schema: bool, default: false, allowed: "true or false" },
  checkResponses: { env: "CHECK_RESPONSES", schema: bool, default: false, allowed: "true or false" },
  loginRateLimitPerMinute: {
    env: "LOGIN_RATE_LIMIT_PER_MINUTE",
    schema: z.coerce.number().int().min(1).max(10000),
    default: 20,
    allowed: "a whole number from 1 to 10000",
  },
  lockoutThreshold: {
    env: "LOCKOUT_THRESHOLD",
    schema: z.coerce.number().int().min(1).max(100),
    default: 5,
    allowed: "a whole number from 1 to 100",
  },
  lockoutMinutes: {
    env: "LOCKOUT_MINUTES",
    schema: z.coerce.number().int().min(1).max(1440),
    default: 15,
    allowed: "a whole number of minutes from 1 to 1440",
  },
  seedDemo: { env: "SEED_DEMO", schema: bool, default: true, allowed: "true or false" },
  demoProviders: {
    env: "DEMO_PROVIDERS",
    schema: bool,
    default: true,
    allowed: "true or false (start the demo department systems beside the server)",
  },
  demoProviderPort: {
    env: "DEMO_PROVIDER_PORT",
    schema: z.coerce.number().int().min(1).max(65532),
    default: 8091,
    allowed: "a whole number from 1 to 65532 (the demo systems take it and the next three)",
  },
  ledgerSm2: { env: "LEDGER_SM2", schema: bool, default: true, allowed: "true or false" },
  nodeRegion: {
    env: "NODE_REGION",
    schema: z.string().regex(/^\d{6}$/),
    default: undefined,
    allowed:
      "the six-digit GB/T 2260 code of the one region this node serves (leave unset for one node serving every region)",
  },
  federationTrustList: {
    env: "FEDERATION_TRUST_LIST",
    schema: z.string().min(1),
    default: undefined,
    allowed: "the path of the federation's signed trust list (leave unset for a node outside any federation)",
  },
  federationAdminKey: {
    env: "FEDERATION_ADMIN_KEY",
    schema: z.string().min(10),
    default: undefined,
    allowed:
      "the federation administrator's verifier key (name+keyid+base64), or @path of a file with one key per line",
  },
  federationReadyPeers: {
    env: "FEDERATION_READY_PEERS",
    schema: bool,
    default: false,
    allowed: "true or false (/readyz answers 200 only when every peer's /readyz does)",
  },
  federationRateLimitPerMinute: {
    env: "FEDERATION_RATE_LIMIT_PER_MINUTE",
    schema: z.coerce.number().int().min(1).max(1_000_000),
    default: 6000,
    allowed:
      "a whole number from 1 to 1000000: requests a minute one address may make to the federation inbox and witness",
  },
  federationRetryMaxSeconds: {
    env: "FEDERATION_RETRY_MAX_SECONDS",
    schema: z.coerce.number().min(0.1).max(3600),
    default: 60,
    allowed: "seconds from 0.1 to 3600: the longest wait between two attempts to deliver a message to a peer",
  },
  federationDemo: {
    env: "FEDERATION_DEMO",
    schema: bool,
    default: true,
    allowed: "true or false (npm start runs the three demo regions as three federated nodes, or one node)",
  },
  paymentGateway: {
    env: "PAYMENT_GATEWAY",
    schema: z.enum(["sandbox", "wechatpay", "none"]),
    default: "sandbox",
    allowed:
      "sandbox (start the local sandbox gateway beside the node), wechatpay (WeChat Pay API v3, needs the PAYMENT_WECHATPAY_* settings) or none",
  },
  paymentSandboxPort: {
    env: "PAYMENT_SANDBOX_PORT",
    schema: z.coerce.number().int().min(0).max(65535),
    default: 8085,
    allowed: "a whole number from 0 (any free port) to 65535",
  },
  paymentWechatpay: {
    env: "PAYMENT_WECHATPAY",
    schema: z.string().min(2),
    default: undefined,
    allowed:
      "@path of a JSON file {baseUrl, mchid, appid, merchantSerial, merchantPrivateKeyPem, platformSerial, platformPublicKeyPem, apiV3Key}",
  },
  webDist: {
    env: "WEB_DIST",
    schema: z.string().min(1),
    default: undefined,
    allowed: "the folder of the built web app",
  },
} as const;

type Settings = typeof settings;
export type Config = {
  [K in keyof Settings]: Settings[K]["default"] extends undefined
    ? z.output<Settings[K]["schema"]> | undefined
    : z.output<Settings[K]["schema"]>;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Configuration is not valid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

function readFile(env: NodeJS.ProcessEnv, cwd: string): { path?: string; values: Record<string, unknown> } {
  const explicit = env.TONGBAN_CONFIG;
  const path = explicit ? resolve(cwd, explicit) : resolve(cwd, "tongban.config.json");
  if (!existsSync(path)) {
    if (explicit) throw new ConfigError([`TONGBAN_CONFIG = ${explicit}: no such file`]);
    return { values: {} };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new ConfigError([`${path}: not valid JSON (${(error as Error).message})`]);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError([`${path}: must hold one JSON object of settings`]);
  }
  const unknownKeys = Object.keys(parsed).filter((key) => !(key in settings));
  if (unknownKeys.length > 0) {
    throw new ConfigError(
      unknownKeys.map(
        (key) => `${path}: unknown setting "${key}"; known settings are ${Object.keys(settings).join(", ")}`,
      ),
    );
  }
  return { path, values: parsed as Record<string, unknown> };
}

/** Reads and validates every setting; throws one ConfigError naming each wrong setting. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const file = readFile(env, cwd);
  const problems: string[] = [];
  const config: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(settings)) {
    const fromEnv = env[setting.env];
    const fromFile = file.values[key];
    const raw = fromEnv !== undefined && fromEnv !== "" ? fromEnv : fromFile;
    if (raw === undefined) {
      config[key] = setting.default;
      continue;
    }
    const result = (setting.schema as z.ZodType).safeParse(typeof raw === "string" ? raw : String(raw));
    if (result.success) {
      config[key] = result.data;
    } else {
      const source = fromEnv !== undefined && fromEnv !== "" ? setting.env : `"${key}" in ${file.path}`;
      problems.push(`${source} = ${JSON.stringify(raw)}: must be ${setting.allowed}`);
    }
  }
  if (config.federationTrustList !== undefined) {
    if (config.nodeRegion === undefined)
      problems.push(
        "FEDERATION_TRUST_LIST is set: NODE_REGION must name the region this node serves in the federation",
      );
    if (config.federationAdminKey === undefined)
      problems.push("FEDERATION_TRUST_LIST is set: FEDERATION_ADMIN_KEY must give the key that signs the trust list");
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config as Config;
}

/** For a program's start: the settings, or the problems on stderr and exit code 1. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv, cwd: string): Config {
  try {
    return loadConfig(env, cwd);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
