import { expect, it } from "vitest";
import { browserSuite, desktop, newPage, recordingFailure, useServerAndBrowser } from "./harness.ts";

browserSuite("languages and regions", () => {
  const env = useServerAndBrowser();

  it("switches zh-Hans → en → zh-Hant, updates <html lang>, and remembers the choice", async () => {
    const { server, browser } = env;
    const { page, context, problems } = await newPage(browser, desktop);
    await recordingFailure(page, "language", async () => {
      await page.goto(server.baseUrl);
      const h1 = page.locator("main h1");
      await expect.poll(() => h1.textContent()).toBe("福州市 · 一网通办");
      expect(await page.getAttribute("html", "lang")).toBe("zh-Hans");
      const languages = page.getByRole("group", { name: "界面语言" });
      expect(await languages.getByRole("button", { name: "简体中文" }).getAttribute("aria-pressed")).toBe("true");

      await languages.getByRole("button", { name: "English" }).click();
      await expect.poll(() => h1.textContent()).toBe("福州市 · One-stop services");
      expect(await page.getAttribute("html", "lang")).toBe("en");
      await expect.poll(() => page.title()).toContain("Tongban");
      expect(await page.locator("main").textContent()).toContain("Government service departments");
      // Departments show their English names in the English interface.
      expect(await page.locator("main").textContent()).toContain("Public Security Bureau");

      await page.getByRole("group", { name: "Language" }).getByRole("button", { name: "繁體中文" }).click();
      await expect.poll(() => h1.textContent()).toBe("福州市 · 一網通辦");
      expect(await page.getAttribute("html", "lang")).toBe("zh-Hant");
      expect(await page.locator("header").textContent()).toContain("註冊");

      // The choice survives a reload, and other pages follow it.
      await page.goto(`${server.baseUrl}/login`);
      await expect.poll(() => page.locator("main h1").textContent()).toBe("使用者登入");
      expect(await page.getAttribute("html", "lang")).toBe("zh-Hant");
      await page.getByRole("button", { name: /登\s*入/ }).click();
      await expect.poll(() => page.locator("#login_username_help").textContent()).toBe("請輸入帳號");
    });
    expect(problems).toEqual([]);
    await context.close();
  });

  it("switches the portal's region and remembers it", async () => {
    const { server, browser } = env;
    const { page, context } = await newPage(browser, desktop);
    await recordingFailure(page, "region", async () => {
      await page.goto(server.baseUrl);
      const h1 = page.locator("main h1");
      await expect.poll(() => h1.textContent()).toBe("福州市 · 一网通办");
      await page.getByRole("button", { name: /切换地区/ }).click();
      await page.getByRole("menuitem", { name: "渭南市" }).click();
      await expect.poll(() => h1.textContent()).toBe("渭南市 · 一网通办");
      await expect.poll(() => page.locator("main").textContent()).toContain("渭南市公安局");
      expect(await page.locator("main").textContent()).toContain("陕西省 · 渭南市");
      await page.reload();
      await expect.poll(() => h1.textContent()).toBe("渭南市 · 一网通办");
    });
    await context.close();
  });
});
