// The data steward's console and the security officer's events in the browser: a steward finds a
// resource, approves a request with fewer fields, refuses another with reasons, revokes a grant; a
// department asks for a resource; a query beyond a grant shows up for the security officer.
import { expect, it } from "vitest";
import {
  apiLogin,
  axeViolations,
  browserSuite,
  desktop,
  logIn,
  newPage,
  phone,
  recordingFailure,
  useServerAndBrowser,
} from "./harness.ts";

const HOUSEHOLD = "350100.gongan.household_registration";
const IDENTITY = "350100.gongan.resident_identity";

browserSuite("the data-sharing console", () => {
  const env = useServerAndBrowser();

  it("a steward approves with fewer fields, refuses with reasons and revokes; a department asks for a resource", async () => {
    const { server, browser } = env;
    // 教育 asks for 公安's household registration (the seeded world has 人社's request for identity pending too).
    const jy = await apiLogin(server, "fz.jy.steward");
    await jy.request("POST", "/exchange/requests", {
      resource: HOUSEHOLD,
      purpose: "义务教育入学核验学区户籍",
      legalBasis: "《中华人民共和国义务教育法》第十二条",
      fields: ["idNumber", "name", "registeredAddress"],
      expiresOn: "2027-08-31",
    });

    const { page, problems } = await newPage(browser, phone);
    let fieldsGranted = 0;
    await recordingFailure(page, "data-sharing-steward", async () => {
      await logIn(page, server, "fz.ga.steward");
      await page.getByRole("link", { name: "数据共享" }).first().click();
      await page.waitForURL(/\/workbench\/data-sharing$/);
      await expect.poll(() => page.locator("main h1").textContent()).toBe("数据共享");

      // The catalogue, searched.
      await page.getByLabel("搜索数据资源").fill("户籍");
      await page.getByRole("button", { name: /搜\s*索/ }).click();
      const household = page.locator(`[data-resource="${HOUSEHOLD}"]`);
      await household.waitFor();
      expect(await household.textContent()).toContain("有条件共享");
      expect(await axeViolations(page)).toEqual([]);

      // A resource: its fields with classification and masking.
      await household.getByRole("link").click();
      await page.waitForURL(/\/resources\//);
      await expect.poll(() => page.locator("main h1").textContent()).toBe("户籍信息");
      const main = page.locator("main");
      await expect.poll(() => main.textContent()).toContain("证件号码（保留前4位和后4位）");
      expect(await main.textContent()).toContain("这是本部门的数据资源，无需申请");
      expect(await axeViolations(page)).toEqual([]);

      // Requests received, pending ones first: approve 人社's with fewer fields.
      await page.goto(`${server.baseUrl}/workbench/data-sharing?tab=incoming`);
      const identity = page.locator("[data-request]", { hasText: "人力资源" }).filter({ hasText: "人口基础信息" });
      await identity.first().waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await identity
        .first()
        .getByRole("button", { name: /批\s*准/ })
        .click();
      const dialog = page.getByRole("dialog");
      await dialog.waitFor();
      const boxes = dialog.getByRole("checkbox");
      await expect.poll(() => boxes.count()).toBeGreaterThan(1);
      fieldsGranted = (await boxes.count()) - 1;
      await boxes.last().uncheck();
      await dialog.getByLabel("每分钟查询上限").fill("60");
      expect(await axeViolations(page)).toEqual([]);
      await dialog.getByRole("button", { name: /批\s*准/ }).click();
      await dialog.waitFor({ state: "hidden" });

      // 教育's: refusing needs reasons.
      const jyRequest = page.locator("[data-request]", { hasText: "义务教育入学核验学区户籍" });
      await jyRequest.getByRole("button", { name: /拒\s*绝/ }).click();
      await dialog.waitFor();
      await dialog.getByRole("button", { name: /拒\s*绝/ }).click();
      await expect.poll(() => dialog.locator(".ant-form-item-explain-error").count()).toBeGreaterThan(0);
      await dialog.getByLabel("拒绝理由").fill("学区核验只需户籍地址，请减少字段后重新申请");
      await dialog.getByRole("button", { name: /拒\s*绝/ }).click();
      await dialog.waitFor({ state: "hidden" });
      await expect.poll(() => jyRequest.count()).toBe(0);

      // The grant just made, with the fields granted; revoke it with a reason.
      await page.goto(`${server.baseUrl}/workbench/data-sharing?tab=grants`);
      const grant = page.locator("[data-grant]", { hasText: "人力资源" }).filter({ hasText: "人口基础信息" }).first();
      await grant.waitFor();
      expect(await grant.textContent()).toContain("每分钟 60 次");
      expect(await axeViolations(page)).toEqual([]);
      await grant.getByRole("button", { name: "撤销授权" }).click();
      await dialog.waitFor();
      await dialog.getByLabel("撤销理由").fill("合作协议已到期");
      await dialog.getByRole("button", { name: "撤销授权" }).click();
      await dialog.waitFor({ state: "hidden" });
      await expect.poll(() => grant.textContent()).toContain("合作协议已到期");
      expect(await grant.textContent()).toContain("已撤销");
    });
    expect(problems).toEqual([]);

    // The server agrees: 人社's grant has one field fewer than asked and is revoked; 教育 sees the reasons.
    const rs = await apiLogin(server, "fz.rs.steward");
    const grants = await rs.request<{ resource: string; fields: string[]; status: string }[]>(
      "GET",
      `/exchange/grants?side=outgoing&resource=${IDENTITY}`,
    );
    expect(grants[0]).toMatchObject({ status: "revoked" });
    expect(grants[0]?.fields).toHaveLength(fieldsGranted);
    const refused = await jy.request<{ status: string; decisionNote: string }[]>(
      "GET",
      "/exchange/requests?side=outgoing",
    );
    expect(refused[0]).toMatchObject({ status: "refused", decisionNote: "学区核验只需户籍地址，请减少字段后重新申请" });
  });

  it("a steward asks another department's resource for their own department", async () => {
    const { server, browser } = env;
    const { page, problems } = await newPage(browser, desktop);
    await recordingFailure(page, "data-sharing-request", async () => {
      await logIn(page, server, "fz.mz.steward");
      await page.goto(`${server.baseUrl}/workbench/data-sharing/resources/${encodeURIComponent(IDENTITY)}`);
      await expect.poll(() => page.locator("main h1").textContent()).toBe("人口基础信息");
      // Everything missing is said at once.
      await page.getByRole("button", { name: "提交申请" }).click();
      await expect.poll(() => page.locator(".ant-form-item-explain-error").count()).toBeGreaterThanOrEqual(3);
      expect(await axeViolations(page)).toEqual([]);
      await page.getByLabel("用途").fill("婚姻登记核验当事人身份");
      await page.getByLabel("依据（法律法规或文件）").fill("《婚姻登记条例》第五条");
      await page.getByRole("checkbox").first().check();
      await page.getByRole("button", { name: "提交申请" }).click();
      await expect.poll(() => page.locator(".ant-message").textContent()).toContain("申请已提交");
      await page.goto(`${server.baseUrl}/workbench/data-sharing?tab=outgoing`);
      const mine = page.locator("[data-request]", { hasText: "婚姻登记核验当事人身份" });
      await mine.waitFor();
      expect(await mine.textContent()).toContain("待审批");
    });
    expect(problems).toEqual([]);
  });

  it("a query beyond its grant is a security event the security officer finds by severity and type", async () => {
    const { server, browser } = env;
    const mz = await apiLogin(server, "fz.mz.handler");
    // 民政's seeded grant on household registration does not include the police station.
    await mz.request(
      "POST",
      "/exchange/query",
      {
        resource: HOUSEHOLD,
        key: server.resident("350100").username,
        purpose: "核验户籍信息",
        fields: ["policeStation"],
      },
      403,
    );
    const { page, problems } = await newPage(browser, phone);
    await recordingFailure(page, "data-sharing-security", async () => {
      await logIn(page, server, "fz.security");
      await page.goto(`${server.baseUrl}/workbench/security`);
      await expect.poll(() => page.locator("main h1").textContent()).toBe("安全事件");
      const event = page.locator("[data-event]", { hasText: "超出授权范围的查询" }).first();
      await event.waitFor();
      expect(await event.textContent()).toContain("policeStation");
      expect(await axeViolations(page)).toEqual([]);
      await page.getByLabel("级别").selectOption({ label: "低" });
      await expect.poll(() => page.locator("[data-event]", { hasText: "超出授权范围的查询" }).count()).toBe(0);
      await page.getByLabel("级别").selectOption({ label: "高" });
      await page.getByLabel("类型").selectOption({ label: "超出授权范围的查询" });
      await expect.poll(() => page.locator("[data-event]").count()).toBeGreaterThan(0);
      expect(await page.locator(".tb-access-list").textContent()).not.toContain("没有授权的查询");
    });
    expect(problems).toEqual([]);
  });
});
