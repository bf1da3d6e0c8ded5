import { expect, it } from "vitest";
import {
  apiLogin,
  axeViolations,
  browserSuite,
  chooseOption,
  desktop,
  logIn,
  MARRIAGE,
  newPage,
  phone,
  recordingFailure,
  staffAct,
  submittedMarriage,
  useServerAndBrowser,
} from "./harness.ts";

const NEW_PLACE = "福州市鼓楼区东街33号 福州市婚姻登记中心一楼大厅（周一至周六 9:00–17:00）";
const NEW_MATERIAL = "婚前医学检查证明";

browserSuite("the admin console: service catalogue and message outbox", () => {
  const env = useServerAndBrowser();
  let earlier: { id: string; number: string };

  it("publishes a new version of an item: the guide shows it, a case filed earlier keeps its version", async () => {
    const { server, browser } = env;
    // A resident files under version 1 before the administrator changes anything.
    earlier = await submittedMarriage(server);
    const admin = await newPage(browser, desktop);
    const { page } = admin;
    await recordingFailure(page, "console-publish", async () => {
      await logIn(page, server, "fz.admin");
      await page
        .getByRole("navigation", { name: "工作台导航" })
        .getByRole("link", { name: /服务事项管理/ })
        .click();
      await expect.poll(() => page.locator("main h1").textContent()).toBe("服务事项管理");
      // Nothing waits for publication yet; the department filter finds the item.
      await chooseOption(page, "状态", "有待发布的草稿");
      await expect.poll(() => page.locator("main").textContent()).toContain("没有符合条件的事项");
      await chooseOption(page, "状态", "全部状态");
      await chooseOption(page, "实施部门", "福州市民政局");
      await expect.poll(() => page.locator("main tbody tr.ant-table-row").count()).toBe(1);
      await page.getByRole("link", { name: "内地居民结婚登记" }).click();
      await page.waitForURL(/\/admin\/services\/350100-MZ-0001$/);
      await expect.poll(() => page.locator('main [data-version="1"]').textContent()).toContain("已发布");
      expect(await page.locator('main [data-version="1"]').textContent()).toContain("事项目录文件");
      expect(await page.locator("main").textContent()).toContain("已经提交的办件仍按提交时的版本办理");
      // The version reads as the guide does, element by element.
      const section = (id: string) => page.locator(`main section[aria-labelledby=${id}]`);
      expect(await section("version-conditions").textContent()).toContain("男方年满二十二周岁");
      expect(await section("version-form").textContent()).toContain("对方居民身份证号码");

      // Edit: a committed limit above the statutory one is refused, the server's reason under the field.
      await page.getByRole("link", { name: /以第 1 版为基础编辑/ }).click();
      await page.waitForURL(/\/edit\?from=1$/);
      await page.getByLabel("承诺办结时限（工作日）").fill("3");
      await page.getByLabel("办理地点").fill(NEW_PLACE);
      const materials = page.getByLabel("申请材料", { exact: true });
      const list = JSON.parse(await materials.inputValue()) as unknown[];
      list.push({
        code: "health_check",
        name: NEW_MATERIAL,
        required: false,
        source: "upload",
        accept: ["application/pdf"],
        maxSizeMb: 5,
      });
      await materials.fill(JSON.stringify(list, null, 2));
      await page.getByRole("button", { name: "保存为第 2 版草稿" }).click();
      await expect
        .poll(() => page.locator("#service-edit_committedLimitDays_help").textContent())
        .toContain("承诺办结时限不能超过法定办结时限");
      expect(await page.getByTestId("editor-alert").textContent()).toContain("有 1 处需要修改");
      expect(await page.getByLabel("承诺办结时限（工作日）").getAttribute("aria-invalid")).toBe("true");
      expect(await axeViolations(page)).toEqual([]);

      // JSON that does not parse is named under its box before anything is sent.
      await page.getByLabel("办理流程", { exact: true }).fill('{ "steps": [');
      await page.getByRole("button", { name: "保存为第 2 版草稿" }).click();
      await expect
        .poll(() => page.locator("#service-edit_workflowJson_help").textContent())
        .toContain("不是有效的 JSON");
      await page.getByLabel("办理流程", { exact: true }).fill(
        JSON.stringify({
          steps: [
            { key: "acceptance", name: "受理", role: "window" },
            { key: "review", name: "审查", role: "handling" },
            { key: "decision", name: "登记颁证", role: "handling" },
          ],
        }),
      );
      await page.getByLabel("承诺办结时限（工作日）").fill("1");
      await page.getByRole("button", { name: "保存为第 2 版草稿" }).click();
      await page.waitForURL(/\?version=2$/);

      // The draft against the version in use: exactly what changed.
      const comparison = page.getByTestId("version-comparison");
      await expect.poll(() => comparison.textContent()).toContain(`新增“${NEW_MATERIAL}”`);
      expect(await comparison.textContent()).toContain(`办理地点：由“`);
      expect(await comparison.textContent()).toContain(NEW_PLACE);
      expect(await comparison.textContent()).not.toContain("办理流程");
      expect(await page.locator('main [data-version="2"]').textContent()).toContain("草稿");
      expect(await page.locator('main [data-version="2"]').textContent()).toContain("林系统管理员");
      expect(await axeViolations(page)).toEqual([]);

      // Residents still see version 1 until it is published.
      const before = await (await fetch(`${server.baseUrl}/api/v1/services/${MARRIAGE}`)).json();
      expect(before.version).toBe(1);

      await page.getByRole("button", { name: "发布第 2 版", exact: true }).click();
      const confirm = page.locator(".ant-modal-confirm:visible");
      await confirm.waitFor();
      expect(await confirm.textContent()).toContain("已经提交的办件仍按提交时的版本办理");
      expect(await axeViolations(page)).toEqual([]);
      await confirm.getByRole("button", { name: /发\s*布/ }).click();
      await expect.poll(() => page.locator('main [data-version="2"]').textContent()).toContain("已发布");
      expect(await page.locator('main [data-version="1"]').textContent()).toContain("已被替代");
    });
    expect(admin.problems).toEqual([]);
    await admin.context.close();

    // The guide now tells version 2, to anyone.
    const visitor = await newPage(browser, phone);
    await recordingFailure(visitor.page, "console-guide", async () => {
      await visitor.page.goto(`${server.baseUrl}/services/${MARRIAGE}`);
      await expect.poll(() => visitor.page.locator("main").textContent()).toContain(NEW_PLACE);
      expect(await visitor.page.locator("main").textContent()).toContain(NEW_MATERIAL);
      expect(await visitor.page.locator("main section[aria-labelledby=guide-basic]").textContent()).toMatch(/版本\s*2/);
    });
    await visitor.context.close();

    // The case filed earlier keeps version 1: its page lists version 1's materials only.
    const resident = await newPage(browser, phone);
    await recordingFailure(resident.page, "console-earlier-case", async () => {
      await logIn(resident.page, server, server.resident().username);
      await resident.page.goto(`${server.baseUrl}/applications/${earlier.id}`);
      await expect.poll(() => resident.page.locator("main").textContent()).toContain("第 1 版（按提交时的版本办理）");
      const text = (await resident.page.locator("main").textContent()) ?? "";
      expect(text).toContain("双方近期半身免冠合影照片");
      expect(text).not.toContain(NEW_MATERIAL);
    });
    await resident.context.close();
    // A new application is filed under version 2.
    const api = await apiLogin(server, server.resident().username);
    const fresh = await api.request<{ serviceVersion: number }>("POST", "/applications", { serviceCode: MARRIAGE });
    expect(fresh.serviceVersion).toBe(2);
  });

  it("shows the administrator the SMS a case action sent", async () => {
    const { server, browser } = env;
    // Window staff accept the earlier case in the browser; the applicant is told by SMS.
    const clerk = await newPage(browser, desktop);
    await recordingFailure(clerk.page, "console-accept", async () => {
      await logIn(clerk.page, server, "fz.mz.window");
      await clerk.page.goto(`${server.baseUrl}/workbench/cases/${earlier.id}`);
      await expect.poll(() => clerk.page.locator("main").textContent()).toContain("待受理");
      await staffAct(clerk.page, "受理", async (dialog) => {
        await dialog.getByLabel("意见").fill("材料齐全，予以受理");
      });
      await expect.poll(() => clerk.page.locator("main").textContent()).toContain("办理中");
    });
    await clerk.context.close();

    // On a phone first, then the same page as wide as a desktop.
    const admin = await newPage(browser, phone);
    const { page } = admin;
    await recordingFailure(page, "console-outbox", async () => {
      await logIn(page, server, "fz.admin");
      await page
        .getByRole("navigation", { name: "工作台导航" })
        .getByRole("link", { name: /消息发件箱/ })
        .click();
      await expect.poll(() => page.locator("main h1").textContent()).toBe("消息发件箱");
      await page.getByLabel("搜索消息").fill(earlier.number);
      await page.getByRole("button", { name: /搜\s*索/ }).click();
      const messages = page.getByTestId("outbox-message");
      await expect.poll(() => messages.count()).toBe(2);
      // Newest first: the acceptance, then the submission, each to the applicant's phone.
      expect(await messages.nth(0).textContent()).toContain("申请已受理");
      expect(await messages.nth(0).textContent()).toContain("短信");
      expect(await messages.nth(0).textContent()).toMatch(/发给：1\d{10}/);
      expect(await messages.nth(1).textContent()).toContain("申请已提交");
      expect(await page.locator("main").textContent()).toContain("共 2 条");
      expect(await axeViolations(page)).toEqual([]);
      await page.setViewportSize(desktop.viewport);
      expect(await messages.count()).toBe(2);
      expect(await axeViolations(page)).toEqual([]);
      // No email went out: the demo accounts have no addresses.
      await chooseOption(page, "渠道", "邮件");
      await expect.poll(() => page.locator("main").textContent()).toContain("没有符合条件的消息");
    });
    expect(admin.problems).toEqual([]);
    await admin.context.close();
  });
});
