import { expect, it } from "vitest";
import {
  axeViolations,
  browserSuite,
  chooseOption,
  desktop,
  newPage,
  recordingFailure,
  totpCode,
  useServerAndBrowser,
} from "./harness.ts";

browserSuite("an administrator in the admin console", () => {
  const env = useServerAndBrowser();

  it("logs in with TOTP, manages departments and staff, and the new staff member enrols an authenticator", async () => {
    const { server, browser } = env;
    const { page, context, problems } = await newPage(browser, desktop);
    const admin = server.account("fz.admin");
    await recordingFailure(page, "staff-admin", async () => {
      // Password first; the server asks for the one-time code and the field appears.
      await page.goto(`${server.baseUrl}/login`);
      await page.getByLabel("账号", { exact: true }).fill(admin.username);
      await page.getByLabel("密码", { exact: true }).fill(admin.password);
      await page.getByRole("button", { name: /登\s*录/ }).click();
      const totp = page.getByLabel("动态验证码", { exact: true });
      await totp.waitFor();
      expect(await page.getByTestId("login-alert").textContent()).toContain("工作人员登录需要动态验证码");

      // A wrong code is refused in place, with the attempts left.
      const right = await totpCode(admin.totpSecret as string);
      await totp.fill(String((Number(right) + 1) % 1_000_000).padStart(6, "0"));
      await page.getByRole("button", { name: /验证并登录/ }).click();
      await expect.poll(() => page.locator("#login_totp_help").textContent()).toContain("动态验证码错误或已过期");
      await totp.fill(await totpCode(admin.totpSecret as string));
      await page.getByRole("button", { name: /验证并登录/ }).click();
      await page.waitForURL(`${server.baseUrl}/workbench`);

      // The workbench shows who is working, and only the entries of their roles.
      await expect.poll(() => page.locator("main h1").textContent()).toBe("工作台");
      const profile = await page.locator("main").textContent();
      expect(profile).toContain("林系统管理员");
      expect(profile).toContain("福州市行政服务中心管理委员会");
      expect(profile).toContain("机密");
      const nav = page.getByRole("navigation", { name: "工作台导航" });
      expect(await nav.getByRole("link").allTextContents()).toEqual(
        expect.arrayContaining([expect.stringContaining("部门管理"), expect.stringContaining("人员管理")]),
      );
      expect(await nav.textContent()).not.toContain("待办事项");
      expect(await axeViolations(page)).toEqual([]);

      // Departments: a malformed code, a taken code, then a new department.
      await nav.getByRole("link", { name: /部门管理/ }).click();
      await expect.poll(() => page.locator("main h1").textContent()).toBe("部门管理");
      await page.getByRole("button", { name: /新建部门/ }).click();
      const dialog = page.getByRole("dialog");
      const code = dialog.getByLabel("部门代码", { exact: true });
      await code.fill("Big Data");
      await code.blur();
      await expect
        .poll(() => page.locator("#department-create_code_help").textContent())
        .toContain("部门代码为 2–32 位小写字母");
      await code.fill("gongan");
      await dialog.getByLabel("部门名称", { exact: true }).fill("福州市数据资源管理局");
      await dialog.getByRole("button", { name: /保\s*存/ }).click();
      await expect
        .poll(() => page.locator("#department-create_code_help").textContent())
        .toContain("本地区已有使用该代码的部门");
      await code.fill("shuju");
      await dialog.getByLabel(/英文名称/).fill("Data Resources Administration");
      await dialog.getByRole("button", { name: /保\s*存/ }).click();
      await expect.poll(() => page.locator("main table").textContent()).toContain("福州市数据资源管理局");
      expect(await axeViolations(page)).toEqual([]);

      // A department with staff cannot be deleted, and the page says why.
      const gongan = page.locator("main tr", { hasText: "福州市公安局" });
      await gongan.getByRole("button", { name: /删除/ }).click();
      await page
        .locator(".ant-popconfirm:visible")
        .getByRole("button", { name: /删\s*除/ })
        .click();
      await expect.poll(() => page.getByTestId("admin-alert").textContent()).toContain("该部门仍有 3 个工作人员账号");

      // Staff: a taken account name is refused under its field, then a new account is created.
      await nav.getByRole("link", { name: /人员管理/ }).click();
      await expect.poll(() => page.locator("main h1").textContent()).toBe("人员管理");
      await page.getByRole("button", { name: /新建人员/ }).click();
      const drawer = page.locator(".ant-drawer:visible");
      await drawer.getByLabel("工作账号", { exact: true }).fill("fz.admin");
      await drawer.getByLabel("姓名", { exact: true }).fill("陈数据");
      await drawer.getByLabel(/手机号码/).fill("13800138000");
      await chooseOption(page, "所属部门", "福州市数据资源管理局");
      await drawer.getByRole("checkbox", { name: /数据管理/ }).check();
      await drawer.locator("label", { hasText: "内部" }).click();
      await drawer.getByLabel("初始密码", { exact: true }).fill("Shuju-2026");
      await drawer.getByLabel("确认密码", { exact: true }).fill("Shuju-2026");
      expect(await axeViolations(page)).toEqual([]);
      await drawer.getByRole("button", { name: /保\s*存/ }).click();
      await expect.poll(() => page.locator("#staff-create_username_help").textContent()).toContain("已被使用");
      await drawer.getByLabel("工作账号", { exact: true }).fill("fz.shuju.chen");
      await drawer.getByRole("button", { name: /保\s*存/ }).click();
      const row = page.locator("main tr", { hasText: "fz.shuju.chen" });
      await row.waitFor();
      expect(await row.textContent()).toContain("未绑定验证器");
      expect(await row.textContent()).toContain("数据管理");

      // Filters: by department, and by search.
      await chooseOption(page, "按部门筛选", "福州市数据资源管理局");
      await expect.poll(() => page.locator("main tbody tr.ant-table-row").count()).toBe(1);
      await chooseOption(page, "按部门筛选", "全部部门");
      await page.getByLabel("搜索人员", { exact: true }).fill("陈数据");
      await page.getByLabel("搜索人员", { exact: true }).press("Enter");
      await expect.poll(() => page.locator("main tbody tr.ant-table-row").count()).toBe(1);
      expect(await axeViolations(page)).toEqual([]);

      // Editing roles: the change is saved and shown.
      await page.getByLabel("搜索人员", { exact: true }).fill("");
      await row.getByRole("button", { name: /编辑/ }).click();
      await drawer.getByRole("checkbox", { name: /窗口受理/ }).check();
      await drawer.getByRole("button", { name: /保\s*存/ }).click();
      await expect.poll(() => row.textContent()).toContain("窗口受理");

      // Disabling the only administrator is refused, with the reason.
      const self = page.locator("main tr", { hasText: "fz.admin" });
      await self.getByRole("button", { name: /更多/ }).click();
      await page.getByRole("menuitem", { name: "停用账号" }).click();
      await page
        .locator(".ant-modal-confirm:visible")
        .getByRole("button", { name: /确\s*定/ })
        .click();
      await expect.poll(() => page.getByTestId("admin-alert").textContent()).toContain("需要保留至少一名系统管理员");

      // Log out; the new staff member logs in and enrols an authenticator.
      await page.getByRole("button", { name: /用户菜单/ }).click();
      await page.getByRole("menuitem", { name: /退出登录/ }).click();
      await page.waitForURL(`${server.baseUrl}/`);
      await page.goto(`${server.baseUrl}/login`);
      await page.getByLabel("账号", { exact: true }).fill("fz.shuju.chen");
      await page.getByLabel("密码", { exact: true }).fill("Shuju-2026");
      await page.getByRole("button", { name: /登\s*录/ }).click();
      await expect.poll(() => page.locator("main h1").textContent()).toBe("绑定身份验证器");
      expect(await page.getByRole("img", { name: /身份验证器绑定二维码/ }).getAttribute("src")).toMatch(
        /^data:image\/svg\+xml/,
      );
      expect(await axeViolations(page)).toEqual([]);
      const secret = ((await page.getByTestId("totp-secret").textContent()) ?? "").replace(/\s+/g, "");
      await page.getByLabel("动态验证码", { exact: true }).fill(await totpCode(secret));
      await page.getByRole("button", { name: /完成绑定并登录/ }).click();
      await page.waitForURL(`${server.baseUrl}/workbench`);
      await expect.poll(() => page.locator("main").textContent()).toContain("陈数据");

      // Their role's page opens from the menu (the data steward's console); /admin is not theirs.
      await page
        .getByRole("navigation", { name: "工作台导航" })
        .getByRole("link", { name: /数据共享/ })
        .click();
      await expect.poll(() => page.locator("main h1").textContent()).toBe("数据共享");
      await page.goto(`${server.baseUrl}/admin/staff`);
      await expect.poll(() => page.locator("main").textContent()).toContain("无权访问");
    });
    expect(problems).toEqual([]);
    await context.close();
  });
});
