#!/usr/bin/env node
// Entry point of the tongban-ledger verifier. The package ships TypeScript sources, so this
// launcher registers tsx's loader (Node 20 cannot strip types itself) and runs src/cli/main.ts.
import { writeFile } from "node:fs/promises";

let register;
try {
  ({ register } = await import("tsx/esm/api"));
} catch {
  process.stderr.write("tongban-ledger: the tsx package is needed to run the TypeScript sources (npm install tsx)\n");
  process.exit(3);
}
register();

const { main } = await import(new URL("../src/cli/main.ts", import.meta.url).href);

const readStdin = async () => {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return new Uint8Array(Buffer.concat(chunks));
};

const code = await main(process.argv.slice(2), {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  readStdin,
  writeFile: (path, data) => writeFile(path, data),
});
process.exitCode = code;
