// 缴费 in the browser, the whole resident journey on a phone: the accepted notarisation case asks for
// its fee; the resident pays on the sandbox gateway's cashier page and comes back to the case, which
// shows the payment settled and the e-invoice; the invoice page and its public verification; after
// approval the certificate, its PDF downloaded and looked at. Then the notary refunds part of the fee
// with a reason (desktop), and the administrator runs the day's reconciliation.
import { readFile } from "node:fs/promises";
import { expect, it } from "vitest";
import {
  apiLogin,
  axeViolations,
  browserSuite,
  desktop,
  logIn,
  newPage,
  PDF,
  phone,
  type RunningServer,
  recordingFailure,
  staffAct,
  useServerAndBrowser,
} from "./harness.ts";

const NOTARISATION = "350100-SF-0001";

async function submittedNotarisation(server: RunningServer): Promise<string> {
  const api = await apiLogin(server, server.resident().username);
  const { id } = await api.request<{ id: string }>("POST", "/applications", { serviceCode: NOTARISATION });
  await api.request("PATCH", `/applications/${id}`, {
    form: {
      destinationCountry: "uk",
      purpose: "study",
      credentialLevel: "bachelor",
      documents: "both",
      institutionName: "福州大学",
      graduationDate: "2015-07-01",
      translationLanguage: "en",
      authentication: "none",
      copies: 1,
      deliveryMethod: "pickup",
    },
  });
  for (const code of ["id_card", "degree_record", "certificate_scans"]) {
    const body = new FormData();
    body.append("materialCode", code);
    body.append("file", new Blob([PDF], { type: "application/pdf" }), `${code}.pdf`);
    await api.request("POST", `/applications/${id}/materials`, body);
  }
  await api.act(id, { type: "submit" });
  return id;
}

browserSuite("fees, payments and e-invoices", () => {
  const env = useServerAndBrowser();

  it("on a phone: pay the fee on the gateway's cashier, get the e-invoice, then the certificate and its PDF", async () => {
    const { server, browser } = env;
    const id = await submittedNotarisation(server);
    // The notary accepts it and assesses the fee: two certificates notarised, one translation.
    const notaryPage = await newPage(browser, desktop);
    await recordingFailure(notaryPage.page, "payments-accept", async () => {
      await logIn(notaryPage.page, server, "fz.sf.handler");
      await notaryPage.page.goto(`${server.baseUrl}/workbench/cases/${id}`);
      await expect.poll(() => notaryPage.page.locator("main").textContent()).toContain("待受理");
      await staffAct(notaryPage.page, "受理", async (dialog) => {
        await dialog.getByLabel("意见").fill("材料齐全，予以受理");
        expect(await dialog.textContent()).toContain("收费核定");
        await dialog.getByLabel(/学历（学位）公证费/).fill("2");
        await dialog.getByLabel(/外文译文及译文相符公证/).fill("1");
        expect(JSON.stringify(await axeViolations(notaryPage.page))).toBe("[]");
      });
      await expect.poll(() => notaryPage.page.locator("main").textContent()).toContain("办理中");
      await expect.poll(() => notaryPage.page.locator(".tb-fee").textContent()).toContain("¥300.00");
    });
    expect(notaryPage.problems).toEqual([]);

    const { page, context, problems } = await newPage(browser, { ...phone, acceptDownloads: true });
    await context.addInitScript(() => localStorage.setItem("tongban.region", "350100"));
    let pdf = Buffer.alloc(0);
    let invoiceUrl = "";
    await recordingFailure(page, "payments-resident", async () => {
      await logIn(page, server, server.resident().username);
      await page.goto(`${server.baseUrl}/applications/${id}`);
      const fee = page.locator(".tb-fee");
      await expect.poll(() => fee.textContent()).toContain("¥300.00");
      expect(await fee.getAttribute("data-fee-status")).toBe("due");
      expect(JSON.stringify(await axeViolations(page))).toBe("[]");
      await page.screenshot({ path: "test-results/payments-due-phone.png", fullPage: true });

      await fee.getByRole("button", { name: /立即缴费/ }).click();
      // The sandbox gateway's cashier (another origin), then back to the case.
      await page.getByRole("button", { name: /确认支付/ }).waitFor({ timeout: 15_000 });
      expect(await page.textContent("body")).toContain("¥300.00");
      await page.screenshot({ path: "test-results/payments-cashier-phone.png", fullPage: true });
      await page.getByRole("button", { name: /确认支付/ }).click();
      await page.waitForURL(new RegExp(`/applications/${id}\\?payment=`));
      await expect
        .poll(() => page.locator(".tb-fee").getAttribute("data-fee-status"), { timeout: 20_000 })
        .toBe("paid");
      expect(await page.locator(".tb-fee").textContent()).toContain("缴费成功");
      expect(JSON.stringify(await axeViolations(page))).toBe("[]");
      await page.screenshot({ path: "test-results/payments-paid-phone.png", fullPage: true });

      await page.getByRole("link", { name: /查看电子票据/ }).click();
      const invoice = page.locator(".tb-invoice");
      await expect.poll(() => invoice.textContent()).toContain("学历（学位）公证费");
      const text = (await invoice.textContent()) ?? "";
      for (const fact of ["电子缴费票据", "福州市司法局", "¥300.00", "尚未报销"]) expect(text).toContain(fact);
      expect(JSON.stringify(await axeViolations(page))).toBe("[]");
      await page.screenshot({ path: "test-results/payments-invoice-phone.png", fullPage: true });
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        invoice.getByRole("link", { name: /下载票据文件/ }).click(),
      ]);
      const document = JSON.parse(await readFile((await download.path()) as string, "utf8"));
      expect(document).toMatchObject({ type: "TongbanInvoice", kind: "blue", totalFen: 30_000 });

      await invoice.getByRole("link", { name: "核验此票据" }).click();
      invoiceUrl = page.url();
      const result = page.locator(".tb-verify-result");
      await expect.poll(() => result.getAttribute("data-valid"), { timeout: 15_000 }).toBe("true");
      expect(await result.textContent()).toContain("票据真实有效");
      expect(JSON.stringify(await axeViolations(page))).toBe("[]");
      await page.screenshot({ path: "test-results/payments-verify-phone.png", fullPage: true });

      // The notary approves; the certificate arrives.
      const notary = await apiLogin(server, "fz.sf.handler");
      await notary.act(id, { type: "complete_step", opinion: "审查核实无误" });
      const approved = await notary.act(id, { type: "approve", opinion: "准予出具公证书" });
      expect(approved.status).toBe("approved");
      await page.goto(`${server.baseUrl}/me/certificates`);
      const card = page.locator(".tb-certificate").first();
      await expect.poll(() => card.textContent(), { timeout: 15_000 }).toContain("公证书");
      const [pdfDownload] = await Promise.all([
        page.waitForEvent("download"),
        card.getByRole("link", { name: "下载 PDF" }).click(),
      ]);
      pdf = await readFile((await pdfDownload.path()) as string);
      expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
    });
    expect(problems).toEqual([]);

    // Look at the PDF: Chromium's viewer renders it; the screenshot is kept for a person to see.
    const viewer = await newPage(browser, desktop);
    await viewer.page.route("**/notarial-certificate.pdf", (route) =>
      route.fulfill({ status: 200, contentType: "application/pdf", body: pdf }),
    );
    await viewer.page.goto(`${server.baseUrl}/notarial-certificate.pdf`).catch(() => undefined);
    await viewer.page.waitForTimeout(4000);
    await viewer.page.screenshot({ path: "test-results/payments-certificate-pdf.png" });

    // The notary refunds the translation fee with a reason, on a desktop.
    const staff = await newPage(browser, desktop);
    await recordingFailure(staff.page, "payments-refund", async () => {
      await logIn(staff.page, server, "fz.sf.handler");
      await staff.page.goto(`${server.baseUrl}/workbench/cases/${id}`);
      const fee = staff.page.locator(".tb-fee");
      await expect.poll(() => fee.textContent()).toContain("可退金额");
      await fee.getByLabel("退费金额（元）").fill("100.00");
      await fee.getByLabel("退费原因").fill("申请人不再需要译文公证");
      await fee.getByRole("button", { name: /^退\s*费$/ }).click();
      await expect.poll(() => fee.textContent()).toContain("退费已提交");
      expect(JSON.stringify(await axeViolations(staff.page))).toBe("[]");
      // The sandbox settles the refund a moment later.
      await expect
        .poll(
          async () => {
            const refresh = fee.getByRole("button", { name: "刷新退费结果" });
            if (await refresh.isVisible()) await refresh.click();
            return fee.locator("[data-refund-status]").first().getAttribute("data-refund-status");
          },
          { timeout: 20_000, interval: 1500 },
        )
        .toBe("succeeded");
      await staff.page.screenshot({ path: "test-results/payments-refund-desktop.png", fullPage: true });
    });
    expect(staff.problems).toEqual([]);

    // The public verification now shows the partial reversal.
    const anyone = await newPage(browser, phone);
    await anyone.page.goto(invoiceUrl);
    const result = anyone.page.locator(".tb-verify-result");
    await expect.poll(() => result.textContent(), { timeout: 15_000 }).toContain("¥-100.00");

    // An organisation's finance account reimburses the invoice, once (一票一报).
    const firm = server.accounts.find(
      (a) => a.roles.length === 0 && a.region === "350100" && !/^\d{17}/.test(a.username),
    );
    if (!firm) throw new Error("no Fuzhou enterprise");
    const finance = await newPage(browser, phone);
    await recordingFailure(finance.page, "payments-reimburse", async () => {
      await logIn(finance.page, server, firm.username);
      await finance.page.goto(invoiceUrl);
      const verified = finance.page.locator(".tb-verify-result");
      await expect.poll(() => verified.getAttribute("data-valid"), { timeout: 15_000 }).toBe("true");
      await finance.page.getByLabel("本单位记账凭证号（可选）").fill("记-2026-11-001");
      expect(JSON.stringify(await axeViolations(finance.page))).toBe("[]");
      await finance.page.getByRole("button", { name: "本单位报销入账" }).click();
      await expect.poll(() => verified.locator("[data-reimbursed]").getAttribute("data-reimbursed")).toBe("true");
      expect(await verified.textContent()).toContain("不能再次报销");
      expect(await finance.page.getByRole("button", { name: "本单位报销入账" }).count()).toBe(0);
    });
    expect(finance.problems).toEqual([]);

    // The administrator reconciles the day.
    const admin = await newPage(browser, desktop);
    await recordingFailure(admin.page, "payments-reconciliation", async () => {
      await logIn(admin.page, server, "fz.admin");
      await admin.page.goto(`${server.baseUrl}/admin/reconciliation`);
      await admin.page.getByRole("button", { name: /^对\s*账$/ }).click();
      const report = admin.page.locator(".tb-reconciliation");
      await expect.poll(() => report.getAttribute("data-balanced"), { timeout: 20_000 }).toBe("true");
      expect(await report.textContent()).toContain("1 笔 / ¥300.00");
      expect(JSON.stringify(await axeViolations(admin.page))).toBe("[]");
      await admin.page.screenshot({ path: "test-results/payments-reconciliation-desktop.png", fullPage: true });
    });
    expect(admin.problems).toEqual([]);
  });
});
