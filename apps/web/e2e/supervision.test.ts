import { expect, it } from "vitest";
import {
  acceptedMarriage,
  axeViolations,
  browserSuite,
  chooseOption,
  logIn,
  newPage,
  phone,
  recordingFailure,
  useServerAndBrowser,
} from "./harness.ts";

const DAY = 24 * 3600_000;

browserSuite("a supervisor's overdue cases", () => {
  // The server starts three weeks in the past: a case accepted then is long overdue today.
  const env = useServerAndBrowser({ clockOffsetMs: -21 * DAY });

  it("lists the region's overdue case with its days and responsible officials, by department, and opens it", async () => {
    const { server, browser } = env;
    // Marriage registration promises one working day; accepted three weeks ago…
    const accepted = await acceptedMarriage(server);
    // …and today, on the real clock.
    await server.restart({ clockOffsetMs: 0 });

    const supervisor = await newPage(browser, phone);
    const { page } = supervisor;
    await recordingFailure(page, "supervision", async () => {
      await logIn(page, server, "fz.supervisor");
      await page.getByRole("navigation", { name: "工作台导航" }).getByRole("link", { name: /督办/ }).click();
      await expect.poll(() => page.locator("main h1").textContent()).toBe("督办");
      const card = page.getByTestId("supervision-case").filter({ hasText: accepted.number });
      await expect.poll(() => card.count()).toBe(1);
      const text = (await card.textContent()) ?? "";
      expect(text).toContain("已超期");
      expect(text).toMatch(/承诺 1 个工作日，已用 \d+ 个/);
      expect(text).toMatch(/已超期 \d+ 个工作日/);
      expect(text).toContain("福州市民政局");
      // 首问负责: the window clerk who accepted it; the case now waits on handling staff.
      expect(text).toContain("首问负责人林婚姻登记员");
      expect(text).toContain("当前办理审批办理 · 未认领");
      expect(await page.locator("main").textContent()).toMatch(/其中已超期 [1-9]\d* 件/);
      expect(await axeViolations(page)).toEqual([]);

      // Overdue only, and by department: the police have none, civil affairs has it.
      await chooseOption(page, "显示", "仅已超期");
      await expect.poll(() => page.url()).toContain("deadline=overdue");
      await expect.poll(() => card.count()).toBe(1);
      await chooseOption(page, "承办部门", "福州市公安局");
      await expect.poll(() => page.locator("main").textContent()).toContain("目前没有已超期的办件");
      await chooseOption(page, "承办部门", "福州市民政局");
      await expect.poll(() => card.count()).toBe(1);

      // The case itself: readable to the supervisor, back to the list from there.
      await card.getByRole("link", { name: "内地居民结婚登记" }).click();
      await page.waitForURL(`${server.baseUrl}/workbench/cases/${accepted.id}`);
      await expect.poll(() => page.locator("main").textContent()).toContain("已超期");
      // The case page, not the list it replaced: the clerk who accepted it shows once it has loaded.
      await expect.poll(() => page.locator("main").textContent()).toContain("林婚姻登记员");
      expect(await axeViolations(page)).toEqual([]);
      await page.getByRole("link", { name: "返回督办" }).click();
      await page.waitForURL(/\/workbench\/supervision/);
    });
    expect(supervisor.problems).toEqual([]);
    await supervisor.context.close();
  });
});
