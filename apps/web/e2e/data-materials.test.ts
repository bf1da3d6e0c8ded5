// 材料免提交 in the browser: on a phone, a resident consents and the parents' household register of a
// newborn's registration is pulled from public security instead of uploaded; staff see it verified;
// the resident finds the access under "who read my data".
import type { Page } from "playwright-core";
import { expect, it } from "vitest";
import {
  apiLogin,
  axeViolations,
  browserSuite,
  logIn,
  newPage,
  phone,
  recordingFailure,
  useServerAndBrowser,
} from "./harness.ts";

const NEWBORN = "350100-GA-0001";

browserSuite("a material is pulled from shared data instead of uploaded", () => {
  const env = useServerAndBrowser({ demoProviders: true });

  it("on a phone: the guide counts the spared materials, consent fetches them, submit asks for no upload", async () => {
    const { server, browser } = env;
    const resident = server.resident("350100");
    // The draft and its form through the API: this scenario is about the materials.
    const api = await apiLogin(server, resident.username);
    const { id, number } = await api.request<{ id: string; number: string }>("POST", "/applications", {
      serviceCode: NEWBORN,
    });
    await api.request("PATCH", `/applications/${id}`, {
      form: {
        childName: "林小满",
        childSex: "female",
        childBirthDate: "2026-11-20",
        childBirthPlace: "350102",
        birthCertificateNumber: "Q350012345",
        childEthnicity: "汉族",
        registerWith: "mother",
        relationToHouseholder: "daughter",
        deliveryMethod: "window",
        contactPhone: "13859012345",
      },
    });

    const { page, context, problems } = await newPage(browser, phone);
    await context.addInitScript(() => localStorage.setItem("tongban.region", "350100"));
    await recordingFailure(page, "data-materials-resident", async () => {
      await logIn(page, server, resident.username);
      await page.goto(`${server.baseUrl}/services/${NEWBORN}`);
      await expect.poll(() => page.locator("main").textContent()).toContain("本事项有 2 项材料可免提交");

      await page.goto(`${server.baseUrl}/applications/${id}`);
      const consent = page.locator(".tb-data-consent");
      // Informed consent: which department, which data, which fields.
      await expect.poll(() => consent.textContent()).toContain("户籍信息");
      const text = (await consent.textContent()) ?? "";
      expect(text).toContain("公安");
      expect(text).toContain("户籍地址");
      expect(await axeViolations(page)).toEqual([]);

      // Not fetched, it could still be provided as a copy.
      const household = page.locator('[data-material="parents_household_register"]');
      expect(await household.locator("input[type=file]").count()).toBe(1);

      // Without the tick, nothing is fetched and the page says why.
      await consent.getByRole("button", { name: "授权并调取" }).click();
      await expect.poll(() => consent.getByRole("alert").textContent()).toContain("请先勾选同意");

      await consent.getByRole("checkbox").check();
      await consent.getByRole("button", { name: "授权并调取" }).click();
      await expect.poll(() => consent.textContent(), { timeout: 15_000 }).toContain("所有可免提交的材料均已调取");
      expect(await household.textContent()).toContain("已核验");
      // Nothing was uploaded for it.
      expect(await household.locator("input[type=file]").count()).toBe(0);
      expect(await axeViolations(page)).toEqual([]);

      await page.getByRole("button", { name: "提交申请" }).click();
      await expect.poll(() => page.locator("main").textContent(), { timeout: 15_000 }).toContain("待受理");
      await expect.poll(() => page.locator("main").textContent()).toContain("本次申请免提交 2 项材料");
      const verified = page.locator('[data-verified="parents_household_register"]');
      expect(await verified.textContent()).toContain("户籍信息");
      expect(await axeViolations(page)).toEqual([]);

      // Who read my data: the fetch, by public security, for this case.
      await page.goto(`${server.baseUrl}/me/data-access`);
      await expect.poll(() => page.locator("main h1").textContent()).toBe("谁查看了我的数据");
      await expect.poll(() => page.locator("main").textContent()).toContain(number);
      const list = (await page.locator("main").textContent()) ?? "";
      expect(list).toContain("户籍信息");
      expect(list).toContain("本人授权（办件）");
      expect(await axeViolations(page)).toEqual([]);
    });
    expect(problems).toEqual([]);

    const staff = await newPage(browser, phone);
    await recordingFailure(staff.page, "data-materials-staff", async () => {
      await staffSees(staff.page, server, id);
    });
    expect(staff.problems).toEqual([]);
  });
});

async function staffSees(page: Page, server: ReturnType<typeof useServerAndBrowser>["server"], id: string) {
  await logIn(page, server, "fz.ga.window");
  await page.goto(`${server.baseUrl}/workbench/cases/${id}`);
  const verified = page.locator('[data-verified="parents_household_register"]');
  await expect.poll(() => verified.textContent(), { timeout: 15_000 }).toContain("已核验");
  const text = (await verified.textContent()) ?? "";
  for (const fact of ["户籍信息", "350100.gongan.household_registration", "公安", "调取时间", "申请人授权时间", "户号"])
    expect(text).toContain(fact);
  expect(await axeViolations(page)).toEqual([]);
}
