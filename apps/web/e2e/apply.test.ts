import type { BrowserContext, Page } from "playwright-core";
import { expect, it } from "vitest";
import {
  axeViolations,
  browserSuite,
  desktop,
  logIn,
  newPage,
  PDF,
  PNG,
  phone,
  recordingFailure,
  staffAct,
  useServerAndBrowser,
} from "./harness.ts";

browserSuite("a resident applies on a phone", () => {
  const env = useServerAndBrowser();
  let resident: { page: Page; context: BrowserContext; problems: string[] };
  let caseUrl = "";

  it("finds marriage registration, reads the guide, is told every missing item at once and submits", async () => {
    const { server, browser } = env;
    resident = await newPage(browser, phone);
    const { page, context, problems } = resident;
    // The portal shows Fuzhou (350100), the resident's region.
    await context.addInitScript(() => localStorage.setItem("tongban.region", "350100"));
    const account = server.resident("350100");

    await recordingFailure(page, "apply-resident-submit", async () => {
      // The catalogue, filtered by life event from the home page's tiles.
      await page.goto(`${server.baseUrl}/`);
      await page.getByRole("link", { name: "结婚", exact: true }).click();
      await page.waitForURL(/\/services\?lifeEvent=marriage/);
      await expect.poll(() => page.locator("main h1").textContent()).toBe("办事服务");
      const list = page.locator(".tb-service-list");
      await expect.poll(() => list.textContent()).toContain("内地居民结婚登记");
      expect(await axeViolations(page)).toEqual([]);

      // Search narrows it too.
      await page.getByLabel("搜索事项").fill("结婚登记");
      await page.getByRole("button", { name: /搜\s*索/ }).click();
      await page.waitForURL(/q=/);
      await page.getByRole("link", { name: "内地居民结婚登记" }).click();
      await page.waitForURL(/\/services\/350100-MZ-0001$/);

      // The guide tells everything at once.
      const main = page.locator("main");
      await expect.poll(() => page.locator("main h1").textContent()).toBe("内地居民结婚登记");
      await expect.poll(() => main.textContent()).toContain("一次性告知");
      const guide = (await main.textContent()) ?? "";
      for (const text of [
        "一次性告知",
        "民法典",
        "受理条件",
        "申请材料",
        "由部门共享数据获取，无需上传",
        "免费",
        "1 个工作日",
      ])
        expect(guide).toContain(text);
      expect(await axeViolations(page)).toEqual([]);

      // Anonymous: log in first, then come back to the guide and apply.
      await page.getByRole("link", { name: "登录后在线办理" }).click();
      await page.waitForURL(/\/login\?next=/);
      await page.getByLabel("账号", { exact: true }).fill(account.username);
      await page.getByLabel("密码", { exact: true }).fill(account.password);
      await page.getByRole("button", { name: /登\s*录/ }).click();
      await page.waitForURL(/\/services\/350100-MZ-0001$/);
      await page.getByRole("button", { name: "在线办理" }).click();
      await page.waitForURL(/\/applications\/[0-9a-f-]+$/);
      caseUrl = page.url();

      // Only part of the form: the submit answers every missing field and material at once.
      await page.getByLabel("对方姓名").fill("陈雨桐");
      await page.getByLabel("对方居民身份证号码").fill("110105194912310021");
      await page.getByRole("button", { name: "提交申请" }).click();
      await expect.poll(() => page.locator("#apply_partnerIdNumber_help").textContent()).toContain("校验码不正确");
      await expect.poll(() => page.locator("#apply_partnerPhone_help").textContent()).toContain("请输入手机号码");
      await expect.poll(() => page.locator("#apply_appointmentDate_help").textContent()).toContain("请填写此项");
      await expect.poll(() => page.locator("#material-photo-error").textContent()).toContain("请上传此材料");
      await expect
        .poll(() => page.locator("#material-no_spouse_statement-error").textContent())
        .toContain("请上传此材料");
      expect(await page.getByLabel("对方居民身份证号码").getAttribute("aria-invalid")).toBe("true");
      await expect.poll(() => page.getByRole("alert").first().textContent()).toContain("处需要修改");

      // The draft is kept on the server: a reload (or another device) resumes it.
      await page.getByRole("button", { name: "保存草稿" }).click();
      await expect.poll(() => page.locator(".ant-message").textContent()).toContain("草稿已保存");
      await page.goto(caseUrl);
      await expect.poll(() => page.getByLabel("对方姓名").inputValue()).toBe("陈雨桐");

      // Everything right, both materials uploaded.
      await page.getByLabel("对方居民身份证号码").fill("11010519491231002X");
      await page.getByLabel("对方手机号码").fill("13905910001");
      await page.getByLabel("本人职业").fill("教师");
      await page.getByLabel("对方职业").fill("工程师");
      await page.getByLabel("预约登记日期").fill("2026-12-08");
      await page.getByLabel("不需要").check();
      await page.locator("#material-photo").setInputFiles({ name: "合影.png", mimeType: "image/png", buffer: PNG });
      await expect.poll(() => page.locator("main").textContent()).toContain("合影.png");
      await page
        .locator("#material-no_spouse_statement")
        .setInputFiles({ name: "声明.pdf", mimeType: "application/pdf", buffer: PDF });
      await expect.poll(() => page.locator("main").textContent()).toContain("声明.pdf");
      expect(await axeViolations(page)).toEqual([]);

      await page.getByRole("button", { name: "提交申请" }).click();
      await expect.poll(() => page.locator("main").textContent()).toContain("待受理");
      const submitted = (await page.locator("main").textContent()) ?? "";
      expect(submitted).toContain("办理记录");
      expect(submitted).toContain("窗口受理");
      expect(await axeViolations(page)).toEqual([]);

      // My page lists it and links to it.
      await page.goto(`${server.baseUrl}/me`);
      await page.getByRole("link", { name: "内地居民结婚登记" }).click();
      await page.waitForURL(caseUrl);
    });
    expect(problems).toEqual([]);
  });

  it("window staff ask for a supplement, the resident supplements, handling staff approve", async () => {
    const { server, browser } = env;
    const clerk = await newPage(browser, desktop);
    const handler = await newPage(browser, desktop);
    const { page } = resident;
    const caseId = caseUrl.split("/").pop() as string;
    await recordingFailure(clerk.page, "apply-window", async () => {
      await logIn(clerk.page, server, "fz.mz.window");
      await clerk.page.goto(`${server.baseUrl}/workbench/queue`);
      await expect.poll(() => clerk.page.locator("main h1").textContent()).toBe("待办事项");
      await clerk.page.locator(`a[href="/workbench/cases/${caseId}"]`).click();
      await expect.poll(() => clerk.page.locator("main").textContent()).toContain("待受理");
      expect(await axeViolations(clerk.page)).toEqual([]);
      // 一次性告知: the photo is defective.
      await staffAct(clerk.page, "一次性告知补正", async (dialog) => {
        await dialog.getByLabel("需补正的材料或内容").selectOption("photo");
        await dialog.getByLabel("问题说明").fill("照片不是红底，请重新上传红底合影");
      });
      await expect.poll(() => clerk.page.locator("main").textContent()).toContain("待补正");
    });

    await recordingFailure(page, "apply-supplement", async () => {
      await page.goto(caseUrl);
      await expect.poll(() => page.locator("main").textContent()).toContain("照片不是红底");
      // Supplementing without a new photo is refused, naming the photo.
      await page.getByRole("button", { name: "提交补正" }).click();
      await expect
        .poll(() => page.locator("#material-photo-error").textContent())
        .toContain("请按补正要求重新上传此材料");
      await page.locator("#material-photo").setInputFiles({ name: "红底合影.png", mimeType: "image/png", buffer: PNG });
      await expect.poll(() => page.locator("main").textContent()).toContain("红底合影.png");
      await page.getByRole("button", { name: "提交补正" }).click();
      await expect.poll(() => page.locator("main").textContent()).toContain("待受理");
    });

    await recordingFailure(clerk.page, "apply-accept", async () => {
      await clerk.page.reload();
      await expect.poll(() => clerk.page.locator("main").textContent()).toContain("待受理");
      await staffAct(clerk.page, "受理", async (dialog) => {
        await dialog.getByLabel("意见").fill("材料齐全，予以受理");
      });
      await expect.poll(() => clerk.page.locator("main").textContent()).toContain("办理中");
      // The next step belongs to handling staff: the window can only add notes now.
      await expect.poll(() => clerk.page.locator("main").textContent()).toContain("审批办理");
      expect(await clerk.page.getByRole("button", { name: "完成本环节", exact: true }).count()).toBe(0);
    });

    await recordingFailure(handler.page, "apply-approve", async () => {
      await logIn(handler.page, server, "fz.mz.handler");
      await handler.page.goto(`${server.baseUrl}/workbench/cases/${caseId}`);
      await expect.poll(() => handler.page.locator("main").textContent()).toContain("办理中");
      await staffAct(handler.page, "完成本环节", async (dialog) => {
        await dialog.getByLabel("意见").fill("双方符合结婚条件");
      });
      await expect.poll(() => handler.page.locator("main").textContent()).toContain("登记颁证");
      await staffAct(handler.page, "准予", async (dialog) => {
        await dialog.getByLabel("意见").fill("准予登记，颁发结婚证");
      });
      await expect.poll(() => handler.page.locator("main").textContent()).toContain("已准予");
    });

    await recordingFailure(page, "apply-result", async () => {
      await page.goto(caseUrl);
      await expect.poll(() => page.locator("main").textContent()).toContain("已准予");
      const timeline = (await page.locator("main").textContent()) ?? "";
      for (const text of ["提交申请", "一次性告知补正", "补正", "受理", "完成本环节", "准予", "准予登记，颁发结婚证"])
        expect(timeline).toContain(text);
      expect(await axeViolations(page)).toEqual([]);
    });
    expect(resident.problems).toEqual([]);
    expect(clerk.problems).toEqual([]);
    expect(handler.problems).toEqual([]);
    await clerk.context.close();
    await handler.context.close();
    await resident.context.close();
  });
});
