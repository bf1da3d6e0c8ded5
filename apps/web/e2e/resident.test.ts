import { idNumberCheckCharacter } from "@tongban/contracts";
import { expect, it } from "vitest";
import { browserSuite, newPage, phone, recordingFailure, useServerAndBrowser } from "./harness.ts";

/** A fresh, valid ID number (Fuzhou Gulou district, born 1994) so each run registers someone new. */
function newIdNumber(): string {
  const sequence = String(100 + Math.floor(Math.random() * 800)).padStart(3, "0");
  const first17 = `350102199406${String(10 + Math.floor(Math.random() * 18))}${sequence}`;
  return first17 + idNumberCheckCharacter(first17);
}

function withWrongCheckDigit(id: string): string {
  const right = id[17];
  const wrong = "0123456789X".split("").find((c) => c !== right) as string;
  return id.slice(0, 17) + wrong;
}

browserSuite("a resident on a phone", () => {
  const env = useServerAndBrowser();

  it("registers (after fixing wrong inputs), logs out and logs in again", async () => {
    const { server, browser } = env;
    const { page, context, problems } = await newPage(browser, phone);
    const idNumber = newIdNumber();
    const password = "Minjiang2026";
    await recordingFailure(page, "resident-register-login", async () => {
      await page.goto(`${server.baseUrl}/register`);
      await expect.poll(() => page.title()).toContain("用户注册");

      // A wrong check digit: the specific message appears under the ID field as soon as it is left.
      const idInput = page.getByLabel("身份证号", { exact: true });
      await page.getByLabel("姓名", { exact: true }).fill("林晓明");
      await idInput.fill(withWrongCheckDigit(idNumber));
      await idInput.blur();
      const idHelp = page.locator("#register-resident_identifier_help");
      await expect.poll(() => idHelp.textContent()).toContain("身份证号最后一位校验码不正确");
      expect(await idInput.getAttribute("aria-invalid")).toBe("true");
      expect(await idInput.getAttribute("aria-describedby")).toContain("register-resident_identifier_help");

      // Other wrong inputs, each with its own message in place.
      await page.getByLabel("手机号码", { exact: true }).fill("12345");
      await page.getByLabel("密码", { exact: true }).fill("short");
      await page.getByLabel("确认密码", { exact: true }).fill("different1");
      await page.getByRole("button", { name: /注\s*册/ }).click();
      await expect.poll(() => page.locator("#register-resident_phone_help").textContent()).toContain("11 位手机号码");
      await expect.poll(() => page.locator("#register-resident_password_help").textContent()).toContain("至少 8 位");
      await expect
        .poll(() => page.locator("#register-resident_confirmPassword_help").textContent())
        .toContain("两次输入的密码不一致");

      // The server's own answer lands under the field too: an ID number that is already registered.
      const taken = server.accounts.find((a) => /^\d{17}[\dX]$/.test(a.username))?.username as string;
      await idInput.fill(taken);
      await page.getByLabel("手机号码", { exact: true }).fill("13905918888");
      await page.getByLabel("密码", { exact: true }).fill(password);
      await page.getByLabel("确认密码", { exact: true }).fill(password);
      await page.getByRole("button", { name: /注\s*册/ }).click();
      await expect.poll(() => idHelp.textContent()).toContain("该身份证号已注册");
      await expect.poll(() => page.getByTestId("register-alert").textContent()).toContain("部分内容填写有误");

      // Now valid: registered, logged in, and on the resident's own page.
      await idInput.fill(idNumber);
      await page.getByRole("button", { name: /注\s*册/ }).click();
      await page.waitForURL(`${server.baseUrl}/me`);
      await expect.poll(() => page.locator("main h1").textContent()).toBe("个人中心");
      const body = await page.locator("main").textContent();
      expect(body).toContain("林晓明");
      expect(body).toContain(`${idNumber.slice(0, 4)}**********${idNumber.slice(-4)}`);
      // "My applications" is fetched after the page shows: a new resident has none.
      await expect.poll(() => page.locator("main").textContent()).toContain("暂无办件");

      // Log out from the phone menu.
      await page.getByRole("button", { name: "打开菜单" }).click();
      await page
        .getByRole("dialog")
        .getByRole("button", { name: /退出登录/ })
        .click();
      await page.waitForURL(`${server.baseUrl}/`);
      await page.goto(`${server.baseUrl}/me`);
      await page.waitForURL(/\/login\?next=%2Fme/);

      // A wrong password first: the attempts left are stated.
      await page.getByLabel("账号", { exact: true }).fill(idNumber);
      await page.getByLabel("密码", { exact: true }).fill("Wrong-password-1");
      await page.getByRole("button", { name: /登\s*录/ }).click();
      await expect.poll(() => page.getByTestId("login-alert").textContent()).toContain("再错 4 次");

      // Then right: back to /me (where the login was headed).
      await page.getByLabel("密码", { exact: true }).fill(password);
      await page.getByRole("button", { name: /登\s*录/ }).click();
      await page.waitForURL(`${server.baseUrl}/me`);
      await expect.poll(() => page.locator("main").textContent()).toContain("林晓明");
    });
    expect(problems).toEqual([]);
    await context.close();
  });

  it("registers an enterprise with a credit code checked in the browser", async () => {
    const { server, browser } = env;
    const { page, context } = await newPage(browser, phone);
    await page.goto(`${server.baseUrl}/register`);
    await page.getByRole("tab", { name: "法人注册" }).click();
    const code = page.getByLabel("统一社会信用代码", { exact: true });
    await code.fill("91350100MA2YQ8K37A");
    await code.blur();
    await expect
      .poll(() => page.locator("#register-enterprise_identifier_help").textContent())
      .toContain("统一社会信用代码最后一位校验码不正确");
    await code.fill("91350100MA2YQ8K3");
    await code.blur();
    await expect.poll(() => page.locator("#register-enterprise_identifier_help").textContent()).toContain("18 位");
    await context.close();
  });
});
