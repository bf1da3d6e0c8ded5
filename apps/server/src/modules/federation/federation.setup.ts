// Joining a federation at start: the node's keys, its trust list verified with the administrator's
// key, and a check that the list names this node with this node's key.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { FederationDeps } from "../../app.ts";
import type { Config } from "../../config.ts";
import type { Clock, KeyStore } from "../../ports/index.ts";
import { nodeIdentity } from "./identity.ts";
import { httpTransport } from "./transport.ts";
import { createTrustStore, TrustListError } from "./trust-list.ts";

/** Keys given in a setting: the keys themselves (one per line), or `@path` of a file holding them. */
export function readKeys(setting: string, baseDir: string): string[] {
  const text = setting.startsWith("@") ? readFileSync(resolve(baseDir, setting.slice(1)), "utf8") : setting;
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
}

/** The federation of a node configured with FEDERATION_TRUST_LIST, or undefined for a node on its own. */
export function federationFromConfig(
  config: Config,
  { keys, clock, baseDir }: { keys: KeyStore; clock: Clock; baseDir: string },
): FederationDeps | undefined {
  if (!config.federationTrustList || !config.nodeRegion || !config.federationAdminKey) return undefined;
  const path = resolve(baseDir, config.federationTrustList);
  const trust = createTrustStore({
    read: () => readFileSync(path, "utf8"),
    adminKeys: readKeys(config.federationAdminKey, baseDir),
    now: () => clock.now(),
  });
  const identity = nodeIdentity(keys, config.nodeRegion);
  const me = trust.current().member(config.nodeRegion);
  if (!me) throw new TrustListError(`the trust list ${path} has no member for this node's region ${config.nodeRegion}`);
  if (!me.keys.some((k) => k.use === "node" && k.key === identity.node.verifierKey))
    throw new TrustListError(
      `the trust list names another node key for ${config.nodeRegion}; this node's key is ${identity.node.verifierKey}`,
    );
  return {
    identity,
    trust,
    transport: httpTransport(),
    delivery: { retryMaxMs: config.federationRetryMaxSeconds * 1000 },
    readyPeers: config.federationReadyPeers,
  };
}
