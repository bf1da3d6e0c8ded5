import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  axeViolations,
  browserSuite,
  type DemoAccount,
  desktop,
  launchBrowser,
  newPage,
  phone,
  type RunningServer,
  recordingFailure,
  startServer,
  totpCode,
} from "./harness.ts";

async function logIn(page: Page, baseUrl: string, account: DemoAccount) {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel("账号", { exact: true }).fill(account.username);
  await page.getByLabel("密码", { exact: true }).fill(account.password);
  await page.getByRole("button", { name: /登\s*录/ }).click();
  if (account.totpSecret) {
    await page.getByLabel("动态验证码", { exact: true }).fill(await totpCode(account.totpSecret));
    await page.getByRole("button", { name: /验证并登录/ }).click();
    await page.waitForURL(`${baseUrl}/workbench`);
  } else {
    await page.waitForURL(`${baseUrl}/me`);
  }
}

/** Opens a path, waits until its <h1> is there (lazy pages load on demand), and scans it. */
async function scan(page: Page, url: string): Promise<string[]> {
  await page.goto(url);
  await page.locator("main h1").first().waitFor();
  await page.waitForLoadState("networkidle");
  const violations = await axeViolations(page);
  return violations.map((v) => `${new URL(url).pathname}: ${v}`);
}

browserSuite("WCAG 2.1 AA (axe)", () => {
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

  for (const [label, options] of [
    ["phone", phone],
    ["desktop", desktop],
  ] as const) {
    it(`has no violations on the public pages (${label})`, async () => {
      const { page, context } = await newPage(browser, options);
      const found: string[] = [];
      for (const path of ["/", "/register", "/login", "/accessibility", "/no-such-page"]) {
        found.push(...(await scan(page, `${server.baseUrl}${path}`)));
      }
      // Errors shown in place must be as readable as everything else.
      await page.goto(`${server.baseUrl}/register`);
      await page.getByRole("button", { name: /注\s*册/ }).click();
      await page.locator(".ant-form-item-explain-error").first().waitFor();
      found.push(...(await axeViolations(page)).map((v) => `/register with errors: ${v}`));
      // The phone menu, open.
      if (label === "phone") {
        await page.getByRole("button", { name: "打开菜单" }).click();
        await page.getByRole("dialog").waitFor();
        found.push(...(await axeViolations(page)).map((v) => `menu: ${v}`));
      }
      expect(found).toEqual([]);
      await context.close();
    });
  }

  it("has no violations on a resident's own page, in every language", async () => {
    const { page, context } = await newPage(browser, phone);
    const resident = server.accounts.find((a) => /^\d{17}[\dX]$/.test(a.username)) as DemoAccount;
    const found: string[] = [];
    await recordingFailure(page, "a11y-me", async () => {
      await logIn(page, server.baseUrl, resident);
      found.push(...(await scan(page, `${server.baseUrl}/me`)));
      for (const language of ["English", "繁體中文"]) {
        await page.locator(".tb-lang").getByRole("button", { name: language }).click();
        await page.waitForTimeout(200);
        found.push(...(await axeViolations(page)).map((v) => `/me (${language}): ${v}`));
      }
    });
    expect(found).toEqual([]);
    await context.close();
  });

  it("has no violations on the workbench and the admin console", async () => {
    const found: string[] = [];
    // A window clerk: the queue entry, which is not built yet.
    {
      const { page, context } = await newPage(browser, desktop);
      await recordingFailure(page, "a11y-workbench", async () => {
        await logIn(page, server.baseUrl, server.account("fz.mz.window"));
        found.push(...(await scan(page, `${server.baseUrl}/workbench`)));
        found.push(...(await scan(page, `${server.baseUrl}/workbench/queue`)));
      });
      await context.close();
    }
    // An administrator, on a phone and on a desktop.
    for (const options of [phone, desktop]) {
      const admin = options === phone ? server.account("wn.admin") : server.account("cq.admin");
      const { page, context } = await newPage(browser, options);
      await recordingFailure(page, "a11y-admin", async () => {
        await logIn(page, server.baseUrl, admin);
        found.push(...(await scan(page, `${server.baseUrl}/workbench`)));
        found.push(...(await scan(page, `${server.baseUrl}/admin/departments`)));
        await page.getByRole("button", { name: /新建部门/ }).click();
        await page.getByRole("dialog").waitFor();
        found.push(...(await axeViolations(page)).map((v) => `department dialog: ${v}`));
        found.push(...(await scan(page, `${server.baseUrl}/admin/staff`)));
        await page.locator("main tbody tr.ant-table-row, main .tb-staff-card").first().waitFor();
        found.push(...(await axeViolations(page)).map((v) => `staff table: ${v}`));
      });
      await context.close();
    }
    expect(found).toEqual([]);
  });
});
