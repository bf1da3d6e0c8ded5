// Runs one demo department system as its own process:
//   node --import tsx apps/server/src/demo-providers/main.ts <gongan|minzheng|jiaoyu|renshe>
// PORT (default: 8091 + its offset), HOST (127.0.0.1), TONGBAN_GATEWAY_KEYS: a JSON array of
// {keyId, publicKey} the system trusts (from GET /api/v1/exchange/gateway-key).
import type { TrustedKey } from "../modules/exchange/signing.ts";
import { DEMO_PROVIDER_PORT } from "../seed/demo-world.ts";
import { createProviderServer } from "./provider.ts";
import { type DemoProviderKind, demoProviders } from "./records.ts";

const kind = process.argv[2] as DemoProviderKind;
const plan = demoProviders[kind];
if (!plan) {
  process.stderr.write(`usage: main.ts <${Object.keys(demoProviders).join("|")}>\n`);
  process.exit(2);
}
let trusted: TrustedKey[];
try {
  trusted = JSON.parse(process.env.TONGBAN_GATEWAY_KEYS ?? "[]") as TrustedKey[];
  if (!Array.isArray(trusted) || trusted.length === 0) throw new Error("no keys");
} catch {
  process.stderr.write("TONGBAN_GATEWAY_KEYS must be a JSON array of {keyId, publicKey} the system trusts\n");
  process.exit(2);
}
const port = Number(process.env.PORT ?? DEMO_PROVIDER_PORT + plan.offset);
const host = process.env.HOST ?? "127.0.0.1";
const server = createProviderServer({ name: plan.name, data: plan.records(), trusted });

const stop = () => server.close(() => process.exit(0));
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
// Started by the platform with an IPC channel: when the platform goes, so does the system.
if (process.send) process.once("disconnect", stop);

server.on("error", (error) => {
  process.stderr.write(`${plan.name}: ${error.message}\n`);
  process.exit(1);
});
server.listen(port, host, () => {
  process.stdout.write(`${plan.name} ready on http://${host}:${port}\n`);
});
