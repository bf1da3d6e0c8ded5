// tongban-credential: verifies an e-certificate (its JSON credential or its PDF) offline, from the
// file and a trust list alone — no network, nothing else of the project.
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { parseTrustListFile, TrustListError, trustFromList } from "./trust.ts";
import type { LedgerReceipt } from "./verify.ts";
import { verifyFileOffline } from "./verify-file.ts";

export const USAGE = `tongban-credential — verify a Tongban e-certificate (电子证照) offline

Usage:
  tongban-credential verify --trust-list <file> [--federation-key <vkey> | @file] [--receipt <file>]
                            [--at <ISO time>] [--json] <credential.json | certificate.pdf>

  --trust-list      the federation's signed trust list (tongban/federation-trust-list/v1), or its
                    JSON; an issuer verifies only if one of its members holds the signing key
  --federation-key  the federation administrator's verifier key: the trust list's signature is
                    then checked too (without it, the file is taken as given)
  --receipt         the issuance's ledger receipt (entry, inclusion proof and checkpoint); a PDF
                    carries its own

Exit status: 0 the certificate verifies, 1 it does not, 2 usage or unreadable input.
Revocation cannot be known offline; the report says so. Verify online for it.`;

export interface CliIo {
  stdout(line: string): void;
  stderr(line: string): void;
  now?: () => Date;
}

const MARK = { pass: "✓", fail: "✗", not_checked: "–" } as const;

async function keysFrom(value: string): Promise<string[]> {
  const text = value.startsWith("@") ? await readFile(value.slice(1), "utf8") : value;
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        "trust-list": { type: "string" },
        "federation-key": { type: "string", multiple: true },
        receipt: { type: "string" },
        at: { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    io.stderr((error as Error).message);
    io.stderr(USAGE);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(USAGE);
    return 0;
  }
  const [command, file] = positionals;
  if (command !== "verify" || !file || typeof values["trust-list"] !== "string") {
    io.stderr(USAGE);
    return 2;
  }
  const now = typeof values.at === "string" ? new Date(values.at) : (io.now?.() ?? new Date());
  if (Number.isNaN(now.getTime())) {
    io.stderr(`--at ${values.at} is not a date`);
    return 2;
  }
  let trust: ReturnType<typeof trustFromList>;
  let bytes: Uint8Array;
  let receipt: LedgerReceipt | undefined;
  try {
    const federationKeys = (
      await Promise.all(((values["federation-key"] as string[] | undefined) ?? []).map(keysFrom))
    ).flat();
    trust = trustFromList(parseTrustListFile(await readFile(values["trust-list"], "utf8"), federationKeys));
    bytes = new Uint8Array(await readFile(file));
    if (typeof values.receipt === "string")
      receipt = JSON.parse(await readFile(values.receipt, "utf8")) as LedgerReceipt;
  } catch (error) {
    io.stderr(error instanceof TrustListError ? `trust list: ${error.message}` : (error as Error).message);
    return 2;
  }
  const report = await verifyFileOffline(bytes, { trust, now, ...(receipt ? { receipt } : {}) });
  if (values.json) {
    io.stdout(JSON.stringify({ valid: report.valid, checks: report.checks, issuer: report.issuer ?? null }, null, 2));
  } else {
    const c = report.credential;
    if (c) io.stdout(`${c.name} ${c.credentialSubject.certificateNumber} — ${c.issuer.name}`);
    for (const check of report.checks) io.stdout(`  ${MARK[check.outcome]} ${check.check}: ${check.detail}`);
    io.stdout(report.valid ? "VALID (offline checks)" : "NOT VALID");
  }
  return report.valid ? 0 : 1;
}
