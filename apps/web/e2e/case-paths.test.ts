import { expect, it } from "vitest";
import {
  acceptedMarriage,
  apiLogin,
  axeViolations,
  browserSuite,
  desktop,
  logIn,
  newPage,
  phone,
  recordingFailure,
  staffAct,
  submittedMarriage,
  useServerAndBrowser,
} from "./harness.ts";

browserSuite("a case off the straight path", () => {
  const env = useServerAndBrowser();

  it("tells a resident plainly that another person's case cannot be opened", async () => {
    const { server, browser } = env;
    const filed = await submittedMarriage(server, server.resident("350100").username);
    const other = await newPage(browser, phone);
    const { page } = other;
    await recordingFailure(page, "case-no-access", async () => {
      await logIn(page, server, server.resident("610500").username);
      const answer = page.waitForResponse((r) => r.url().endsWith(`/api/v1/applications/${filed.id}`));
      await page.goto(`${server.baseUrl}/applications/${filed.id}`);
      // The API does not even say whether the case exists.
      expect((await answer).status()).toBe(404);
      await expect.poll(() => page.locator("main h1").textContent()).toBe("无法查看此办件");
      const text = (await page.locator("main").textContent()) ?? "";
      expect(text).toContain("不是您本人的申请，您无权查看");
      expect(text).not.toContain("陈雨桐");
      expect(text).not.toContain(filed.number);
      expect(await axeViolations(page)).toEqual([]);
      await page.getByRole("link", { name: "我的办件" }).click();
      await page.waitForURL(`${server.baseUrl}/me`);
    });
    expect(other.problems).toEqual([]);
    await other.context.close();
  });

  it("shows the 409 message when the case changed under a staff member's hands", async () => {
    const { server, browser } = env;
    const filed = await submittedMarriage(server);
    const clerk = await newPage(browser, desktop);
    const { page } = clerk;
    await recordingFailure(page, "case-409", async () => {
      await logIn(page, server, "fz.mz.window");
      await page.goto(`${server.baseUrl}/workbench/cases/${filed.id}`);
      await expect.poll(() => page.locator("main").textContent()).toContain("待受理");
      // Meanwhile the applicant withdraws; the clerk's page still offers acceptance.
      const resident = await apiLogin(server, server.resident().username);
      expect((await resident.act(filed.id, { type: "withdraw", reason: "改期办理" })).status).toBe("withdrawn");
      await staffAct(page, "受理", async (dialog) => {
        await dialog.getByLabel("意见").fill("材料齐全，予以受理");
      });
      const alert = page.getByRole("alert").filter({ hasText: "办件当前状态下不能进行此操作" });
      await expect.poll(() => alert.textContent()).toContain("可能已被他人处理");
      // The page shows the case as it is now, with nothing left to do.
      await expect.poll(() => page.locator("main").textContent()).toContain("已撤回");
      expect(await page.getByRole("button", { name: "受理", exact: true }).count()).toBe(0);
      expect(await page.locator("main").textContent()).toContain("您没有可进行的操作");
      expect(await axeViolations(page)).toEqual([]);
    });
    expect(clerk.problems).toEqual([]);
    await clerk.context.close();
  });

  it("suspends and resumes a case with the clock stopped, decides it and delivers the result", async () => {
    const { server, browser } = env;
    const accepted = await acceptedMarriage(server);
    const handler = await newPage(browser, desktop);
    await recordingFailure(handler.page, "case-suspend", async () => {
      const { page } = handler;
      await logIn(page, server, "fz.mz.handler");
      await page.goto(`${server.baseUrl}/workbench/cases/${accepted.id}`);
      await expect.poll(() => page.locator("main").textContent()).toContain("办理中");
      // 特别程序: the reason is required, then the clock stops.
      await page.getByRole("button", { name: "中止（特别程序）", exact: true }).click();
      const dialog = page.getByRole("dialog");
      await dialog.getByRole("button", { name: /确\s*定/ }).click();
      await expect.poll(() => dialog.locator(".ant-form-item-explain-error").textContent()).toContain("请填写此项");
      await dialog.getByLabel("理由").fill("需向户籍地核实当事人婚姻状况");
      await dialog.getByRole("button", { name: /确\s*定/ }).click();
      await dialog.waitFor({ state: "hidden" });
      const facts = page.locator("main section[aria-labelledby=case-facts-title]");
      await expect.poll(() => facts.textContent()).toContain("特别程序");
      expect(await facts.textContent()).toContain("已暂停计时");
      // While suspended there is no deciding.
      expect(await page.getByRole("button", { name: "准予", exact: true }).count()).toBe(0);
      expect(await page.getByRole("button", { name: "完成本环节", exact: true }).count()).toBe(0);
      expect(await axeViolations(page)).toEqual([]);

      await staffAct(page, "恢复办理");
      await expect.poll(() => facts.textContent()).toContain("办理中");
      expect(await facts.textContent()).not.toContain("已暂停计时");
      await staffAct(page, "完成本环节", async (d) => {
        await d.getByLabel("意见").fill("经核实，双方均无配偶");
      });
      await expect.poll(() => facts.textContent()).toContain("登记颁证");
      await staffAct(page, "准予", async (d) => {
        await d.getByLabel("意见").fill("准予登记，颁发结婚证");
      });
      await expect.poll(() => facts.textContent()).toContain("已准予");
      // Delivery is the window's: the handler has nothing more to do.
      expect(await page.getByRole("button", { name: "送达结果", exact: true }).count()).toBe(0);
    });
    expect(handler.problems).toEqual([]);
    await handler.context.close();

    const clerk = await newPage(browser, desktop);
    await recordingFailure(clerk.page, "case-deliver", async () => {
      const { page } = clerk;
      await logIn(page, server, "fz.mz.window");
      await page.goto(`${server.baseUrl}/workbench/cases/${accepted.id}`);
      await expect.poll(() => page.locator("main").textContent()).toContain("已准予");
      await staffAct(page, "送达结果", async (dialog) => {
        await dialog.getByLabel("窗口领取").check();
      });
      await expect.poll(() => page.locator("main").textContent()).toContain("已办结");
    });
    expect(clerk.problems).toEqual([]);
    await clerk.context.close();

    // The applicant sees the whole path on the phone, the result and how it is delivered.
    const resident = await newPage(browser, phone);
    await recordingFailure(resident.page, "case-resident-result", async () => {
      const { page } = resident;
      await logIn(page, server, server.resident().username);
      await page.goto(`${server.baseUrl}/applications/${accepted.id}`);
      await expect.poll(() => page.locator("main").textContent()).toContain("已办结");
      const text = (await page.locator("main").textContent()) ?? "";
      for (const step of [
        "中止（特别程序）",
        "理由：需向户籍地核实当事人婚姻状况",
        "恢复办理",
        "准予",
        "送达结果",
        "送达方式：窗口领取",
      ])
        expect(text).toContain(step);
      expect(await axeViolations(page)).toEqual([]);
    });
    expect(resident.problems).toEqual([]);
    await resident.context.close();
  });
});
