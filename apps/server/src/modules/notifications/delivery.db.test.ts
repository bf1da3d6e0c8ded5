import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testClock } from "../../../test/support/clock.ts";
import { createTestDatabase, type TestDatabase } from "../../../test/support/database.ts";
import { randomIds } from "../../ports/index.ts";
import { localOutboxSender, type MessageSender, type OutgoingMessage } from "../../ports/messaging.ts";
import { createNotificationsService } from "./notifications.service.ts";

// SMS and email are written with the change and delivered after it, retried with backoff.
let t: TestDatabase;
let accountId: string;
beforeAll(async () => {
  t = await createTestDatabase();
  const account = await t.database.db
    .selectFrom("accounts")
    .select("id")
    .where("kind", "=", "resident")
    .executeTakeFirstOrThrow();
  accountId = account.id;
});
afterAll(() => t.drop());

const notice = (title: string) => ({
  accountId,
  regionCode: "350100",
  applicationId: null,
  kind: "test",
  title,
  body: "正文",
  phone: "13905910321",
  email: "lin@example.cn",
});

function rowsAbout(title: string) {
  return t.database.db
    .selectFrom("message_outbox")
    .selectAll()
    .where((eb) => eb.or([eb("body", "like", `%${title}%`), eb("subject", "like", `%${title}%`)]))
    .orderBy("id")
    .execute();
}

describe("message delivery", () => {
  it("writes the messages with the change, nothing when the change rolls back", async () => {
    const clock = testClock();
    const notifications = createNotificationsService({
      db: t.database.db,
      clock,
      ids: randomIds,
      sender: localOutboxSender(),
      log: () => {},
    });
    await expect(
      t.database.db.transaction().execute(async (trx) => {
        await notifications.record(trx, notice("回滚的变更"));
        throw new Error("the change fails");
      }),
    ).rejects.toThrow("the change fails");
    expect(await rowsAbout("回滚的变更")).toEqual([]);

    await t.database.db.transaction().execute((trx) => notifications.record(trx, notice("已提交的变更")));
    const pending = await rowsAbout("已提交的变更");
    expect(pending.map((m) => [m.channel, m.status])).toEqual([
      ["sms", "pending"],
      ["email", "pending"],
    ]);
    // The local adapter delivers into the outbox the console reads: marked sent.
    expect(await notifications.deliverDue()).toBeGreaterThanOrEqual(2);
    const sent = await rowsAbout("已提交的变更");
    expect(sent.map((m) => [m.status, m.attempts])).toEqual([
      ["sent", 1],
      ["sent", 1],
    ]);
    expect(sent[0]?.sent_at).toEqual(clock.now());
  });

  it("retries a refused message with growing waits, then gives up and says why", async () => {
    const clock = testClock();
    const tried: OutgoingMessage[] = [];
    let refuse = 2;
    const gateway: MessageSender = {
      async send(message) {
        tried.push(message);
        if (message.channel === "sms" && refuse-- > 0) throw new Error("gateway answered 429: quota exceeded");
      },
    };
    const errors: unknown[] = [];
    const notifications = createNotificationsService({
      db: t.database.db,
      clock,
      ids: randomIds,
      sender: gateway,
      log: (error) => errors.push(error),
    });
    await t.database.db.transaction().execute((trx) => notifications.record(trx, notice("重试的短信")));
    await notifications.deliverDue();
    let [sms, email] = await rowsAbout("重试的短信");
    expect(email?.status).toBe("sent");
    expect(sms).toMatchObject({ status: "pending", attempts: 1, last_error: "gateway answered 429: quota exceeded" });
    expect(sms?.next_attempt_at).toEqual(new Date(clock.now().getTime() + 1000));

    // Not due yet: nothing is tried.
    await notifications.deliverDue();
    expect(tried.filter((m) => m.channel === "sms")).toHaveLength(1);
    clock.advance(1000);
    await notifications.deliverDue();
    [sms] = await rowsAbout("重试的短信");
    expect(sms).toMatchObject({ status: "pending", attempts: 2 });
    expect(sms?.next_attempt_at).toEqual(new Date(clock.now().getTime() + 2000));
    clock.advance(2000);
    await notifications.deliverDue();
    [sms] = await rowsAbout("重试的短信");
    expect(sms).toMatchObject({ status: "sent", attempts: 3, last_error: null });
    expect(errors).toHaveLength(2);

    // A gateway that never takes it: failed after the eighth attempt, with the reason kept.
    refuse = Number.POSITIVE_INFINITY;
    await t.database.db.transaction().execute((trx) => notifications.record(trx, notice("放弃的短信")));
    for (let attempt = 0; attempt < 8; attempt++) {
      await notifications.deliverDue();
      clock.advance(10 * 60_000);
    }
    [sms] = await rowsAbout("放弃的短信");
    expect(sms).toMatchObject({ status: "failed", attempts: 8, next_attempt_at: null });
    expect(sms?.last_error).toContain("quota exceeded");
  });

  it("leaves a message claimed by a deliverer that died to another after the lease", async () => {
    const clock = testClock();
    const notifications = createNotificationsService({
      db: t.database.db,
      clock,
      ids: randomIds,
      sender: localOutboxSender(),
      log: () => {},
    });
    await t.database.db.transaction().execute((trx) => notifications.record(trx, notice("中断的投递")));
    // A deliverer claimed it and stopped before marking it (as after a crash).
    await t.database.db
      .updateTable("message_outbox")
      .set({ attempts: 1, next_attempt_at: new Date(clock.now().getTime() + 60_000) })
      .where((eb) => eb.or([eb("body", "like", "%中断的投递%"), eb("subject", "like", "%中断的投递%")]))
      .execute();
    await notifications.deliverDue();
    expect((await rowsAbout("中断的投递")).map((m) => m.status)).toEqual(["pending", "pending"]);
    clock.advance(60_000);
    await notifications.deliverDue();
    expect((await rowsAbout("中断的投递")).map((m) => m.status)).toEqual(["sent", "sent"]);
  });
});
