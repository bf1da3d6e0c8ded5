import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.ts";

const noFile = "/nonexistent-dir";

describe("configuration", () => {
  it("has defaults for everything", () => {
    const config = loadConfig({}, noFile);
    expect(config).toMatchObject({
      port: 8080,
      dataDir: "./data",
      databaseUrl: undefined,
      seedDemo: true,
      ledgerSm2: true,
      sessionTtlMinutes: 480,
    });
  });

  it("reads the environment", () => {
    const config = loadConfig(
      { PORT: "9000", DATA_DIR: "/srv/tongban", DATABASE_URL: "postgres://u@h/db", SEED_DEMO: "false" },
      noFile,
    );
    expect(config).toMatchObject({
      port: 9000,
      dataDir: "/srv/tongban",
      databaseUrl: "postgres://u@h/db",
      seedDemo: false,
    });
  });

  it("names every wrong setting and what it allows", () => {
    try {
      loadConfig({ PORT: "eighty", LOG_LEVEL: "loud", DATABASE_URL: "mysql://x" }, noFile);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems;
      expect(problems).toHaveLength(3);
      expect(problems[0]).toBe('PORT = "eighty": must be a whole number from 1 to 65535');
      expect(problems.join("\n")).toContain("LOG_LEVEL");
      expect(problems.join("\n")).toContain("postgres://");
    }
  });

  it("reads an optional JSON file, with the environment taking precedence", () => {
    const dir = mkdtempSync(join(tmpdir(), "tb-config-"));
    writeFileSync(join(dir, "tongban.config.json"), JSON.stringify({ port: 7000, logLevel: "warn" }));
    expect(loadConfig({}, dir)).toMatchObject({ port: 7000, logLevel: "warn" });
    expect(loadConfig({ PORT: "7001" }, dir)).toMatchObject({ port: 7001, logLevel: "warn" });
  });

  it("names a wrong value in the file with the file's path", () => {
    const dir = mkdtempSync(join(tmpdir(), "tb-config-"));
    const path = join(dir, "custom.json");
    writeFileSync(path, JSON.stringify({ port: 0, colour: "red" }));
    expect(() => loadConfig({ TONGBAN_CONFIG: path }, dir)).toThrow(/unknown setting "colour"/);
    writeFileSync(path, JSON.stringify({ port: 0 }));
    expect(() => loadConfig({ TONGBAN_CONFIG: path }, dir)).toThrow(
      `"port" in ${path} = 0: must be a whole number from 1 to 65535`,
    );
    writeFileSync(path, "{ not json");
    expect(() => loadConfig({ TONGBAN_CONFIG: path }, dir)).toThrow(/not valid JSON/);
  });

  it("refuses a named config file that does not exist", () => {
    expect(() => loadConfig({ TONGBAN_CONFIG: "/no/such/file.json" }, noFile)).toThrow(/no such file/);
  });
});
