import type { Page } from "playwright-core";
import { expect, it } from "vitest";
import {
  axeViolations,
  browserSuite,
  desktop,
  logIn,
  newPage,
  phone,
  recordingFailure,
  submittedMarriage,
  useServerAndBrowser,
} from "./harness.ts";

/** Opens a path, waits until its <h1> is there (lazy pages load on demand), and scans it. */
async function scan(page: Page, url: string): Promise<string[]> {
  await page.goto(url);
  await page.locator("main h1").first().waitFor();
  await page.waitForLoadState("networkidle");
  const violations = await axeViolations(page);
  return violations.map((v) => `${new URL(url).pathname}: ${v}`);
}

/** Scans the page as it is now (after an interaction), naming what was on it. */
async function scanHere(page: Page, what: string): Promise<string[]> {
  return (await axeViolations(page)).map((v) => `${what}: ${v}`);
}

browserSuite("WCAG 2.1 AA (axe)", () => {
  const env = useServerAndBrowser();

  for (const [label, options] of [
    ["phone", phone],
    ["desktop", desktop],
  ] as const) {
    it(`has no violations on the public pages (${label})`, async () => {
      const { server, browser } = env;
      const { page, context } = await newPage(browser, options);
      const found: string[] = [];
      for (const path of ["/", "/register", "/login", "/accessibility", "/no-such-page"]) {
        found.push(...(await scan(page, `${server.baseUrl}${path}`)));
      }
      // Errors shown in place must be as readable as everything else.
      await page.goto(`${server.baseUrl}/register`);
      await page.getByRole("button", { name: /注\s*册/ }).click();
      await page.locator(".ant-form-item-explain-error").first().waitFor();
      found.push(...(await scanHere(page, "/register with errors")));
      // A link the pointer rests on keeps its contrast (antd lightens links on hover by default).
      if (label === "desktop") {
        await page.goto(`${server.baseUrl}/login`);
        const link = page.locator("main a[href]").first();
        await link.hover();
        await page.waitForTimeout(400); // the colour's transition
        found.push(...(await scanHere(page, "/login with a link hovered")));
      }
      // The phone menu, open.
      if (label === "phone") {
        await page.getByRole("button", { name: "打开菜单" }).click();
        await page.getByRole("dialog").waitFor();
        found.push(...(await scanHere(page, "menu")));
      }
      expect(found).toEqual([]);
      await context.close();
    });
  }

  it("has no violations on a resident's own page, in every language, and on the no-access page", async () => {
    const { server, browser } = env;
    const { page, context } = await newPage(browser, phone);
    const found: string[] = [];
    // Another resident's case: the page says plainly that it cannot be opened.
    const someoneElses = await submittedMarriage(server, server.resident("350100").username);
    await recordingFailure(page, "a11y-me", async () => {
      await logIn(page, server, server.resident("610500").username);
      found.push(...(await scan(page, `${server.baseUrl}/me`)));
      for (const language of ["English", "繁體中文"]) {
        await page.locator(".tb-lang").getByRole("button", { name: language }).click();
        await page.waitForTimeout(200);
        found.push(...(await scanHere(page, `/me (${language})`)));
      }
      await page.locator(".tb-lang").getByRole("button", { name: "简体中文" }).click();
      found.push(...(await scan(page, `${server.baseUrl}/applications/${someoneElses.id}`)));
    });
    expect(found).toEqual([]);
    await context.close();
  });

  it("has no violations on the workbench, the supervision list and the admin console", async () => {
    const { server, browser } = env;
    const found: string[] = [];
    // A window clerk's queue and a supervisor's list.
    for (const [username, path] of [
      ["fz.mz.window", "/workbench/queue"],
      ["fz.supervisor", "/workbench/supervision"],
    ] as const) {
      const { page, context } = await newPage(browser, username === "fz.supervisor" ? phone : desktop);
      await recordingFailure(page, `a11y-${username}`, async () => {
        await logIn(page, server, username);
        found.push(...(await scan(page, `${server.baseUrl}/workbench`)));
        found.push(...(await scan(page, `${server.baseUrl}${path}`)));
      });
      await context.close();
    }
    // An administrator, on a phone and on a desktop.
    for (const options of [phone, desktop]) {
      const admin = options === phone ? server.account("wn.admin") : server.account("cq.admin");
      const item = options === phone ? "610500-MZ-0001" : "500000-MZ-0001";
      const { page, context } = await newPage(browser, options);
      await recordingFailure(page, "a11y-admin", async () => {
        await logIn(page, server, admin.username);
        found.push(...(await scan(page, `${server.baseUrl}/workbench`)));
        found.push(...(await scan(page, `${server.baseUrl}/admin/departments`)));
        await page.getByRole("button", { name: /新建部门/ }).click();
        await page.getByRole("dialog").waitFor();
        found.push(...(await scanHere(page, "department dialog")));
        found.push(...(await scan(page, `${server.baseUrl}/admin/staff`)));
        await page.locator("main tbody tr.ant-table-row, main .tb-staff-card").first().waitFor();
        found.push(...(await scanHere(page, "staff table")));

        // The service catalogue: the list, an item with its versions, and the editor with server errors.
        found.push(...(await scan(page, `${server.baseUrl}/admin/services`)));
        await page.locator(`main a[href="/admin/services/${item}"]`).waitFor();
        found.push(...(await scanHere(page, "service list")));
        found.push(...(await scan(page, `${server.baseUrl}/admin/services/${item}`)));
        await page.getByRole("button", { name: /查看原始定义/ }).click();
        found.push(...(await scanHere(page, "service item with JSON")));
        found.push(...(await scan(page, `${server.baseUrl}/admin/services/${item}/edit`)));
        await page.getByLabel("承诺办结时限（工作日）").fill("99");
        await page.getByRole("button", { name: /保存为第 2 版草稿/ }).click();
        await page.getByTestId("editor-alert").waitFor();
        found.push(...(await scanHere(page, "service editor with errors")));
        found.push(...(await scan(page, `${server.baseUrl}/admin/messages`)));
      });
      await context.close();
    }
    expect(found).toEqual([]);
  });

  it("has no violations on data sharing: the steward's console, a resource, security events, who read my data", async () => {
    const { server, browser } = env;
    const found: string[] = [];
    const base = `${server.baseUrl}/workbench/data-sharing`;
    // 公安's steward on a phone: the catalogue, a resource, each list, the approval dialog.
    const steward = await newPage(browser, phone);
    await recordingFailure(steward.page, "a11y-data-steward", async () => {
      const { page } = steward;
      await logIn(page, server, "fz.ga.steward");
      found.push(...(await scan(page, base)));
      await page.locator("[data-resource]").first().waitFor();
      found.push(...(await scanHere(page, "resource catalogue")));
      found.push(...(await scan(page, `${base}/resources/350100.gongan.household_registration`)));
      for (const tab of ["outgoing", "grants", "incoming"]) found.push(...(await scan(page, `${base}?tab=${tab}`)));
      await page
        .locator("[data-request]")
        .first()
        .getByRole("button", { name: /批\s*准/ })
        .click();
      await page.getByRole("dialog").waitFor();
      found.push(...(await scanHere(page, "approval dialog")));
    });
    await steward.context.close();
    // 民政's steward on a desktop: another department's resource, its request form with errors.
    const asker = await newPage(browser, desktop);
    await recordingFailure(asker.page, "a11y-data-request", async () => {
      const { page } = asker;
      await logIn(page, server, "fz.mz.steward");
      found.push(...(await scan(page, `${base}/resources/350100.gongan.resident_identity`)));
      await page.getByRole("button", { name: "提交申请" }).click();
      await page.locator(".ant-form-item-explain-error").first().waitFor();
      found.push(...(await scanHere(page, "sharing request with errors")));
    });
    await asker.context.close();
    // The security officer's events and a resident's "who read my data", on phones.
    for (const [username, path] of [
      ["fz.security", "/workbench/security"],
      [server.resident("350100").username, "/me/data-access"],
    ] as const) {
      const { page, context } = await newPage(browser, phone);
      await recordingFailure(page, `a11y-${path}`, async () => {
        await logIn(page, server, username);
        found.push(...(await scan(page, `${server.baseUrl}${path}`)));
      });
      await context.close();
    }
    expect(found).toEqual([]);
  });
});
