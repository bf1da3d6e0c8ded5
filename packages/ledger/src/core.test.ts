import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const packageJson = JSON.parse(readFileSync(resolve(here, "../package.json"), "utf8")) as {
  imports: Record<string, Record<string, string>>;
};

/** Every module core.ts reaches, resolving "#sha256" the way a browser bundler would. */
function browserImportGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const pending = [resolve(here, "core.ts")];
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (graph.has(file)) continue;
    const source = readFileSync(file, "utf8");
    const specifiers = [...source.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+"([^"]+)"/gm)].map(
      (match) => match[1] as string,
    );
    graph.set(file, specifiers);
    for (const specifier of specifiers) {
      if (specifier.startsWith("./") || specifier.startsWith("../")) pending.push(resolve(dirname(file), specifier));
      const mapped = packageJson.imports[specifier]?.browser;
      if (mapped !== undefined) pending.push(resolve(here, "..", mapped));
    }
  }
  return graph;
}

describe("the browser-safe core (@tongban/ledger/core)", () => {
  it("reaches no Node.js module and no native crypto", () => {
    const graph = browserImportGraph();
    expect([...graph.keys()].map((file) => file.slice(here.length + 1))).toEqual(
      expect.arrayContaining(["merkle.ts", "note.ts", "tiles.ts", "audit.ts", "hash/sha256.pure.ts"]),
    );
    const external = [...graph.values()]
      .flat()
      .filter((specifier) => !specifier.startsWith(".") && !specifier.startsWith("#"));
    expect(external).toEqual([]);
  });

  it("runs on the pure SHA-256 under the browser condition and gives the RFC 6962 reference root", () => {
    const script = `
      const core = await import(${JSON.stringify(resolve(here, "core.ts"))});
      const leaves = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
        .map((hex) => core.leafHash(core.fromHex(hex)));
      const root = core.rootHash(leaves);
      const proof = core.inclusionProof(leaves, 5, 8);
      console.log(JSON.stringify([core.sha256Implementation, core.toHex(root), core.verifyInclusion(leaves[5], 5, 8, proof, root)]));
    `;
    const result = spawnSync(
      process.execPath,
      ["--conditions=browser", "--import", "tsx", "--input-type=module", "-e", script],
      {
        cwd: resolve(here, ".."),
        encoding: "utf8",
      },
    );
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([
      "pure",
      "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
      true,
    ]);
  });
});
