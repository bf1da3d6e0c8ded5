import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  axeViolations,
  browserSuite,
  launchBrowser,
  newPage,
  phone,
  type RunningServer,
  recordingFailure,
  startServer,
} from "./harness.ts";

browserSuite("a resident verifies a step of their case against the ledger", () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("clicks 验证 on the timeline and is told, in plain words, what the browser proved", async () => {
    const { page, context, problems } = await newPage(browser, phone);
    const resident = server.accounts.find((a) => a.roles.length === 0 && a.username.startsWith("3501"));
    if (!resident) throw new Error("no demo resident of Fuzhou");
    await recordingFailure(page, "ledger-verify", async () => {
      await page.goto(`${server.baseUrl}/login`);
      await page.getByLabel("账号", { exact: true }).fill(resident.username);
      await page.getByLabel("密码", { exact: true }).fill(resident.password);
      await page.getByRole("button", { name: /登\s*录/ }).click();
      await page.waitForURL((url) => !url.pathname.startsWith("/login"));

      // A real case with a real step, made through the API with the browser's own session.
      const me = await (await context.request.get(`${server.baseUrl}/api/v1/auth/me`)).json();
      const headers = { "x-csrf-token": me.csrfToken as string };
      const created = await context.request.post(`${server.baseUrl}/api/v1/applications`, {
        headers,
        data: { serviceCode: "350100-MZ-0001" },
      });
      expect(created.status()).toBe(201);
      const id = (await created.json()).id as string;
      const withdrawn = await context.request.post(`${server.baseUrl}/api/v1/applications/${id}/actions`, {
        headers: { ...headers, "idempotency-key": `ledger-e2e-${id}` },
        data: { type: "withdraw" },
      });
      expect(withdrawn.ok()).toBe(true);

      await page.goto(`${server.baseUrl}/applications/${id}`);
      const verify = page.getByRole("button", { name: /在浏览器中验证这一步是否已记入账本：撤回/ });
      await verify.waitFor();
      // Keyboard only: focus the button and press Enter. Whether or not the page loaded before the
      // step was sealed, the answer ends in the proof (a pending step is re-read and then checked).
      await verify.focus();
      await page.keyboard.press("Enter");
      const status = page.getByRole("status").filter({ hasText: /已验证|验证未通过|暂时无法验证/ });
      await expect
        .poll(() => status.textContent(), { timeout: 15_000 })
        .toMatch(/已验证：这一步是本节点账本的第 \d+ 条记录/);
      const text = (await status.textContent()) ?? "";
      expect(text).toContain("tongban.local/ledger");
      expect(text).toContain("此后任何人都无法在不被发现的情况下修改或删除它");
      await expect.poll(() => page.locator("main").textContent()).toMatch(/账本第 \d+ 条/);

      // The expert details: root hash, size and the command to check it without this website.
      await page.getByText("技术细节（供专业人员核对）").click();
      const details = (await status.textContent()) ?? "";
      expect(details).toMatch(/根哈希（SHA-256，Base64）[A-Za-z0-9+/]{43}=/);
      expect(details).toContain("npx tongban-ledger verify-inclusion --key");
      expect(details).toContain("国密 SM2 签名");
      expect(await axeViolations(page)).toEqual([]);

      // A proof with one byte changed on the way: the browser says plainly that it failed.
      await page.route("**/api/v1/ledger/entries/*", async (route) => {
        const response = await route.fetch();
        const body = await response.json();
        const bytes = Buffer.from(body.proof[0], "base64");
        bytes[0] = (bytes[0] as number) ^ 0x01;
        body.proof[0] = bytes.toString("base64");
        await route.fulfill({ response, json: body });
      });
      await verify.click();
      await expect.poll(() => page.getByTestId("ledger-failed").textContent()).toContain("与已签名的账本状态对不上");
      await page.unroute("**/api/v1/ledger/entries/*");
      await verify.click();
      await expect.poll(() => page.getByTestId("ledger-verified").count()).toBe(1);
    });
    expect(problems).toEqual([]);
    await context.close();
  });
});
