// E-invoices issued per second (交易即开票): each is one payment settling on the gateway's signed
// notification — the notification's RSA signature checked, its AES-256-GCM resource opened, the
// payment and fee rows locked and updated, the invoice built, signed (eddsa-jcs-2022) and stored,
// its ledger outbox row and the payer's notice written, all in one transaction — through the
// node's callback route (app.inject, in process). Every payment belongs to its own case, as in life.
// Also the signing alone (no database), for the ceiling.
//   npx tsx bench/invoices.ts [--payments 2000] [--concurrency 32]
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx bench/invoices.ts   (PostgreSQL)
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { addProof, certificateSigningKey } from "@tongban/credentials";
import { generateNoteKey } from "@tongban/ledger";
import { sandboxCredentials, sandboxGatewayClient } from "../apps/server/src/modules/payments/sandbox-launch.ts";
import {
  chinaTime,
  encryptResource,
  privateKeyOf,
  signAnswer,
} from "../apps/server/src/modules/payments/wechatpay-v3.ts";
import { createTestApp } from "../apps/server/test/support/app.ts";
import { act, loginResident } from "../apps/server/test/support/cases.ts";
import { multipart, pdf } from "../apps/server/test/support/files.ts";

const { values } = parseArgs({
  options: {
    payments: { type: "string", default: "2000" },
    concurrency: { type: "string", default: "32" },
  },
});
const PAYMENTS = Number(values.payments);
const CONCURRENCY = Number(values.concurrency);

// --- Signing alone ---
{
  const key = certificateSigningKey(generateNoteKey("bench/certificates", "ed25519").signerKey);
  const n = 5_000;
  const started = performance.now();
  for (let i = 0; i < n; i += 1)
    addProof(
      {
        type: "TongbanInvoice",
        id: `urn:uuid:${randomUUID()}`,
        number: `350100-2026-${String(i).padStart(8, "0")}`,
        items: [{ name: "学历（学位）公证费，每件", unitFen: 10_000, quantity: 2, amountFen: 20_000 }],
        totalFen: 20_000,
      },
      { privateKey: key.privateKey, verificationMethod: key.verificationMethod, created: new Date() },
    );
  const seconds = (performance.now() - started) / 1000;
  console.log(`signing only: ${Math.round(n / seconds)} invoices/s (${n} in ${seconds.toFixed(2)} s, one core)`);
}

// --- Through the callback route ---
const t = await createTestApp({}, ({ keys, clock }) => ({
  paymentGateway: sandboxGatewayClient(keys, "http://127.0.0.1:9", () => clock.now()),
}));
const db = t.database.db;
const kind = process.env.DATABASE_URL ? "PostgreSQL" : "PGlite";

// One real notarisation case, accepted (its fee assessed), copied into PAYMENTS cases each with a
// pending payment — the state just before the payers pay.
const resident = await loginResident(t);
const clerk = await t.login("fz.sf.handler");
const id = (await resident.request("POST", "/api/v1/applications", { serviceCode: "350100-SF-0001" })).json().id;
await resident.request("PATCH", `/api/v1/applications/${id}`, {
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
  const { payload, headers } = multipart(
    { materialCode: code },
    { name: `${code}.pdf`, type: "application/pdf", content: pdf },
  );
  await t.app.inject({
    method: "POST",
    url: `/api/v1/applications/${id}/materials`,
    payload,
    headers: { ...headers, cookie: resident.cookie ?? "", "x-csrf-token": resident.csrfToken ?? "" },
  });
}
await act(resident, id, { type: "submit" });
const accepted = await act(clerk, id, { type: "accept", fees: [{ line: 0, quantity: 2 }] });
if (accepted.json().status !== "under_review") throw new Error(`not accepted: ${accepted.body}`);
const template = await db.selectFrom("applications").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
const fee = await db.selectFrom("case_fees").selectAll().where("application_id", "=", id).executeTakeFirstOrThrow();
const now = t.clock.now();
const numbers: string[] = [];
for (let offset = 0; offset < PAYMENTS; offset += 500) {
  const batch = Array.from({ length: Math.min(500, PAYMENTS - offset) }, (_, i) => ({
    caseId: randomUUID(),
    paymentId: randomUUID(),
    number: `TBBENCH${String(offset + i).padStart(10, "0")}`,
    caseNumber: `${template.number}-${offset + i}`,
  }));
  await db
    .insertInto("applications")
    .values(
      batch.map((b) => ({
        ...template,
        id: b.caseId,
        number: b.caseNumber,
        form: JSON.stringify(template.form),
      })) as never,
    )
    .execute();
  await db
    .insertInto("case_fees")
    .values(
      batch.map((b) => ({ ...fee, application_id: b.caseId, lines: JSON.stringify(fee.lines), paid_payment_id: null })),
    )
    .execute();
  await db
    .insertInto("payments")
    .values(
      batch.map((b) => ({
        id: b.paymentId,
        number: b.number,
        application_id: b.caseId,
        payer_id: template.applicant_id,
        region_code: template.region_code,
        department_id: template.department_id,
        description: "学历公证（基准测试）",
        amount_fen: fee.amount_fen,
        status: "pending" as const,
        gateway: "sandbox",
        gateway_txn_id: null,
        pay_url: null,
        created_at: now,
        expires_at: new Date(now.getTime() + 3_600_000),
        paid_at: null,
        closed_at: null,
      })),
    )
    .execute();
  numbers.push(...batch.map((b) => b.number));
}

// The gateway's notifications, signed and encrypted as the sandbox sends them (made before timing).
const credentials = sandboxCredentials(t.keys);
const platformKey = privateKeyOf(credentials.platform.privateKeyPem);
const notifications = numbers.map((number, i) => {
  const body = JSON.stringify({
    id: randomUUID(),
    create_time: chinaTime(now),
    resource_type: "encrypt-resource",
    event_type: "TRANSACTION.SUCCESS",
    summary: "支付成功",
    resource: encryptResource(
      {
        mchid: credentials.mchid,
        out_trade_no: number,
        transaction_id: `4200${String(i).padStart(18, "0")}`,
        trade_state: "SUCCESS",
        success_time: chinaTime(now),
        amount: { total: fee.amount_fen, payer_total: fee.amount_fen, currency: "CNY" },
      },
      credentials.apiV3Key,
      "transaction",
    ),
  });
  return { body, headers: signAnswer(body, platformKey, credentials.platformSerial, now) };
});

let next = 0;
let failed = 0;
const latencies: number[] = [];
const started = performance.now();
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (next < notifications.length) {
      const n = notifications[next++] as (typeof notifications)[number];
      const at = performance.now();
      const response = await t.app.inject({
        method: "POST",
        url: "/api/v1/payments/notify",
        headers: { ...n.headers, "content-type": "application/json" },
        payload: n.body,
      });
      latencies.push(performance.now() - at);
      if (response.statusCode !== 204) failed += 1;
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
const issued = Number(
  (
    await db
      .selectFrom("invoices")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("kind", "=", "blue")
      .executeTakeFirstOrThrow()
  ).n,
);
latencies.sort((a, b) => a - b);
const pct = (p: number) =>
  (latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0).toFixed(1);
console.log(
  `${kind}: ${Math.round(PAYMENTS / seconds)} invoices/s issued on settlement (${issued} invoices, ${failed} failed, ` +
    `${PAYMENTS} notifications in ${seconds.toFixed(2)} s, concurrency ${CONCURRENCY}; latency p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms)`,
);
await t.close();
process.exit(0);
