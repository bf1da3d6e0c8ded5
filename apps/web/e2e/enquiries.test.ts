import { expect, it } from "vitest";
import {
  axeViolations,
  browserSuite,
  desktop,
  logIn,
  MARRIAGE,
  newPage,
  phone,
  recordingFailure,
  useServerAndBrowser,
} from "./harness.ts";

browserSuite("enquiries (咨询) and first-contact responsibility (首问负责)", () => {
  const env = useServerAndBrowser();

  it("a resident asks about a service on a phone; the clerk who takes it answers; the resident closes it", async () => {
    const { server, browser } = env;
    const resident = await newPage(browser, phone);
    const clerk = await newPage(browser, desktop);
    const subject = "户口不在福州能否办理结婚登记";
    await recordingFailure(resident.page, "enquiry-resident", async () => {
      const { page } = resident;
      await logIn(page, server, server.resident().username);
      await page.goto(`${server.baseUrl}/services/${MARRIAGE}`);
      await page.getByRole("link", { name: "咨询此事项" }).click();
      await page.waitForURL(/\/me\/enquiries\/new\?service=/);
      await expect.poll(() => page.locator("main").textContent()).toContain("内地居民结婚登记");

      // Wrong input first: told at each field.
      await page.getByLabel("标题").fill("问");
      await page.getByRole("button", { name: "提交咨询" }).click();
      await expect.poll(() => page.locator("main").textContent()).toContain("内容太短");
      await expect.poll(() => page.locator("main").textContent()).toContain("请填写此项");
      expect(await axeViolations(page)).toEqual([]);

      await page.getByLabel("标题").fill(subject);
      await page.getByLabel("问题内容").fill("我的户口在渭南，对方户口在福州，可以在福州登记吗？需要带什么？");
      await page.getByRole("button", { name: "提交咨询" }).click();
      await page.waitForURL(/\/me\/enquiries\/[0-9a-f-]{36}$/);
      await expect.poll(() => page.locator("main").textContent()).toContain("待答复");
      expect(await page.locator("main").textContent()).toContain("尚未接手");
      expect(await axeViolations(page)).toEqual([]);
    });

    await recordingFailure(clerk.page, "enquiry-clerk", async () => {
      const { page } = clerk;
      await logIn(page, server, "fz.mz.window");
      await page.getByRole("navigation", { name: "工作台导航" }).getByRole("link", { name: "咨询" }).click();
      const card = page.getByTestId("enquiry").filter({ hasText: subject });
      await expect.poll(() => card.count()).toBe(1);
      expect(await axeViolations(page)).toEqual([]);
      await card.getByRole("link", { name: subject }).click();
      await page.getByRole("button", { name: "接手（首问负责）" }).click();
      await expect.poll(() => page.locator("main").textContent()).toContain("您已接手这条咨询");
      expect(await page.locator("main").textContent()).toContain("林婚姻登记员");
      await page
        .getByLabel("答复")
        .fill("可以。内地居民结婚登记，一方常住户口在福州即可在福州办理；请双方携带户口簿和身份证原件。");
      await page.getByRole("button", { name: "发送" }).click();
      await expect.poll(() => page.locator("main").textContent()).toContain("已答复");
      expect(await axeViolations(page)).toEqual([]);
    });

    await recordingFailure(resident.page, "enquiry-resident-close", async () => {
      const { page } = resident;
      await page.reload();
      await expect.poll(() => page.locator("main").textContent()).toContain("林婚姻登记员（工作人员）");
      expect(await page.locator("main").textContent()).toContain("请双方携带户口簿和身份证原件");
      await page.getByRole("button", { name: "结束咨询" }).click();
      await page.getByRole("dialog").getByRole("button", { name: "结束咨询" }).click();
      await expect.poll(() => page.locator("main").textContent()).toContain("这条咨询已结束");
      await page.getByRole("link", { name: "返回我的咨询" }).click();
      const item = page.getByTestId("enquiry").filter({ hasText: subject });
      await expect.poll(() => item.textContent()).toContain("已结束");
      expect(await item.textContent()).toContain("林婚姻登记员");
      expect(await axeViolations(page)).toEqual([]);
    });
    expect(resident.problems).toEqual([]);
    expect(clerk.problems).toEqual([]);
    await resident.context.close();
    await clerk.context.close();
  });
});
