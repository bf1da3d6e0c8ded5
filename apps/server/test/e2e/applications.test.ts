import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AccountsService } from "../../src/modules/accounts/accounts.service.ts";
import { toActor } from "../../src/modules/accounts/accounts.service.ts";
import type { ApplicationsService } from "../../src/modules/applications/applications.service.ts";
import { verifyDecisionSignature } from "../../src/modules/signatures/signatures.service.ts";
import { makeIdNumber } from "../../src/seed/demo-world.ts";
import { type Client, createTestApp, type TestApp } from "../support/app.ts";
import { multipart, pdf, png, text } from "../support/files.ts";

const MARRIAGE = "350100-MZ-0001";
let t: TestApp;
let resident: Client;
let window: Client;
let handler: Client;

const validForm = {
  partnerName: "陈美玲",
  partnerIdNumber: makeIdNumber("350103", "1992-06-18", 28),
  partnerPhone: "13859012345",
  applicantOccupation: "工程师",
  partnerOccupation: "教师",
  appointmentDate: "2026-12-08",
};

async function loginResident(region = "350100"): Promise<Client> {
  const account = t.find((a) => a.roles.length === 0 && a.region === region && /^\d{17}/.test(a.username));
  const client = t.anonymous();
  const response = await client.request("POST", "/api/v1/auth/login", {
    username: account.username,
    password: account.password,
  });
  expect(response.statusCode).toBe(200);
  return client;
}

const act = (client: Client, id: string, body: object, key = randomUUID()) =>
  client.request("POST", `/api/v1/applications/${id}/actions`, body, { "idempotency-key": key });

async function upload(
  client: Client,
  id: string,
  materialCode: string,
  file?: { name: string; type: string; content: Buffer },
) {
  const { payload, headers } = multipart({ materialCode }, file);
  return t.app.inject({
    method: "POST",
    url: `/api/v1/applications/${id}/materials`,
    payload,
    headers: { ...headers, cookie: client.cookie ?? "", "x-csrf-token": client.csrfToken ?? "" },
  });
}

async function draftWithEverything(client: Client) {
  const id = (await client.request("POST", "/api/v1/applications", { serviceCode: MARRIAGE, channel: "mobile" })).json()
    .id;
  await client.request("PATCH", `/api/v1/applications/${id}`, { form: validForm });
  await upload(client, id, "photo", { name: "合影.png", type: "image/png", content: png });
  await upload(client, id, "no_spouse_statement", { name: "声明.pdf", type: "application/pdf", content: pdf });
  return id as string;
}

beforeAll(async () => {
  // Every read here comes from the database, so an action's answer (and what a process keeps of the
  // case after it, case-cache.test.ts) is compared with what was written, not with itself.
  t = await createTestApp({ caseCacheSeconds: 0 });
  t.clock.set("2026-11-30T01:00:00Z"); // Monday 30 November 2026, 09:00 in China
  resident = await loginResident();
  window = await t.login("fz.mz.window");
  handler = await t.login("fz.mz.handler");
});
afterAll(() => t.close());

describe("the catalogue", () => {
  it("lists services and filters them by region, life event and text", async () => {
    const all = (await t.anonymous().request("GET", "/api/v1/services?regionCode=350100")).json();
    expect(all.map((s: { code: string }) => s.code)).toContain(MARRIAGE);
    const marriage = (await t.anonymous().request("GET", "/api/v1/services?lifeEvent=marriage")).json();
    expect(marriage.every((s: { lifeEvents: string[] }) => s.lifeEvents.includes("marriage"))).toBe(true);
    const search = (await t.anonymous().request("GET", `/api/v1/services?q=${encodeURIComponent("结婚")}`)).json();
    expect(search.length).toBeGreaterThan(0);
    expect((await t.anonymous().request("GET", "/api/v1/services?lifeEvent=party")).json().code).toBe(
      "VALIDATION_FAILED",
    );
  });

  it("tells everything at once in the guide", async () => {
    const guide = (await t.anonymous().request("GET", `/api/v1/services/${MARRIAGE}`)).json();
    expect(guide).toMatchObject({ version: 1, departmentName: "福州市民政局" });
    expect(guide.item).toMatchObject({ committedLimitDays: 1, visitsRequired: 1 });
    expect(guide.item.materials.length).toBeGreaterThan(0);
    expect(guide.item.legalBasis[0].title).toContain("民法典");
    expect((await t.anonymous().request("GET", "/api/v1/services/350100-XX-9999")).json().code).toBe(
      "SERVICE_NOT_FOUND",
    );
  });
});

describe("an application from draft to result", () => {
  it("runs the whole scenario: apply, accept, supplement once, supplement, approve, deliver", async () => {
    // The resident starts a draft on the phone and saves part of the form.
    const draft = await resident.request("POST", "/api/v1/applications", { serviceCode: MARRIAGE, channel: "mobile" });
    expect(draft.statusCode).toBe(201);
    const id = draft.json().id;
    expect(draft.json()).toMatchObject({
      status: "draft",
      number: expect.stringMatching(/^350100-20261130-\d{6}$/),
      allowedActions: ["submit", "withdraw"],
    });
    await resident.request("PATCH", `/api/v1/applications/${id}`, { form: { partnerName: "陈美玲" } });

    // Submitting an incomplete application names every missing field and material at once.
    const early = await act(resident, id, { type: "submit" });
    expect(early.statusCode).toBe(400);
    const fields = early.json().details.map((d: { field: string }) => d.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        "form.partnerIdNumber",
        "form.appointmentDate",
        "materials.photo",
        "materials.no_spouse_statement",
      ]),
    );

    // A wrong partner ID number is named precisely.
    await resident.request("PATCH", `/api/v1/applications/${id}`, {
      form: { ...validForm, partnerIdNumber: "350103199206180281" },
    });
    const wrongId = await act(resident, id, { type: "submit" });
    expect(wrongId.json().details).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: "form.partnerIdNumber", reason: "ID_CHECK_DIGIT" })]),
    );

    // Resumed on another device: the draft is there, as saved.
    const desktop = await loginResident();
    expect((await desktop.request("GET", `/api/v1/applications/${id}`)).json().form.partnerName).toBe("陈美玲");

    await desktop.request("PATCH", `/api/v1/applications/${id}`, { form: validForm });
    expect((await upload(desktop, id, "photo", { name: "合影.png", type: "image/png", content: png })).statusCode).toBe(
      201,
    );
    expect(
      (await upload(desktop, id, "no_spouse_statement", { name: "声明.pdf", type: "application/pdf", content: pdf }))
        .statusCode,
    ).toBe(201);
    const submitted = await act(desktop, id, { type: "submit" });
    expect(submitted.statusCode).toBe(200);
    expect(submitted.json()).toMatchObject({ status: "submitted", currentStep: "受理", holderRole: "window" });

    // Window staff finds it in the queue, accepts it and asks for a supplement listing everything.
    const queue = (await window.request("GET", "/api/v1/applications")).json();
    expect(queue.map((a: { id: string }) => a.id)).toContain(id);
    expect((await window.request("GET", "/api/v1/applications?deadline=overdue")).json()).toEqual([]);
    const accepted = await act(window, id, { type: "accept", opinion: "材料齐全，予以受理" });
    expect(accepted.json()).toMatchObject({ status: "under_review", currentStep: "审查", holderRole: "handling" });
    expect(accepted.json().deadline).toMatchObject({ acceptedOn: "2026-11-30", dueOn: "2026-12-01", state: "on_time" });
    expect(accepted.json().firstContactName).toBe("林婚姻登记员");

    const asked = await act(handler, id, {
      type: "request_supplement",
      items: [
        { target: "photo", problem: "合影照片不清晰，请上传2寸红底清晰照片" },
        { target: "form.partnerOccupation", problem: "请填写具体职业" },
      ],
    });
    expect(asked.json()).toMatchObject({
      status: "awaiting_supplement",
      openSupplement: [{ target: "photo" }, { target: "form.partnerOccupation" }],
    });
    expect(asked.json().deadline.state).toBe("paused");

    // Supplementing without a new photo is refused, naming what is still missing.
    t.clock.advance(24 * 3600_000);
    const notYet = await act(resident, id, { type: "supplement" });
    expect(notYet.json().details).toEqual([
      expect.objectContaining({ field: "materials.photo", reason: "NOT_SUPPLEMENTED" }),
    ]);
    await resident.request("PATCH", `/api/v1/applications/${id}`, {
      form: { ...validForm, partnerOccupation: "小学教师" },
    });
    await upload(resident, id, "photo", { name: "新合影.png", type: "image/png", content: png });
    const supplemented = await act(resident, id, { type: "supplement", note: "已重新上传照片" });
    expect(supplemented.json()).toMatchObject({ status: "under_review", openSupplement: null });
    // One working day (Tue 1 Dec) passed while waiting; the due date moves back by it.
    expect(supplemented.json().deadline).toMatchObject({ pausedDays: 1, dueOn: "2026-12-02" });

    // Handling staff completes the review and approves; the decision carries a valid signature.
    expect((await act(handler, id, { type: "approve", opinion: "符合结婚登记条件" })).json().code).toBe(
      "ACTION_NOT_ALLOWED",
    );
    await act(handler, id, { type: "complete_step", opinion: "审查通过" });
    const approved = await act(handler, id, { type: "approve", opinion: "符合结婚登记条件，准予登记" });
    expect(approved.json()).toMatchObject({ status: "approved" });
    const decision = approved.json().actions.find((a: { type: string }) => a.type === "approve");
    expect(verifyDecisionSignature(decision.payload.signature)).toBe(true);
    expect(JSON.parse(decision.payload.signature.signedContent)).toMatchObject({
      decision: "approved",
      application: approved.json().number,
    });
    expect(
      verifyDecisionSignature({
        ...decision.payload.signature,
        signedContent: decision.payload.signature.signedContent.replace("approved", "rejected"),
      }),
    ).toBe(false);

    const delivered = await act(window, id, { type: "deliver", method: "online" });
    expect(delivered.json()).toMatchObject({ status: "delivered", deadline: { state: "finished" } });

    // The resident sees the result and every step, without staff-only notes.
    await act(window, id, { type: "note", text: "内部备注：已电话提醒领证" });
    const seen = (await resident.request("GET", `/api/v1/applications/${id}`)).json();
    expect(seen.status).toBe("delivered");
    expect(seen.actions.map((a: { type: string }) => a.type)).toEqual([
      "submit",
      "accept",
      "request_supplement",
      "supplement",
      "complete_step",
      "approve",
      "deliver",
    ]);
    const staffView = (await window.request("GET", `/api/v1/applications/${id}`)).json();
    expect(staffView.actions.at(-1)).toMatchObject({ type: "note", actorRole: "window" });

    // Notified at every change: in the portal, and by SMS through the local outbox.
    const notices = (await resident.request("GET", "/api/v1/notifications")).json();
    expect(notices.map((n: { title: string }) => n.title)).toEqual(
      expect.arrayContaining(["申请已提交", "申请已受理", "请一次性补正材料", "申请已获准予", "办理结果已送达"]),
    );
    const admin = await t.login("fz.admin");
    const outbox = (await admin.request("GET", "/api/v1/admin/messages")).json();
    expect(
      outbox.some((m: { channel: string; body: string }) => m.channel === "sms" && m.body.includes("已受理")),
    ).toBe(true);
    expect((await resident.request("GET", "/api/v1/admin/messages")).statusCode).toBe(403);
  });
});

describe("rules around actions", () => {
  it("answers a repeated Idempotency-Key with the first answer and acts once", async () => {
    const id = await draftWithEverything(resident);
    const key = randomUUID();
    const first = await act(resident, id, { type: "submit" }, key);
    const again = await act(resident, id, { type: "submit" }, key);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(first.json());
    const actions = (await resident.request("GET", `/api/v1/applications/${id}`)).json().actions;
    expect(actions.filter((a: { type: string }) => a.type === "submit")).toHaveLength(1);
    const misuse = await act(resident, id, { type: "withdraw" }, key);
    expect(misuse.statusCode).toBe(422);
    expect(misuse.json().code).toBe("IDEMPOTENCY_KEY_REUSED");
    const noKey = await resident.request("POST", `/api/v1/applications/${id}/actions`, { type: "withdraw" });
    expect(noKey.json()).toMatchObject({ code: "VALIDATION_FAILED", details: [{ field: "idempotency-key" }] });
  });

  it("acts once when the same Idempotency-Key arrives twice at the same moment", async () => {
    // The second waits for the case's lock, then finds the first one's answer (read with the case).
    const id = await draftWithEverything(resident);
    const key = randomUUID();
    const [one, two] = await Promise.all([
      act(resident, id, { type: "submit" }, key),
      act(resident, id, { type: "submit" }, key),
    ]);
    expect([one.statusCode, two.statusCode]).toEqual([200, 200]);
    expect(two.json()).toEqual(one.json());
    const actions = (await resident.request("GET", `/api/v1/applications/${id}`)).json().actions;
    expect(actions.filter((a: { type: string }) => a.type === "submit")).toHaveLength(1);
  });

  it("takes actions on many cases arriving together in shared transactions, each answered as if alone", async () => {
    const services = (
      t.app as unknown as { services: { applications: ApplicationsService; accounts: AccountsService } }
    ).services;
    const metric = async (name: string) =>
      Number((await t.app.inject("/metrics")).body.match(new RegExp(`^${name} (\\d+)$`, "m"))?.[1]);
    const username = t.find(
      (a) => a.roles.length === 0 && a.region === "350100" && /^\d{17}/.test(a.username),
    ).username;
    const { id: accountId } = await t.database.db
      .selectFrom("accounts")
      .select("id")
      .where("username", "=", username)
      .executeTakeFirstOrThrow();
    const account = await services.accounts.findForSession(accountId);
    if (!account) throw new Error("no resident account");
    const complete = await Promise.all(Array.from({ length: 12 }, () => draftWithEverything(resident)));
    // A draft without its materials: refused by its own checks, in the same moment as the others.
    const incomplete = (
      await resident.request("POST", "/api/v1/applications", { serviceCode: MARRIAGE, channel: "mobile" })
    ).json().id as string;
    const actionsBefore = await metric("tongban_case_actions_total");
    const transactionsBefore = await metric("tongban_case_action_transactions_total");
    // All at once, straight to the service: all but the first few wait for a transaction and share
    // one. Every other one comes from a caller that does not know the actor's name (read again).
    const outcomes = await Promise.allSettled(
      [...complete, incomplete].map((id, i) =>
        services.applications.act(
          toActor(account),
          id,
          { type: "submit" },
          {
            idempotencyKey: randomUUID(),
            channel: "mobile",
            place: null,
            ...(i % 2 === 0 ? { actorName: account.name } : {}),
          },
        ),
      ),
    );

    const refused = outcomes.at(-1);
    expect(refused?.status === "rejected" && (refused.reason as { code: string }).code).toBe("VALIDATION_FAILED");
    for (const [i, id] of complete.entries()) {
      const outcome = outcomes[i];
      if (outcome?.status !== "fulfilled") throw new Error(`submit ${i} failed: ${JSON.stringify(outcome)}`);
      const read = (await resident.request("GET", `/api/v1/applications/${id}`)).json();
      expect(read.status).toBe("submitted");
      expect(read.actions.map((a: { type: string; seq: number }) => [a.type, a.seq])).toEqual([["submit", 1]]);
      expect(JSON.parse(JSON.stringify(outcome.value))).toEqual(read);
    }
    expect((await resident.request("GET", `/api/v1/applications/${incomplete}`)).json().status).toBe("draft");
    const notices = (await resident.request("GET", "/api/v1/notifications")).json();
    for (const id of complete)
      expect(notices.filter((n: { applicationId: string }) => n.applicationId === id)).toHaveLength(1);

    const actions = (await metric("tongban_case_actions_total")) - actionsBefore;
    const transactions = (await metric("tongban_case_action_transactions_total")) - transactionsBefore;
    expect(actions).toBe(12);
    expect(transactions).toBeLessThan(actions);
  });

  it("rolls back a batch when one action fails after writing began, then takes each alone", async () => {
    // The same Idempotency-Key on two different cases at once: whichever commits second meets the
    // first's kept answer (alone, or as a unique violation that rolls its batch back): 422 for it,
    // and every other action arriving with them is taken once.
    const ids = await Promise.all(Array.from({ length: 8 }, () => draftWithEverything(resident)));
    const shared = randomUUID();
    const answers = await Promise.all(
      ids.map((id, i) => act(resident, id, { type: "submit" }, i < 2 ? shared : randomUUID())),
    );
    expect(
      answers
        .slice(0, 2)
        .map((a) => a.statusCode)
        .sort(),
    ).toEqual([200, 422]);
    expect(answers.find((a) => a.statusCode === 422)?.json().code).toBe("IDEMPOTENCY_KEY_REUSED");
    expect(answers.slice(2).map((a) => a.statusCode)).toEqual([200, 200, 200, 200, 200, 200]);
    const statuses = await Promise.all(
      ids.map(async (id) => (await resident.request("GET", `/api/v1/applications/${id}`)).json()),
    );
    expect(statuses.filter((c) => c.status === "submitted")).toHaveLength(7);
    for (const c of statuses) expect(c.actions.length).toBe(c.status === "submitted" ? 1 : 0);
  });

  it("answers 409 ACTION_NOT_ALLOWED for an action the status does not allow", async () => {
    const id = await draftWithEverything(resident);
    const response = await act(window, id, { type: "accept" });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({
      code: "ACTION_NOT_ALLOWED",
      details: { status: "draft", action: "accept" },
    });
  });

  it("leaves exactly one decision when two staff decide at once", async () => {
    const id = await draftWithEverything(resident);
    await act(resident, id, { type: "submit" });
    await act(window, id, { type: "accept" });
    await act(handler, id, { type: "complete_step", opinion: "审查通过" });
    const second = await t.login("fz.mz.handler");
    const [a, b] = await Promise.all([
      act(handler, id, { type: "approve", opinion: "准予登记" }),
      act(second, id, { type: "reject", reason: "不符合条件", legalBasis: "《婚姻登记条例》第六条" }),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409]);
    const actions = (await resident.request("GET", `/api/v1/applications/${id}`)).json().actions;
    expect(actions.filter((x: { type: string }) => x.type === "approve" || x.type === "reject")).toHaveLength(1);
  });

  it("refuses acceptance only with a reason and a legal basis", async () => {
    const id = await draftWithEverything(resident);
    await act(resident, id, { type: "submit" });
    const bare = await act(window, id, { type: "refuse_acceptance" });
    expect(
      bare
        .json()
        .details.map((d: { field: string }) => d.field)
        .sort(),
    ).toEqual(["legalBasis", "reason"]);
    const refused = await act(window, id, {
      type: "refuse_acceptance",
      reason: "不属于本机关职权范围",
      legalBasis: "《行政许可法》第三十二条",
    });
    expect(refused.json().status).toBe("not_accepted");
  });

  it("lets the applicant withdraw before a decision, and suspends and resumes with the clock stopped", async () => {
    const first = await draftWithEverything(resident);
    await act(resident, first, { type: "submit" });
    expect((await act(resident, first, { type: "withdraw", reason: "改期办理" })).json().status).toBe("withdrawn");

    const second = await draftWithEverything(resident);
    await act(resident, second, { type: "submit" });
    await act(window, second, { type: "accept" });
    const suspended = await act(handler, second, { type: "suspend", reason: "需核实当事人婚姻状况" });
    expect(suspended.json()).toMatchObject({ status: "suspended", deadline: { state: "paused" } });
    expect((await act(handler, second, { type: "approve", opinion: "准予登记" })).statusCode).toBe(409);
    expect((await act(handler, second, { type: "resume" })).json().status).toBe("under_review");
  });

  it("answers each action with the case exactly as a read right after it shows it", async () => {
    // The answer is worked out from what the action read and wrote, not read again: it must not differ.
    const id = await draftWithEverything(resident);
    const steps: [Client, object][] = [
      [resident, { type: "submit" }],
      [window, { type: "note", text: "窗口备注" }],
      [window, { type: "claim" }],
      [window, { type: "accept", opinion: "予以受理" }],
      [handler, { type: "claim" }],
      [handler, { type: "suspend", reason: "需核实当事人婚姻状况" }],
      [handler, { type: "resume" }],
      [
        handler,
        { type: "request_supplement", items: [{ target: "form.partnerOccupation", problem: "请填写具体职业" }] },
      ],
      [resident, { type: "supplement", note: "已补正" }],
      [handler, { type: "complete_step", opinion: "审查通过" }],
      [handler, { type: "approve", opinion: "准予登记" }],
      [window, { type: "deliver", method: "window" }],
    ];
    const withoutLedger = (body: { actions: { ledgerIndex: unknown }[] }) => ({
      ...body,
      actions: body.actions.map((a) => ({ ...a, ledgerIndex: null })),
    });
    for (const [client, body] of steps) {
      if ((body as { type: string }).type === "supplement")
        await resident.request("PATCH", `/api/v1/applications/${id}`, {
          form: { ...validForm, partnerOccupation: "小学教师" },
        });
      const answer = await act(client, id, body);
      expect(answer.statusCode, JSON.stringify(body) + answer.body).toBe(200);
      const read = await client.request("GET", `/api/v1/applications/${id}`);
      expect(withoutLedger(answer.json()), JSON.stringify(body)).toEqual(withoutLedger(read.json()));
    }
  });

  it("answers the same when the caller does not know the actor's name (the case is read again)", async () => {
    const services = (
      t.app as unknown as { services: { applications: ApplicationsService; accounts: AccountsService } }
    ).services;
    const id = await draftWithEverything(resident);
    await act(resident, id, { type: "submit" });
    const { id: windowId } = await t.database.db
      .selectFrom("accounts")
      .select("id")
      .where("username", "=", "fz.mz.window")
      .executeTakeFirstOrThrow();
    const account = await services.accounts.findForSession(windowId);
    if (!account) throw new Error("no window account");
    const context = { idempotencyKey: randomUUID(), channel: "pc" as const, place: null };
    const claimed = await services.applications.act(toActor(account), id, { type: "claim" }, context);
    expect(claimed).toMatchObject({ claimedByName: account.name, firstContactName: account.name });
    expect(JSON.parse(JSON.stringify(claimed))).toEqual(
      (await window.request("GET", `/api/v1/applications/${id}`)).json(),
    );
  });
});

describe("materials", () => {
  it("checks the type from the content, not the name, and the size", async () => {
    const id = (await resident.request("POST", "/api/v1/applications", { serviceCode: MARRIAGE })).json().id;
    const disguised = await upload(resident, id, "photo", { name: "照片.png", type: "image/png", content: text });
    expect(disguised.statusCode).toBe(400);
    expect(disguised.json().details[0]).toMatchObject({ field: "file", reason: "WRONG_TYPE" });
    const pdfAsPhoto = await upload(resident, id, "photo", { name: "照片.pdf", type: "application/pdf", content: pdf });
    expect(pdfAsPhoto.json().details[0].reason).toBe("WRONG_TYPE");
    const big = Buffer.concat([png, Buffer.alloc(6 * 1_048_576)]);
    expect(
      (await upload(resident, id, "photo", { name: "big.png", type: "image/png", content: big })).json().details[0]
        .reason,
    ).toBe("TOO_LARGE");
    expect(
      (await upload(resident, id, "unknown_thing", { name: "a.png", type: "image/png", content: png })).json()
        .details[0].field,
    ).toBe("materialCode");
    expect((await upload(resident, id, "photo")).json().details[0]).toMatchObject({
      field: "file",
      reason: "REQUIRED",
    });

    const ok = await upload(resident, id, "photo", { name: "合影.png", type: "image/png", content: png });
    const material = ok.json().materials[0];
    const download = await t.app.inject({
      url: `/api/v1/applications/${id}/materials/${material.id}/content`,
      headers: { cookie: resident.cookie ?? "" },
    });
    expect(download.headers["content-type"]).toBe("image/png");
    expect(Buffer.compare(download.rawPayload, png)).toBe(0);
    const removed = await resident.request("DELETE", `/api/v1/applications/${id}/materials/${material.id}`);
    expect(removed.json().materials).toEqual([]);
  });
});

describe("who may see and act", () => {
  it("does not let one resident read another's case", async () => {
    const id = await draftWithEverything(resident);
    const other = await loginResident("610500");
    const response = await other.request("GET", `/api/v1/applications/${id}`);
    expect(response.statusCode).toBe(404);
    expect(response.json().code).toBe("APPLICATION_NOT_FOUND");
    expect((await other.request("PATCH", `/api/v1/applications/${id}`, { form: {} })).statusCode).toBe(404);
    expect((await other.request("GET", "/api/v1/applications")).json().map((a: { id: string }) => a.id)).not.toContain(
      id,
    );
  });

  it("does not let staff of another department act on the case", async () => {
    const id = await draftWithEverything(resident);
    await act(resident, id, { type: "submit" });
    const police = await t.login("fz.ga.window");
    const response = await act(police, id, { type: "accept" });
    expect(response.statusCode).toBe(404);
    const weinan = await t.login("wn.mz.window");
    expect((await act(weinan, id, { type: "accept" })).statusCode).toBe(404);
    expect((await police.request("GET", "/api/v1/applications")).json().map((a: { id: string }) => a.id)).not.toContain(
      id,
    );
  });

  it("keeps each step to its role: window staff cannot approve, handling staff cannot accept", async () => {
    const id = await draftWithEverything(resident);
    await act(resident, id, { type: "submit" });
    const wrongRole = await act(handler, id, { type: "accept" });
    expect(wrongRole.statusCode).toBe(403);
    expect(wrongRole.json()).toMatchObject({ code: "FORBIDDEN", details: { reason: "needs the window role" } });
    await act(window, id, { type: "accept" });
    expect((await act(window, id, { type: "complete_step", opinion: "审查通过" })).json().details.reason).toBe(
      "needs the handling role",
    );
  });

  it("lets staff claim a case and filter their queue to what they hold", async () => {
    const id = await draftWithEverything(resident);
    await act(resident, id, { type: "submit" });
    const claimed = await act(window, id, { type: "claim" });
    expect(claimed.json()).toMatchObject({ claimedByName: "林婚姻登记员", firstContactName: "林婚姻登记员" });
    const mine = (await window.request("GET", "/api/v1/applications?mine=true")).json();
    expect(mine.map((a: { id: string }) => a.id)).toContain(id);
  });

  it("lets a supervisor of the region see overdue cases", async () => {
    const id = await draftWithEverything(resident);
    await act(resident, id, { type: "submit" });
    await act(window, id, { type: "accept" });
    t.clock.advance(10 * 24 * 3600_000);
    const supervisor = await t.login("fz.supervisor");
    const overdueResponse = await supervisor.request("GET", "/api/v1/applications?deadline=overdue");
    expect(overdueResponse.statusCode, overdueResponse.body).toBe(200);
    const overdue = overdueResponse.json();
    const found = overdue.find((a: { id: string }) => a.id === id);
    expect(found.deadline.state).toBe("overdue");
    expect(
      (await (await t.login("wn.supervisor")).request("GET", "/api/v1/applications?deadline=overdue")).json(),
    ).toEqual([]);
  });

  it("does not let staff file applications or residents use another kind's services", async () => {
    expect((await window.request("POST", "/api/v1/applications", { serviceCode: MARRIAGE })).statusCode).toBe(403);
    expect(
      (await resident.request("POST", "/api/v1/applications", { serviceCode: "nope" })).json().details[0],
    ).toMatchObject({
      field: "serviceCode",
      reason: "NOT_FOUND",
    });
  });
});
