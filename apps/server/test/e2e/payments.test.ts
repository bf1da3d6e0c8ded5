// Fees, payments, refunds, e-invoices and reconciliation, end to end through the API, with the
// sandbox gateway listening on a real port and the node's WeChat Pay API v3 adapter talking to it.
// The sandbox's notifications reach the node through app.inject (duplicated, as it sends them).
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Services } from "../../src/app.ts";
import { createSandboxGateway, type SandboxGateway } from "../../src/modules/payments/sandbox.ts";
import { sandboxGatewayClient, sandboxOptions } from "../../src/modules/payments/sandbox-launch.ts";
import { generateRsaKeyPair, privateKeyOf, signAnswer } from "../../src/modules/payments/wechatpay-v3.ts";
import { type Client, createTestApp, type TestApp } from "../support/app.ts";
import { act, loginResident } from "../support/cases.ts";
import { multipart, pdf } from "../support/files.ts";

const NOTARISATION = "350100-SF-0001";

let t: TestApp;
let sandbox: SandboxGateway;
let resident: Client;
let other: Client;
let clerk: Client;
let outsider: Client;
let admin: Client;
let enterprise: Client;
/** Whether the sandbox's notifications get through (off: the node must settle by order query). */
let delivering = true;
const delivered: { headers: Record<string, string>; body: string; status: number }[] = [];

const services = () => (t.app as unknown as { services: Services }).services;
const integrate = async () => {
  while ((await services().ledger.integrate()) !== undefined);
};

async function submittedNotarisation(client: Client): Promise<string> {
  const id = (await client.request("POST", "/api/v1/applications", { serviceCode: NOTARISATION })).json().id as string;
  const saved = await client.request("PATCH", `/api/v1/applications/${id}`, {
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
  expect(saved.statusCode, saved.body).toBe(200);
  for (const code of ["id_card", "degree_record", "certificate_scans"]) {
    const { payload, headers } = multipart(
      { materialCode: code },
      { name: `${code}.pdf`, type: "application/pdf", content: pdf },
    );
    const uploaded = await t.app.inject({
      method: "POST",
      url: `/api/v1/applications/${id}/materials`,
      payload,
      headers: { ...headers, cookie: client.cookie ?? "", "x-csrf-token": client.csrfToken ?? "" },
    });
    expect(uploaded.statusCode, uploaded.body).toBeLessThan(300);
  }
  const submitted = await act(client, id, { type: "submit" });
  expect(submitted.json().status, submitted.body).toBe("submitted");
  return id;
}

/** A notarisation case accepted with 2 × 学历公证费 and 1 × 译文公证: ¥300.00 due. */
async function acceptedNotarisation(client: Client = resident): Promise<string> {
  const id = await submittedNotarisation(client);
  const accepted = await act(clerk, id, {
    type: "accept",
    opinion: "材料齐全，予以受理",
    fees: [
      { line: 0, quantity: 2 },
      { line: 1, quantity: 1 },
    ],
  });
  expect(accepted.json().status, accepted.body).toBe("under_review");
  return id;
}

const pay = (client: Client, applicationId: string) => client.request("POST", "/api/v1/payments", { applicationId });
const refund = (
  client: Client,
  paymentId: string,
  amountFen: number,
  reason = "申请人撤回译文公证",
  key = randomUUID(),
) => client.request("POST", `/api/v1/payments/${paymentId}/refunds`, { amountFen, reason }, { "idempotency-key": key });
const count = async (table: "invoices" | "payments" | "outbox", where?: [string, string]) => {
  let query = t.database.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as("n"));
  if (where) query = query.where(where[0] as never, "=", where[1] as never);
  return Number((await query.executeTakeFirstOrThrow()).n);
};

beforeAll(async () => {
  t = await createTestApp({}, async ({ keys, clock }) => {
    sandbox = createSandboxGateway(
      sandboxOptions(keys, {
        notifyDelayMs: 0,
        duplicates: 2,
        refundDelayMs: 60_000,
        retryDelaysMs: [],
        now: () => clock.now(),
        deliver: async (url, headers, body) => {
          if (!delivering) return 503;
          const response = await t.app.inject({
            method: "POST",
            url: new URL(url).pathname,
            headers: { ...headers, "content-type": "application/json" },
            payload: body,
          });
          delivered.push({ headers, body, status: response.statusCode });
          return response.statusCode;
        },
      }),
    );
    const url = await sandbox.listen(0);
    return { paymentGateway: sandboxGatewayClient(keys, url, () => clock.now()) };
  });
  t.clock.set("2026-11-30T01:00:00Z");
  resident = await loginResident(t);
  other = await loginResident(t, "610500");
  clerk = await t.login("fz.sf.handler");
  outsider = await t.login("fz.mz.handler");
  admin = await t.login("fz.admin");
  const firm = t.find((a) => a.roles.length === 0 && a.region === "350100" && !/^\d{17}/.test(a.username));
  enterprise = t.anonymous();
  await enterprise.request("POST", "/api/v1/auth/login", { username: firm.username, password: firm.password });
});
afterAll(async () => {
  await sandbox?.close();
  await t?.close();
});

describe("fees and payments", () => {
  let caseId: string;
  let payment: { id: string; number: string; payUrl: string; amountFen: number };

  it("assesses the fee at acceptance from the catalogue's fee lines and refuses approval until it is paid", async () => {
    caseId = await acceptedNotarisation();
    const fee = await resident.request("GET", `/api/v1/applications/${caseId}/fee`);
    expect(fee.statusCode, fee.body).toBe(200);
    expect(fee.json()).toMatchObject({ amountFen: 30_000, status: "due", payable: true });
    expect(fee.json().lines).toEqual([
      expect.objectContaining({ unitFen: 10_000, quantity: 2, amountFen: 20_000 }),
      expect.objectContaining({ unitFen: 10_000, quantity: 1, amountFen: 10_000 }),
    ]);
    await act(clerk, caseId, { type: "complete_step", opinion: "审查核实无误" });
    const early = await act(clerk, caseId, { type: "approve", opinion: "准予出具公证书" });
    expect(early.statusCode).toBe(409);
    expect(early.json()).toMatchObject({ code: "FEE_UNPAID", details: { amountFen: 30_000 } });
  });

  it("refuses a fee line the service does not have, field by field, and accepts nothing", async () => {
    const id = await submittedNotarisation(resident);
    const bad = await act(clerk, id, { type: "accept", fees: [{ line: 7, quantity: 1 }] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details).toEqual([expect.objectContaining({ field: "fees.0.line", reason: "NO_SUCH_FEE_LINE" })]);
    const still = await resident.request("GET", `/api/v1/applications/${id}`);
    expect(still.json().status).toBe("submitted");
  });

  it("lets only the applicant pay, and only their own case", async () => {
    expect((await pay(other, caseId)).statusCode).toBe(404);
    expect((await pay(clerk, caseId)).statusCode).toBe(404);
    expect((await other.request("GET", `/api/v1/applications/${caseId}/fee`)).statusCode).toBe(404);
    expect((await outsider.request("GET", `/api/v1/applications/${caseId}/fee`)).statusCode).toBe(404);
    const bad = await pay(resident, "not-a-case");
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details[0]).toMatchObject({ field: "applicationId" });
  });

  it("places an order at the gateway; paying twice answers the same open order", async () => {
    const first = await pay(resident, caseId);
    expect(first.statusCode, first.body).toBe(201);
    payment = first.json();
    expect(payment).toMatchObject({ status: "pending", amountFen: 30_000, gateway: "sandbox" });
    expect(payment.payUrl).toMatch(/\/pay\/wx[0-9a-f]+/);
    expect(new URL(payment.payUrl).searchParams.get("redirect_url")).toContain(`/applications/${caseId}`);
    const again = await pay(resident, caseId);
    expect(again.json().id).toBe(payment.id);
    expect(sandbox.order(payment.number)?.totalFen).toBe(30_000);
  });

  it("settles on the signed notification, with one e-invoice, however many times it is delivered", async () => {
    sandbox.pay(payment.number);
    await sandbox.idle();
    expect(delivered.filter((d) => d.body.includes("TRANSACTION.SUCCESS"))).toHaveLength(2);
    expect(delivered.every((d) => d.status === 204)).toBe(true);
    const paid = (await resident.request("GET", `/api/v1/payments/${payment.id}`)).json();
    expect(paid).toMatchObject({ status: "paid", refundableFen: 30_000 });
    expect(paid.invoices).toHaveLength(1);
    expect(await count("invoices", ["payment_id", payment.id])).toBe(1);
    expect(await count("outbox", ["subject", payment.id])).toBe(2); // created, settled
    // The same notification again, a third time: nothing changes.
    const replay = delivered[0] as (typeof delivered)[number];
    const again = await t.app.inject({
      method: "POST",
      url: "/api/v1/payments/notify",
      headers: { ...replay.headers, "content-type": "application/json" },
      payload: replay.body,
    });
    expect(again.statusCode).toBe(204);
    expect(await count("invoices", ["payment_id", payment.id])).toBe(1);
    expect((await pay(resident, caseId)).json()).toMatchObject({ code: "FEE_ALREADY_PAID" });
  });

  it("refuses a forged or altered notification and changes nothing", async () => {
    const genuine = delivered[0] as (typeof delivered)[number];
    const before = await count("outbox");
    const altered = genuine.body.replace(/"ciphertext":"(.)/, (_m, c) => `"ciphertext":"${c === "A" ? "B" : "A"}`);
    const attempts = [
      { ...genuine.headers, "wechatpay-signature": Buffer.alloc(256, 1).toString("base64") },
      genuine.headers,
      // Signed by a key that is not the gateway's.
      signAnswer(
        genuine.body,
        privateKeyOf(generateRsaKeyPair().privateKeyPem),
        genuine.headers["wechatpay-serial"] as string,
        t.clock.now(),
      ),
      {},
    ];
    const bodies = [genuine.body, altered, genuine.body, genuine.body];
    for (const [i, headers] of attempts.entries()) {
      const response = await t.app.inject({
        method: "POST",
        url: "/api/v1/payments/notify",
        headers: { ...headers, "content-type": "application/json" },
        payload: bodies[i],
      });
      expect(response.statusCode, `attempt ${i}`).toBe(401);
      expect(response.json().code).toBe("PAYMENT_NOTIFICATION_REJECTED");
    }
    expect(await count("outbox")).toBe(before);
    const events = await t.database.db
      .selectFrom("security_events")
      .select("type")
      .where("type", "=", "payments.forged_notification")
      .execute();
    expect(events.length).toBe(4);
    // They name no case, so no region: the node's security officers see them whatever their region.
    const officer = await t.login("fz.security");
    const listed = await officer.request("GET", "/api/v1/security/events?type=payments.forged_notification");
    expect(listed.statusCode).toBe(200);
    expect((listed.json() as unknown[]).length).toBe(4);
  });

  it("approves once paid and issues the certificate", async () => {
    const approved = await act(clerk, caseId, { type: "approve", opinion: "准予出具公证书" });
    expect(approved.json().status, approved.body).toBe("approved");
    const certificates = (await resident.request("GET", "/api/v1/me/certificates")).json() as {
      applicationId: string;
    }[];
    expect(certificates.some((c) => c.applicationId === caseId)).toBe(true);
  });

  it("settles by order query when the notification never comes", async () => {
    const id = await acceptedNotarisation();
    delivering = false;
    const order = (await pay(resident, id)).json();
    sandbox.pay(order.number);
    await sandbox.idle();
    delivering = true;
    expect((await resident.request("GET", `/api/v1/payments/${order.id}`)).json().status).toBe("pending");
    const queried = await resident.request("POST", `/api/v1/payments/${order.id}/query`);
    expect(queried.json()).toMatchObject({ status: "paid" });
    expect(queried.json().invoices).toHaveLength(1);
  });

  it("a refund needs window or handling staff of the charging department", async () => {
    expect((await refund(outsider, payment.id, 100)).json()).toMatchObject({ code: "FORBIDDEN" });
    expect((await refund(resident, payment.id, 100)).statusCode).toBe(403);
    expect((await refund(admin, payment.id, 100)).statusCode).toBe(403);
    const bad = await clerk.request(
      "POST",
      `/api/v1/payments/${payment.id}/refunds`,
      { amountFen: 1.5, reason: "" },
      { "idempotency-key": randomUUID() },
    );
    expect(bad.statusCode).toBe(400);
    expect((bad.json().details as { field: string }[]).map((d) => d.field).sort()).toEqual(["amountFen", "reason"]);
  });

  it("partial then full refund never exceeds the amount paid, even at once", async () => {
    const key = randomUUID();
    const partial = await refund(clerk, payment.id, 10_000, "不需要译文公证", key);
    expect(partial.statusCode, partial.body).toBe(200);
    expect(partial.json()).toMatchObject({ refundableFen: 20_000 });
    // The same key again answers the first refund without a second one.
    expect((await refund(clerk, payment.id, 10_000, "不需要译文公证", key)).json().refunds).toHaveLength(1);
    expect((await refund(clerk, payment.id, 10_001, "不需要译文公证", key)).json().code).toBe("IDEMPOTENCY_KEY_REUSED");
    // Two refunds of the whole remainder at the same moment: exactly one is accepted.
    const [a, b] = await Promise.all([refund(clerk, payment.id, 20_000), refund(clerk, payment.id, 20_000)]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409]);
    expect([a, b].find((r) => r.statusCode === 409)?.json()).toMatchObject({
      code: "REFUND_EXCEEDS_PAID",
      details: { refundableFen: 0, paidFen: 30_000 },
    });
    expect((await refund(clerk, payment.id, 1)).json().code).toBe("REFUND_EXCEEDS_PAID");
    const row = await t.database.db
      .selectFrom("payments")
      .selectAll()
      .where("id", "=", payment.id)
      .executeTakeFirstOrThrow();
    expect(row.reserved_fen).toBe(30_000);
  });

  it("settles refunds with red-letter invoices; the blue one then verifies as reversed", async () => {
    sandbox.settleRefunds();
    await sandbox.idle();
    const settled = (await clerk.request("GET", `/api/v1/payments/${payment.id}`)).json();
    expect(settled.refundedFen).toBe(30_000);
    expect(settled.refunds.every((r: { status: string }) => r.status === "succeeded")).toBe(true);
    const kinds = (settled.invoices as { kind: string; amountFen: number }[]).map((i) => [i.kind, i.amountFen]);
    expect(kinds).toEqual(
      expect.arrayContaining([
        ["blue", 30_000],
        ["red", -10_000],
        ["red", -20_000],
      ]),
    );
    await integrate();
    const blue = settled.invoices.find((i: { kind: string }) => i.kind === "blue");
    const invoice = (await resident.request("GET", `/api/v1/invoices/${blue.id}`)).json();
    expect(invoice.reversedFen).toBe(-30_000);
    const verified = (
      await t
        .anonymous()
        .request("POST", "/api/v1/invoices/verify", { number: invoice.number, checkCode: invoice.checkCode })
    ).json();
    expect(verified).toMatchObject({ valid: false, outcome: "reversed" });
    expect(verified.checks.find((c: { check: string }) => c.check === "ledger").outcome).toBe("pass");
  });
});

describe("e-invoices", () => {
  let invoice: { id: string; number: string; checkCode: string };

  beforeAll(async () => {
    const id = await acceptedNotarisation();
    const order = (await pay(resident, id)).json();
    sandbox.pay(order.number);
    await sandbox.idle();
    await integrate();
    const paid = (await resident.request("GET", `/api/v1/payments/${order.id}`)).json();
    invoice = (await resident.request("GET", `/api/v1/invoices/${paid.invoices[0].id}`)).json();
  });

  it("anyone verifies an invoice by number and check code: signature, issuer, record, ledger", async () => {
    const result = (
      await t
        .anonymous()
        .request("POST", "/api/v1/invoices/verify", { number: invoice.number, checkCode: invoice.checkCode })
    ).json();
    expect(result).toMatchObject({ valid: true, outcome: "valid", reimbursed: false });
    expect(result.checks.map((c: { check: string; outcome: string }) => `${c.check}:${c.outcome}`)).toEqual([
      "format:pass",
      "signature:pass",
      "issuer:pass",
      "record:pass",
      "ledger:pass",
      "status:pass",
    ]);
    expect(result.invoice.payerName).toMatch(/\*/);
    const wrong = (
      await t.anonymous().request("POST", "/api/v1/invoices/verify", { number: invoice.number, checkCode: "ZZZZZZ" })
    ).json();
    expect(wrong).toMatchObject({ valid: false, outcome: "not_found" });
    const missing = await t.anonymous().request("POST", "/api/v1/invoices/verify", {});
    expect(missing.json().details.map((d: { field: string }) => d.field)).toEqual(["number", "checkCode"]);
  });

  it("verifies the downloaded document, and refuses an altered one with the reason", async () => {
    const text = (await resident.request("GET", `/api/v1/invoices/${invoice.id}/document`)).body;
    const document = JSON.parse(text);
    expect(document.proof).toMatchObject({ cryptosuite: "eddsa-jcs-2022" });
    expect((await t.anonymous().request("POST", "/api/v1/invoices/verify", { document })).json().valid).toBe(true);
    const altered = { ...document, totalFen: 1 };
    const result = (await t.anonymous().request("POST", "/api/v1/invoices/verify", { document: altered })).json();
    expect(result).toMatchObject({ valid: false, outcome: "altered" });
    expect(result.checks.find((c: { check: string }) => c.check === "signature").outcome).toBe("fail");
    // Another resident cannot read or download it.
    expect((await other.request("GET", `/api/v1/invoices/${invoice.id}`)).statusCode).toBe(404);
  });

  it("is reimbursed by one organisation once (一票一报); a second claim is refused", async () => {
    const reimburse = (client: Client, checkCode = invoice.checkCode) =>
      client.request("POST", `/api/v1/invoices/${invoice.id}/reimburse`, { checkCode, reference: "记-2026-11-001" });
    expect((await reimburse(resident)).statusCode).toBe(403);
    expect((await reimburse(enterprise, "AAAAAA")).json().code).toBe("INVOICE_CHECK_CODE_MISMATCH");
    const first = await reimburse(enterprise);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ amountFen: 30_000 });
    const second = await reimburse(enterprise);
    expect(second.statusCode).toBe(409);
    expect(second.json()).toMatchObject({ code: "INVOICE_ALREADY_REIMBURSED", details: { byYou: true } });
    const verified = (
      await t
        .anonymous()
        .request("POST", "/api/v1/invoices/verify", { number: invoice.number, checkCode: invoice.checkCode })
    ).json();
    expect(verified).toMatchObject({ valid: true, reimbursed: true });
  });
});

describe("reconciliation", () => {
  it("matches the day's orders, payments and refunds with the gateway's bill, and flags differences", async () => {
    expect((await clerk.request("POST", "/api/v1/admin/reconciliation/2026-11-30")).statusCode).toBe(403);
    const balanced = await admin.request("POST", "/api/v1/admin/reconciliation/2026-11-30");
    expect(balanced.statusCode, balanced.body).toBe(200);
    expect(balanced.json()).toMatchObject({ day: "2026-11-30", balanced: true, items: [] });
    expect(balanced.json().summary).toMatchObject({ paymentsSettled: 3, refundsSettled: 2, refundsFen: 30_000 });

    // Paid at the gateway, but neither notified nor queried: the report flags it.
    const id = await acceptedNotarisation();
    delivering = false;
    const order = (await pay(resident, id)).json();
    sandbox.pay(order.number);
    await sandbox.idle();
    delivering = true;
    const report = (await admin.request("POST", "/api/v1/admin/reconciliation/2026-11-30")).json();
    expect(report.balanced).toBe(false);
    expect(report.items).toEqual([
      expect.objectContaining({ kind: "payment_not_settled_locally", reference: order.number, gatewayFen: 30_000 }),
    ]);
    const list = await admin.request("GET", "/api/v1/admin/reconciliation");
    expect(list.json()[0], list.body).toMatchObject({
      day: "2026-11-30",
      differences: 1,
    });
    const future = await admin.request("POST", "/api/v1/admin/reconciliation/2099-01-01");
    expect(future.json().details[0]).toMatchObject({ field: "day", reason: "FUTURE_DAY" });
  });
});
