// 跨省通办 in the browser, on a phone: the three demo regions as three real nodes (the launcher that
// `npm start` runs). A resident whose household is in 渭南 but who lives in 福州 finds 渭南's
// household certificate on 福州's portal, is told field by field what the form lacks, applies, and
// follows the case that 渭南 filed from 福州.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { idNumberCheckCharacter } from "@tongban/contracts";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  axeViolations,
  browserSuite,
  ensureBuilt,
  freePortRun,
  launchBrowser,
  newPage,
  phone,
  recordingFailure,
  type Spawned,
  spawnInGroup,
  stopProcess,
  waitReady,
} from "./harness.ts";

browserSuite("跨省通办 across three nodes", () => {
  let launcher: Spawned;
  let browser: Browser;
  let fuzhou = "";
  const dataDir = mkdtempSync(join(tmpdir(), "tongban-e2e-federation-"));

  beforeAll(async () => {
    ensureBuilt();
    const port = await freePortRun(3);
    fuzhou = `http://127.0.0.1:${port}`;
    launcher = spawnInGroup([process.execPath, "--import", "tsx", "apps/server/src/launch.ts"], {
      PORT: String(port),
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      LOG_LEVEL: "warn",
      DEMO_PROVIDERS: "false",
      PAYMENT_SANDBOX_PORT: "0",
    });
    // The first node's /readyz answers 200 once all three are ready.
    if ((await waitReady(fuzhou, launcher, 240_000)) !== "ready")
      throw new Error(`the nodes did not start:\n${launcher.output().slice(-3000)}`);
    browser = await launchBrowser();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    if (launcher) await stopProcess(launcher);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("applies for another region's service from the home portal and follows it there", async () => {
    // 赵磊: household registered in 渭南 (610502), living and registered on 福州's portal.
    const first17 = `610502199205050${String(10 + Math.floor(Math.random() * 80))}`;
    const idNumber = first17 + idNumberCheckCharacter(first17);
    const password = "Zhao-Lei-2026!";
    const registered = await fetch(`${fuzhou}/api/v1/auth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ kind: "resident", name: "赵磊", idNumber, phone: "13859071268", password }),
    });
    expect(registered.status).toBe(201);

    const { page, problems } = await newPage(browser, phone);
    await recordingFailure(page, "federation-online", async () => {
      await page.goto(`${fuzhou}/login`);
      await page.getByLabel("账号", { exact: true }).fill(idNumber);
      await page.getByLabel("密码", { exact: true }).fill(password);
      await page.getByRole("button", { name: /登\s*录/ }).click();
      await page.waitForURL(`${fuzhou}/me`);

      await page.goto(`${fuzhou}/services`);
      const section = page.getByRole("region", { name: "跨省通办：其他地区可全程网办的事项" });
      await section.waitFor();
      const card = page.locator('[data-federated-service="610500-GA-0001"]');
      await expect.poll(() => card.textContent()).toContain("渭南市");
      await card.getByRole("link").click();
      await page.getByRole("heading", { level: 1, name: "户籍类证明开具" }).waitFor();
      await expect.poll(() => page.getByRole("alert").first().textContent()).toMatch(/渭南市的部门审批/);
      expect(await axeViolations(page)).toEqual([]);

      // Submitted empty: 福州 checks the form against 渭南's and names each field.
      await page.getByRole("button", { name: "提交跨省申请" }).click();
      await expect.poll(() => page.locator(".ant-form-item-explain-error").count()).toBeGreaterThanOrEqual(3);
      expect(await page.getByRole("alert").filter({ hasText: "处需要修改" }).count()).toBe(1);

      await page.getByLabel("证明种类").selectOption("household");
      await page.getByLabel("证明对象是").selectOption("self");
      await page.getByLabel("证明用途").selectOption("employment");
      await page.getByRole("button", { name: "提交跨省申请" }).click();
      await page.waitForURL(/\/me\/federated\//);

      // 渭南 files it and says so; the page looks again every few seconds.
      await expect.poll(() => page.locator("main").textContent(), { timeout: 30_000 }).toMatch(/610500-\d{8}-\d{6}/);
      const text = (await page.locator("main").textContent()) ?? "";
      expect(text).toContain("全程网办");
      expect(text).toContain("申请地");
      expect(text).toContain("福州市");
      expect(text).toContain("渭南市");
      expect(text).toContain("case.handover");
      expect(await axeViolations(page)).toEqual([]);

      await page.goto(`${fuzhou}/me`);
      await page.getByRole("heading", { name: "我的跨省办件" }).waitFor();
      await expect.poll(() => page.getByRole("link", { name: "户籍类证明开具" }).count()).toBe(1);
    });
    expect(problems).toEqual([]);
  });
});
