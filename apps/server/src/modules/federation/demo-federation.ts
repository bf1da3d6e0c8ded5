// The demo federation's files: each node's keys (as the node itself makes them at its first start),
// the federation administrator's key (generated once into DATA_DIR/federation/) and a trust list
// signed for the ports the nodes run on. Used by `npm start` and the federation tests.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TrustList } from "@tongban/contracts";
import { generateNoteKey, parseSignerKey } from "@tongban/ledger";
import { fileKeyStore } from "../../ports/index.ts";
import { demoRegions } from "../../seed/demo-world.ts";
import { issuerVerifierKey } from "../certificates/certificates.service.ts";
import { ledgerKeyPairs } from "../ledger/ledger.service.ts";
import { nodeIdentity } from "./identity.ts";
import { signTrustList, verifyTrustList } from "./trust-list.ts";

const DAY = 86_400_000;

export interface DemoNode {
  regionCode: string;
  name: string;
  port: number;
  url: string;
  dataDir: string;
}

/**
 * Prepares the demo federation in `dataDir`: each node's keys (as the node itself would make them at
 * its first start), the administrator's key, and a freshly signed trust list for these ports.
 * Answers the nodes and the files the nodes are started with.
 */
export function prepareDemoFederation({
  dataDir,
  port,
  host,
  ledgerSm2,
  now = new Date(),
}: {
  dataDir: string;
  port: number;
  host: string;
  ledgerSm2: boolean;
  now?: Date;
}) {
  const shownHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  const nodes: DemoNode[] = demoRegions.map((region, i) => ({
    regionCode: region.code,
    name: region.name,
    port: port + i,
    url: `http://${shownHost}:${port + i}/`,
    dataDir: join(dataDir, region.code),
  }));
  const federationDir = join(dataDir, "federation");
  mkdirSync(federationDir, { recursive: true });
  const admin = JSON.parse(
    fileKeyStore(federationDir).getOrCreate("federation-admin-key", () =>
      JSON.stringify(generateNoteKey("tongban-federation-admin")),
    ),
  ) as { signerKey: string; verifierKey: string };
  const adminKeyFile = join(federationDir, "admin-key.pub");
  writeFileSync(adminKeyFile, `${admin.verifierKey}\n`);

  const trustListFile = join(federationDir, "trust-list");
  // A new list always has a higher sequence than the last one, so no node ever goes back.
  let sequence = 1;
  if (existsSync(trustListFile)) {
    const previous = verifyTrustList(readFileSync(trustListFile, "utf8"), [admin.verifierKey], new Date(0));
    if (previous.ok) sequence = previous.list.sequence + 1;
  }
  const list: TrustList = {
    federation: "tongban-demo",
    sequence,
    issuedAt: now.toISOString(),
    nextUpdate: new Date(now.getTime() + 90 * DAY).toISOString(),
    members: nodes.map((node) => {
      const keys = fileKeyStore(node.dataDir);
      const identity = nodeIdentity(keys, node.regionCode);
      const ledger = ledgerKeyPairs(keys, `tongban.local/${node.regionCode}/ledger`, ledgerSm2);
      return {
        regionCode: node.regionCode,
        name: node.name,
        url: node.url,
        keys: [
          { use: "node" as const, key: identity.node.verifierKey },
          { use: "witness" as const, key: identity.witness.verifierKey },
          { use: "ledger" as const, key: ledger.ed25519.verifierKey },
          ...(ledger.sm2 ? [{ use: "ledger" as const, key: ledger.sm2.verifierKey }] : []),
          {
            use: "certificate" as const,
            key: issuerVerifierKey(keys, `tongban.local/${node.regionCode}/ledger`),
          },
        ],
        validUntil: new Date(now.getTime() + 365 * DAY).toISOString(),
      };
    }),
  };
  const note = signTrustList(list, [parseSignerKey(admin.signerKey)]);
  writeFileSync(`${trustListFile}.tmp`, note);
  renameSync(`${trustListFile}.tmp`, trustListFile);
  return { nodes, trustListFile, adminKeyFile };
}
