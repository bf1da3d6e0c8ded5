// `npm start`: the three demo regions as three federated nodes on this machine — 福州 350100 on PORT,
// 渭南 610500 on PORT+1, 重庆 500000 on PORT+2 — each its own process with its own database, keys and
// demo accounts under DATA_DIR/<region code>/. Before starting them, the launcher makes sure each node
// has its keys, generates the federation administrator's key (DATA_DIR/federation/) at the first start
// and signs the trust list naming the three nodes. With FEDERATION_DEMO=false it runs one node serving
// every region instead (as `npm run start --workspace @tongban/server` does).
import { type ChildProcess, spawn } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfigOrExit } from "./config.ts";
import { prepareDemoFederation } from "./modules/federation/demo-federation.ts";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, "../../..");
const baseDir = process.env.INIT_CWD ?? process.cwd();

async function waitReady(url: string, child: ChildProcess): Promise<void> {
  while (child.exitCode === null) {
    try {
      if ((await fetch(new URL("readyz", url), { signal: AbortSignal.timeout(2000) })).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the node at ${url} exited with code ${child.exitCode}`);
}

async function launch() {
  const config = loadConfigOrExit(process.env, baseDir);
  if (!config.federationDemo || config.databaseUrl) {
    if (config.databaseUrl && config.federationDemo)
      process.stdout.write("DATABASE_URL is set: starting one node serving every region (no federation demo).\n");
    await import("./main.ts");
    return;
  }
  const dataDir = resolve(baseDir, config.dataDir);
  const { nodes, trustListFile, adminKeyFile } = prepareDemoFederation({
    dataDir,
    port: config.port,
    host: config.host,
    ledgerSm2: config.ledgerSm2,
  });
  const children = nodes.map((node, i) =>
    spawn(process.execPath, ["--import", "tsx", join(here, "main.ts")], {
      cwd: repoRoot,
      // The IPC channel tells a node when the launcher is gone, however it went (see main.ts).
      stdio: ["inherit", "inherit", "inherit", "ipc"],
      env: {
        ...process.env,
        INIT_CWD: baseDir,
        PORT: String(node.port),
        DATA_DIR: node.dataDir,
        NODE_REGION: node.regionCode,
        FEDERATION_TRUST_LIST: trustListFile,
        FEDERATION_ADMIN_KEY: `@${adminKeyFile}`,
        // The first node's /readyz waits for the other two.
        FEDERATION_READY_PEERS: i === 0 ? "true" : "false",
        // Each node's demo department systems take four ports of their own.
        DEMO_PROVIDER_PORT: String(config.demoProviderPort + 4 * i),
        // And a payment sandbox each.
        PAYMENT_SANDBOX_PORT: String(config.paymentSandboxPort === 0 ? 0 : config.paymentSandboxPort + i),
      },
    }),
  );
  let stopping = false;
  const stopAll = (signal: NodeJS.Signals) => {
    stopping = true;
    for (const child of children) if (child.exitCode === null) child.kill(signal);
  };
  process.once("SIGINT", () => stopAll("SIGINT"));
  process.once("SIGTERM", () => stopAll("SIGTERM"));
  let exited = 0;
  for (const [i, child] of children.entries()) {
    child.on("exit", (code) => {
      exited += 1;
      if (!stopping) {
        process.stderr.write(`The node of ${nodes[i]?.name} stopped (code ${code}); stopping the others.\n`);
        stopAll("SIGTERM");
        process.exitCode = 1;
      }
      if (exited === children.length) process.exit();
    });
  }
  try {
    await Promise.all(nodes.map((node, i) => waitReady(node.url, children[i] as ChildProcess)));
  } catch (error) {
    if (!stopping) process.stderr.write(`${(error as Error).message}\n`);
    return;
  }
  const lines = [
    "",
    "  通办 Tongban — three federated regional nodes (跨省通办) are running:",
    ...nodes.map(
      (node) =>
        `    ${node.name} ${node.regionCode}  ${node.url}   accounts in ${join(node.dataDir, "demo-accounts.json")}`,
    ),
    `  Trust list: ${trustListFile} (signed by the key in ${adminKeyFile})`,
    "",
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}

launch().catch((error) => {
  process.stderr.write(`Tongban could not start: ${error instanceof Error ? (error.stack ?? error.message) : error}\n`);
  process.exit(1);
});
