import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { buildApp } from "./app.ts";
import { loadConfigOrExit } from "./config.ts";
import { type Database, openPGlite, openPostgres } from "./db/database.ts";
import { migrate } from "./db/migrate.ts";
import { startDemoProviders } from "./demo-providers/launch.ts";
import { CatalogError } from "./modules/catalog/catalog.loader.ts";
import { startDelivery } from "./modules/federation/delivery.ts";
import { federationFromConfig } from "./modules/federation/federation.setup.ts";
import { TrustListError } from "./modules/federation/trust-list.ts";
import { startSequencer } from "./modules/ledger/sequencer.ts";
import { type PaymentGateway, wechatPayGateway } from "./modules/payments/gateway.ts";
import { sandboxGatewayClient, sandboxOptions, startPaymentSandbox } from "./modules/payments/sandbox-launch.ts";
import { localDiskFileStore } from "./ports/files.ts";
import { fileKeyStore, randomIds, systemClock } from "./ports/index.ts";
import { type DemoAccount, needsSeeding, seedDemoWorld } from "./seed/demo-world.ts";

const here = dirname(fileURLToPath(import.meta.url));
// `npm start` runs this from the server's workspace folder; relative paths (DATA_DIR, the config
// file) mean the folder the user started npm in, which npm passes as INIT_CWD.
const baseDir = process.env.INIT_CWD ?? process.cwd();

function printAccounts(url: string, accounts: DemoAccount[], file: string, node?: string) {
  const lines = [
    "",
    `  通办 Tongban is running${node ? ` — regional node ${node}` : ""}`,
    `  Open:           ${url}`,
    `  API reference:  ${url}api/docs`,
    "",
    `  Demo accounts (also in ${file}):`,
  ];
  const width = Math.max(...accounts.map((a) => a.username.length));
  for (const account of accounts) {
    const who =
      account.roles.length > 0
        ? `${account.roles.join(",")} · ${account.department}`
        : account.username.length === 18 && /^\d{17}/.test(account.username)
          ? "resident"
          : "enterprise";
    const totp = account.totpSecret ? `  TOTP secret ${account.totpSecret}` : "";
    lines.push(`    ${account.username.padEnd(width)}  ${account.password}  ${account.region ?? ""}  ${who}${totp}`);
  }
  lines.push("", "  Staff log in with a six-digit code from an authenticator app holding the TOTP secret.", "");
  process.stdout.write(`${lines.join("\n")}\n`);
}

// Started by the federation launcher (an IPC channel to it): stop with it, even when it was killed
// outright — during the start too, before the orderly shutdown exists.
let stopWithLauncher: ((reason: string) => Promise<void>) | undefined;
// A stop asked for while the node starts (a signal, or the launcher gone) is carried out as soon as the
// start is done, so the demo department systems and the payment sandbox it started stop with it instead
// of being left behind; a second signal during the start ends the process at once.
let stopAsked: string | undefined;
const askedDuringStart = (reason: string) => () => {
  stopAsked = reason;
};
const earlyInt = askedDuringStart("SIGINT");
const earlyTerm = askedDuringStart("SIGTERM");
process.once("SIGINT", earlyInt);
process.once("SIGTERM", earlyTerm);
if (process.send)
  process.once("disconnect", () => {
    if (stopWithLauncher) void stopWithLauncher("launcher gone");
    else stopAsked = "launcher gone";
  });

async function main() {
  const config = loadConfigOrExit(process.env, baseDir);
  const dataDir = resolve(baseDir, config.dataDir);
  mkdirSync(dataDir, { recursive: true });

  const database: Database = config.databaseUrl
    ? openPostgres(config.databaseUrl, config.databasePoolSize)
    : await openPGlite(dataDir);
  await migrate(database);

  const accountsFile = join(dataDir, "demo-accounts.json");
  if (config.seedDemo && (await needsSeeding(database.db))) {
    const accounts = await seedDemoWorld(database.db, systemClock, randomIds, {
      demoProviderPort: config.demoProviderPort,
      ...(config.nodeRegion ? { regions: [config.nodeRegion] } : {}),
    });
    writeFileSync(accountsFile, `${JSON.stringify(accounts, null, 2)}\n`, { mode: 0o600 });
  }

  const webDist = config.webDist ? resolve(baseDir, config.webDist) : resolve(here, "../../web/dist");
  const keys = fileKeyStore(dataDir);
  const federation = federationFromConfig(config, { keys, clock: systemClock, baseDir });
  // The payment gateway: the local sandbox (its own process, speaking WeChat Pay API v3), or WeChat Pay.
  let paymentGateway: PaymentGateway | undefined;
  let sandbox: Awaited<ReturnType<typeof startPaymentSandbox>> | undefined;
  if (config.paymentGateway === "sandbox") {
    try {
      sandbox = await startPaymentSandbox({
        port: config.paymentSandboxPort,
        host: config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host,
        sandbox: sandboxOptions(keys, { stateFile: join(dataDir, "payment-sandbox.json") }),
      });
      paymentGateway = sandboxGatewayClient(keys, sandbox.url);
    } catch (error) {
      process.stderr.write(`The payment sandbox did not start; online payment is off: ${(error as Error).message}\n`);
    }
  } else if (config.paymentGateway === "wechatpay") {
    const file = config.paymentWechatpay?.replace(/^@/, "");
    if (!file || !existsSync(resolve(baseDir, file)))
      throw new Error("PAYMENT_GATEWAY=wechatpay needs PAYMENT_WECHATPAY=@path of its settings file");
    paymentGateway = wechatPayGateway(JSON.parse(readFileSync(resolve(baseDir, file), "utf8")));
  }
  const app = await buildApp({
    config: { ...config, webDist },
    database,
    clock: systemClock,
    ids: randomIds,
    keys,
    files: localDiskFileStore(join(dataDir, "files")),
    catalogDir: resolve(here, "../../../catalog"),
    // A regional node names its own log, so the federation's checkpoints tell their nodes apart.
    ...(config.nodeRegion ? { ledgerOrigin: `tongban.local/${config.nodeRegion}/ledger` } : {}),
    ...(federation ? { federation } : {}),
    ...(paymentGateway ? { paymentGateway } : {}),
    // Without PUBLIC_URL the gateway notifies the address this node listens on.
    ...(config.publicUrl
      ? {}
      : {
          paymentNotifyUrl: `http://${config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host}:${config.port}/api/v1/payments/notify`,
        }),
  });
  // The demo department systems (公安, 民政, 教育, 人社), each its own process, trusting the gateway's key.
  const providers =
    config.seedDemo && config.demoProviders
      ? await startDemoProviders({
          basePort: config.demoProviderPort,
          trusted: [app.services.exchange.gatewayKey()],
          onError: (kind, error) =>
            app.log.warn({ err: error, kind }, "a demo department system did not start; its queries will fail"),
        })
      : undefined;
  if (sandbox) app.log.info({ url: sandbox.url }, "payment sandbox gateway running");
  for (const provider of providers?.running ?? []) {
    app.log.info({ kind: provider.kind, url: provider.url }, "demo department system running");
  }

  // Expired sessions are swept every ten minutes; the store already refuses them on read.
  const sweep = setInterval(() => {
    sessionsSweep().catch((error) => app.log.warn({ err: error }, "session sweep failed"));
  }, 600_000);
  sweep.unref();
  async function sessionsSweep() {
    await database.db.deleteFrom("sessions").where("expires_at", "<=", new Date()).execute();
  }

  // SMS and email: each change's messages are delivered right after its commit; this tick retries the
  // ones a gateway refused (with backoff) and picks up any left by a process that stopped.
  const messageRetries = setInterval(() => {
    app.services.notifications.deliverDue().catch((error) => app.log.warn({ err: error }, "message delivery failed"));
  }, 5_000);
  messageRetries.unref();
  void app.services.notifications.deliverDue().catch(() => {});

  // The ledger sequencer: integrates what changed into the log and signs a checkpoint, woken by each
  // commit that wrote outbox rows (here, or in another process on the same PostgreSQL).
  const sequencer = await startSequencer({
    ledger: app.services.ledger,
    database,
    intervalMs: 500,
    onError: (error, during) => app.log.error({ err: error }, `ledger sequencer: ${during} failed`),
  });

  // Payments: orders whose notification did not come are settled by order query, refunds still
  // processing are asked about; once a day (China time) yesterday's reconciliation is made.
  const paymentSweep = setInterval(() => {
    app.services.payments.sweep().catch((error) => app.log.warn({ err: error }, "payment sweep failed"));
    app.services.payments
      .reconcileYesterdayIfMissing()
      .then((day) => day && app.log.info({ day }, "daily reconciliation made"))
      .catch((error) => app.log.warn({ err: error }, "daily reconciliation failed"));
  }, 15_000);
  paymentSweep.unref();

  // The federation sender: delivers queued messages to the peers, retrying with backoff.
  const fed = app.services.federation;
  const delivery = fed
    ? startDelivery({
        federation: fed,
        database,
        onError: (error) => app.log.error({ err: error }, "federation delivery failed"),
      })
    : undefined;
  // Witnessing: every few seconds this node offers its latest checkpoint to the peers' witnesses.
  const witnessing = app.services.witnessing;
  const cosigning = witnessing
    ? setInterval(() => {
        witnessing.cosignLatest().catch((error) => app.log.warn({ err: error }, "cosigning failed"));
      }, 3_000)
    : undefined;
  cosigning?.unref();
  // The trust list is read again on SIGHUP (the administrator signed a new one).
  process.on("SIGHUP", () => {
    const problem = federation?.trust.reload();
    if (problem) app.log.error({ problem }, "the new trust list was refused; keeping the old one");
    else if (federation) app.log.info({ sequence: federation.trust.current().sequence }, "trust list reloaded");
  });

  const shutdown = async (signal: string) => {
    app.log.info({ signal }, "shutting down");
    clearInterval(cosigning);
    await delivery?.stop();
    clearInterval(messageRetries);
    clearInterval(paymentSweep);
    await sandbox?.stop();
    await sequencer.stop();
    await providers?.stop();
    await app.close();
    await database.close();
    process.exit(0);
  };
  process.removeListener("SIGINT", earlyInt);
  process.removeListener("SIGTERM", earlyTerm);
  process.once("SIGINT", () => void shutdown("SIGINT"));
  stopWithLauncher = shutdown;
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  if (stopAsked) {
    await shutdown(stopAsked);
    return;
  }

  // Node listens with a queue of 511 connections not yet accepted: a thousand clients connecting at
  // once overflowed it (the kernel's ListenOverflows counter), and a dropped connection is tried again
  // by its client after 1, 3, 7, 15 s, which showed as requests timing out. The kernel caps the queue
  // at net.core.somaxconn (4096 here).
  await app.listen({ port: config.port, host: config.host, backlog: 4096 });
  const shownHost = config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host;
  const url = config.publicUrl ? config.publicUrl.replace(/\/?$/, "/") : `http://${shownHost}:${config.port}/`;
  if (existsSync(accountsFile)) {
    printAccounts(
      url,
      JSON.parse(readFileSync(accountsFile, "utf8")) as DemoAccount[],
      accountsFile,
      config.nodeRegion,
    );
  } else {
    process.stdout.write(`\n  通办 Tongban is running at ${url}\n\n`);
  }
  if (!existsSync(join(webDist, "index.html"))) {
    app.log.warn({ webDist }, "the web app is not built; run `npm run build` (npm start does this)");
  }
}

main().catch((error) => {
  if (error instanceof CatalogError || error instanceof TrustListError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  process.stderr.write(
    `Tongban could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
