#!/usr/bin/env node
// Entry point of the offline e-certificate verifier. The package ships TypeScript sources, so this
// launcher registers tsx's loader (Node 20 cannot strip types itself) and runs src/cli.ts.
let register;
try {
  ({ register } = await import("tsx/esm/api"));
} catch {
  process.stderr.write(
    "tongban-credential: the tsx package is needed to run the TypeScript sources (npm install tsx)\n",
  );
  process.exit(2);
}
register();
const { main } = await import(new URL("../src/cli.ts", import.meta.url).href);
process.exitCode = await main(process.argv.slice(2), {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
});
