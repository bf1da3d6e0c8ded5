// 跨省通办 in the browser, on a phone: the three demo regions as three real nodes (the launcher that
// `npm start` runs). A resident whose household is in 渭南 but who lives in 福州 finds 渭南's
// household certificate on 福州's portal, is told field by field what the form lacks, applies, and
// follows the case that 渭南 filed from 福州. 福州's window receives a 渭南 resident in person
// (异地代收代办), 渭南 decides, and the window delivers the result. A 福州 resident moving to 渭南
// applies for 渭南's one-stop household move (多地联办) from 福州's portal and sees its linked steps.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { idNumberCheckCharacter } from "@tongban/contracts";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  apiLogin,
  axeViolations,
  browserSuite,
  type DemoAccount,
  ensureBuilt,
  freePortRun,
  launchBrowser,
  logIn,
  newPage,
  PDF,
  phone,
  type RunningServer,
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
  let weinan = "";
  const dataDir = mkdtempSync(join(tmpdir(), "tongban-e2e-federation-"));

  beforeAll(async () => {
    ensureBuilt();
    const port = await freePortRun(3);
    fuzhou = `http://127.0.0.1:${port}`;
    weinan = `http://127.0.0.1:${port + 1}`;
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

  /** A launcher's node as the harness's helpers expect a server (its demo accounts are in its data folder). */
  const node = (baseUrl: string, region: string): RunningServer => {
    const accounts = JSON.parse(readFileSync(join(dataDir, region, "demo-accounts.json"), "utf8")) as DemoAccount[];
    const find = (username: string) => {
      const account = accounts.find((a) => a.username === username);
      if (!account) throw new Error(`no demo account ${username}`);
      return account;
    };
    return {
      baseUrl,
      accounts,
      clockOffsetMs: 0,
      account: find,
      resident: () => accounts.find((a) => !a.totpSecret) as DemoAccount,
      restart: () => Promise.reject(new Error("not here")),
      stop: () => Promise.resolve(),
    };
  };

  it("异地代收代办: 福州's window receives a 渭南 resident, 渭南 decides, the window delivers", async () => {
    const fz = node(fuzhou, "350100");
    const wn = node(weinan, "610500");
    const first17 = `610502198811230${String(10 + Math.floor(Math.random() * 80))}`;
    const idNumber = first17 + idNumberCheckCharacter(first17);
    const { page, problems } = await newPage(browser);
    await recordingFailure(page, "federation-remote", async () => {
      await logIn(page, fz, "fz.window");
      await page
        .getByRole("link", { name: /异地代收/ })
        .first()
        .click();
      await page.getByRole("heading", { level: 1, name: "异地代收" }).waitFor();
      await page.getByLabel("办理事项", { exact: true }).selectOption("610500-GA-0001");
      await page.getByLabel("证明种类").waitFor();
      expect(await axeViolations(page)).toEqual([]);

      await page.getByLabel("身份证号码或统一社会信用代码").fill(idNumber);
      await page.getByLabel("姓名或名称").fill("王芳");
      await page.getByLabel("证明种类").selectOption("household");
      await page.getByLabel("证明对象是").selectOption("self");
      await page.getByLabel("证明用途").selectOption("employment");
      await page
        .locator("#scan-kinship_proof")
        .setInputFiles({ name: "户口簿.pdf", mimeType: "application/pdf", buffer: PDF });
      // Without the two checks confirmed, nothing is forwarded and both are named.
      await page.getByRole("button", { name: "核验完毕，转交审批地" }).click();
      await expect.poll(() => page.locator(".ant-form-item-explain-error").count()).toBeGreaterThanOrEqual(2);
      const explained = (await page.locator(".ant-form-item-explain-error").allTextContents()).join(" ");
      expect(explained).toContain("请当面核验申请人身份后勾选确认");
      expect(explained).toContain("请完成材料形式审查后勾选确认");
      await page.getByLabel("已当面核验申请人身份，与证件一致").check();
      await page.getByLabel("已对材料进行形式审查：齐全、清晰、与申请表一致").check();
      await page.getByLabel("已核验原件").check();
      await page.getByRole("button", { name: "核验完毕，转交审批地" }).click();
      await page.waitForURL(/\/workbench\/remote\/[0-9a-f-]{36}$/);
      const id = page.url().split("/").pop() as string;
      await page.getByRole("heading", { name: "窗口收件记录" }).waitFor();
      expect(await page.locator("main").textContent()).toContain("户口簿.pdf");

      // 渭南 files it with the scan and decides it.
      const wnWindow = await apiLogin(wn, "wn.ga.window");
      await expect
        .poll(
          async () =>
            (await fetch(`${weinan}/api/v1/federation/peers`)).ok &&
            (await wnWindow.request("GET", `/applications/${id}`, undefined, 200).then(
              () => true,
              () => false,
            )),
          { timeout: 30_000 },
        )
        .toBe(true);
      await wnWindow.act(id, { type: "accept" });
      const wnHandler = await apiLogin(wn, "wn.ga.handler");
      await wnHandler.act(id, { type: "approve", opinion: "经核查户籍档案，情况属实，准予出具。" });

      // 渭南's staff see where the case came from and what 福州's window checked.
      const staffPage = (await newPage(browser)).page;
      await logIn(staffPage, wn, "wn.supervisor");
      await staffPage.goto(`${weinan}/workbench/cases/${id}`);
      await staffPage.getByRole("heading", { name: "窗口收件记录" }).waitFor();
      const there = (await staffPage.locator("main").textContent()) ?? "";
      expect(there).toContain("异地代收代办");
      expect(there).toContain("福州市");
      expect(there).toContain("身份证阅读器读取");
      expect(await axeViolations(staffPage)).toEqual([]);
      await staffPage.close();

      // The decision comes back to the window, which delivers it.
      await page.getByRole("heading", { name: "结果送达" }).waitFor({ timeout: 40_000 });
      expect(await axeViolations(page)).toEqual([]);
      await page.getByLabel("已当面核验领取人身份").check();
      await page.getByRole("button", { name: "确认送达" }).click();
      await expect.poll(() => page.locator("main").textContent(), { timeout: 15_000 }).toMatch(/已送达/);
      await expect.poll(() => page.getByRole("button", { name: "确认送达" }).count()).toBe(0);
    });
    expect(problems).toEqual([]);
  });

  it("多地联办: a 福州 resident applies for 渭南's household move from 福州's portal and sees its linked steps", async () => {
    const fz = node(fuzhou, "350100");
    const lin = fz.accounts.find((a) => !a.totpSecret && a.username.startsWith("350102")) as DemoAccount;
    const { page, problems } = await newPage(browser, phone);
    await recordingFailure(page, "federation-joint", async () => {
      await logIn(page, fz, lin.username);
      await page.goto(`${fuzhou}/services`);
      const card = page.locator('[data-federated-service="610500-GA-0101"]');
      await expect.poll(() => card.textContent()).toContain("渭南市");
      await card.getByRole("link").click();
      await page.getByRole("heading", { level: 1, name: "户口跨省迁移（迁入地一站式办理）" }).waitFor();
      await expect.poll(() => page.locator("main").textContent()).toContain("多地联办");
      await page.getByLabel("迁出地（现户口所在地）").fill("350102");
      await page.getByLabel("迁出地户籍地址").fill("福建省福州市鼓楼区东街 12 号");
      await page.getByLabel("迁入地详细地址").fill("陕西省渭南市临渭区朝阳大街 66 号");
      await page.getByLabel("迁移原因").selectOption("house_purchase");
      await page.getByLabel("迁移人数（含本人）").selectOption("1");
      expect(await axeViolations(page)).toEqual([]);
      await page.getByRole("button", { name: "提交跨省申请" }).click();
      await page.waitForURL(/\/me\/federated\//);
      await page.getByRole("heading", { name: "联办步骤" }).waitFor({ timeout: 30_000 });
      const steps = page.getByRole("heading", { name: "联办步骤" }).locator("xpath=..").getByRole("listitem");
      await expect.poll(() => steps.count()).toBe(3);
      const text = (await page.locator("main").textContent()) ?? "";
      for (const name of ["准迁审批", "迁出登记", "落户登记", "办理地：渭南市", "办理地：福州市", "多地联办"])
        expect(text).toContain(name);
      expect(await axeViolations(page)).toEqual([]);
    });
    expect(problems).toEqual([]);
  });
});
