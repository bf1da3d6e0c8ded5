// 电子证照 in the browser, on a phone: the resident's approved marriage registration gives them a
// certificate; they download its PDF (and look at it), follow its QR link to the public verification
// page, which says it is genuine; a tampered file is refused with the reason; the holder sees the
// verifications.
import { readFile } from "node:fs/promises";
import { pdfAttachments } from "@tongban/credentials";
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
  useServerAndBrowser,
} from "./harness.ts";

browserSuite("e-certificates", () => {
  const env = useServerAndBrowser();

  it("on a phone: receive the certificate, download the PDF and look at it, verify it by its QR link and refuse a tampered one", async () => {
    const { server, browser } = env;
    const { id } = await acceptedMarriage(server);
    const handler = await apiLogin(server, "fz.mz.handler");
    await handler.act(id, { type: "complete_step", opinion: "审查通过" });
    await handler.act(id, { type: "approve", opinion: "符合结婚登记条件，准予登记" });

    const { page, context, problems } = await newPage(browser, { ...phone, acceptDownloads: true });
    await context.addInitScript(() => localStorage.setItem("tongban.region", "350100"));
    let pdf = Buffer.alloc(0);
    await recordingFailure(page, "certificates-resident", async () => {
      await logIn(page, server, server.resident().username);
      await page.goto(`${server.baseUrl}/me`);
      await page.getByRole("link", { name: "查看我的电子证照" }).click();
      await expect.poll(() => page.locator("main h1").textContent()).toBe("我的电子证照");
      const card = page.locator(".tb-certificate").first();
      await expect.poll(() => card.textContent(), { timeout: 15_000 }).toContain("结婚证");
      const text = (await card.textContent()) ?? "";
      for (const fact of ["有效", "陈雨桐", "福州市民政局", "尚无人核验过此证照"]) expect(text).toContain(fact);
      expect(await axeViolations(page)).toEqual([]);
      await page.screenshot({ path: "test-results/certificates-list-phone.png", fullPage: true });

      const [download] = await Promise.all([
        page.waitForEvent("download"),
        card.getByRole("link", { name: "下载 PDF" }).click(),
      ]);
      pdf = await readFile((await download.path()) as string);
      expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
      expect([...(await pdfAttachments(new Uint8Array(pdf))).keys()]).toContain("credential.json");

      await card.getByRole("link", { name: "核验此证照" }).click();
      const result = page.locator(".tb-verify-result");
      await expect.poll(() => result.textContent(), { timeout: 15_000 }).toContain("证照真实有效");
      expect(await result.getAttribute("data-valid")).toBe("true");
      for (const check of ["signature", "issuer", "ledger", "status"])
        expect(await result.locator(`[data-check="${check}"]`).getAttribute("data-outcome")).toBe("pass");
      // The holder's ID number is masked for whoever verifies.
      expect(await result.textContent()).toMatch(/\d{4}\*+\d{3}[\dX]/);
      expect(await axeViolations(page)).toEqual([]);
      await page.screenshot({ path: "test-results/certificates-verify-phone.png", fullPage: true });

      // A PDF changed after issuance: refused, and the page says the file was altered.
      const tampered = Buffer.from(pdf);
      const at = tampered.indexOf("/Producer");
      tampered[at + 12] = tampered[at + 12] === 0x41 ? 0x42 : 0x41;
      await page
        .locator("input[type=file]")
        .setInputFiles({ name: "结婚证.pdf", mimeType: "application/pdf", buffer: tampered });
      await page.getByRole("button", { name: "核验" }).nth(1).click();
      await expect.poll(() => result.textContent(), { timeout: 15_000 }).toContain("证照未通过核验");
      expect(await result.textContent()).toContain("证照内容或文件在签发后被改动过");
      expect(await result.locator('[data-check="document"]').getAttribute("data-outcome")).toBe("fail");

      await page.goto(`${server.baseUrl}/me/certificates`);
      await expect.poll(() => page.locator(".tb-certificate").first().textContent()).toContain("已被核验 2 次");
    });
    expect(problems).toEqual([]);

    // Look at the PDF: Chromium's viewer renders it; the screenshot is kept for a person to see.
    const viewer = await newPage(browser, desktop);
    await viewer.page.route("**/certificate.pdf", (route) =>
      route.fulfill({ status: 200, contentType: "application/pdf", body: pdf }),
    );
    await viewer.page.goto(`${server.baseUrl}/certificate.pdf`).catch(() => undefined);
    await viewer.page.waitForTimeout(6000);
    await viewer.page.screenshot({ path: "test-results/certificate-pdf.png" });
  });

  it("on a phone: a material is filled from the resident's marriage certificate with one click (证照免提交)", async () => {
    const { server, browser } = env;
    const resident = server.resident();
    const api = await apiLogin(server, resident.username);
    const { id } = await api.request<{ id: string }>("POST", "/applications", { serviceCode: "350100-GA-0001" });
    const { page, context, problems } = await newPage(browser, phone);
    await context.addInitScript(() => localStorage.setItem("tongban.region", "350100"));
    await recordingFailure(page, "certificates-material", async () => {
      await logIn(page, server, resident.username);
      await page.goto(`${server.baseUrl}/applications/${id}`);
      const slot = page.locator('[data-certificate-for="marriage_certificate"]');
      const use = slot.getByRole("button", { name: /使用我的结婚证/ });
      await use.waitFor({ timeout: 15_000 });
      expect(await axeViolations(page)).toEqual([]);
      await use.click();
      await expect.poll(() => slot.textContent(), { timeout: 15_000 }).toContain("已使用电子证照");
      expect(await slot.textContent()).toContain("已核验");
      // A material no certificate of the resident's can satisfy says so.
      expect(await page.locator('[data-certificate-for="birth_medical_certificate"]').textContent()).toContain(
        "您没有可用的",
      );
      expect(await axeViolations(page)).toEqual([]);
      await page.screenshot({ path: "test-results/certificates-material-phone.png", fullPage: true });
    });
    expect(problems).toEqual([]);
  });
});
