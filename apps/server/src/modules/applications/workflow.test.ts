import type { WorkflowStep } from "@tongban/contracts";
import { describe, expect, it } from "vitest";
import { allowedActions, derive, fitsStep, holderRole, type LoggedAction } from "./workflow.ts";

const steps: WorkflowStep[] = [
  { key: "acceptance", name: "受理", role: "window" },
  { key: "review", name: "审核", role: "handling" },
  { key: "decision", name: "审批", role: "handling" },
];
const act = (
  type: LoggedAction["type"],
  date: string,
  payload: Record<string, unknown> = {},
  actorId = "staff-1",
): LoggedAction => ({
  type,
  date,
  actorId,
  payload,
});

describe("workflow derivation", () => {
  it("goes from draft through acceptance and review to a decision and delivery", () => {
    const log = [
      act("submit", "2026-09-28", {}, "applicant"),
      act("accept", "2026-09-29"),
      act("complete_step", "2026-09-30", {}, "staff-2"),
      act("approve", "2026-10-09", {}, "staff-2"),
      act("deliver", "2026-10-09"),
    ];
    expect(derive(log.slice(0, 1), steps).status).toBe("submitted");
    const accepted = derive(log.slice(0, 2), steps);
    expect(accepted).toMatchObject({
      status: "under_review",
      stepIndex: 1,
      acceptedOn: "2026-09-29",
      firstContactId: "staff-1",
    });
    expect(holderRole(accepted, steps)).toBe("handling");
    expect(derive(log.slice(0, 3), steps).stepIndex).toBe(2);
    expect(derive(log, steps)).toMatchObject({ status: "delivered", firstContactId: "staff-1" });
  });

  it("stops the clock while a supplement is awaited after acceptance, in working days", () => {
    const log = [
      act("submit", "2026-09-28", {}, "applicant"),
      act("accept", "2026-09-29"),
      act("request_supplement", "2026-09-30", { items: [{ target: "photo", problem: "照片模糊" }] }),
      // 1–7 Oct are holidays; 8 and 9 Oct are working days.
      act("supplement", "2026-10-09", {}, "applicant"),
    ];
    const waiting = derive(log.slice(0, 3), steps);
    expect(waiting).toMatchObject({
      status: "awaiting_supplement",
      pausedSince: "2026-09-30",
      openSupplement: [{ target: "photo" }],
    });
    const back = derive(log, steps);
    expect(back).toMatchObject({ status: "under_review", pausedSince: null, pausedDays: 2, openSupplement: null });
  });

  it("does not count a supplement before acceptance against the clock", () => {
    const log = [
      act("submit", "2026-11-02", {}, "a"),
      act("request_supplement", "2026-11-03", { items: [] }),
      act("supplement", "2026-11-10", {}, "a"),
    ];
    expect(derive(log, steps)).toMatchObject({ status: "submitted", pausedDays: 0, acceptedOn: null });
  });

  it("suspends and resumes, stopping the clock", () => {
    const log = [
      act("submit", "2026-11-02", {}, "a"),
      act("accept", "2026-11-02"),
      act("suspend", "2026-11-03"),
      act("resume", "2026-11-06"),
    ];
    expect(derive(log.slice(0, 3), steps).status).toBe("suspended");
    expect(derive(log, steps)).toMatchObject({ status: "under_review", pausedDays: 3 });
  });

  it("refuses a log with an action its status does not allow", () => {
    expect(() => derive([act("approve", "2026-11-02")], steps)).toThrow("approve is not allowed in draft");
    expect(() => derive([act("submit", "2026-11-02"), act("submit", "2026-11-02")], steps)).toThrow();
  });

  it("lets approval happen only at the last step and step completion before it", () => {
    const review = derive([act("submit", "2026-11-02"), act("accept", "2026-11-02")], steps);
    expect(fitsStep("approve", review, steps)).toBe(false);
    expect(fitsStep("complete_step", review, steps)).toBe(true);
    const decision = derive(
      [act("submit", "2026-11-02"), act("accept", "2026-11-02"), act("complete_step", "2026-11-03")],
      steps,
    );
    expect(fitsStep("approve", decision, steps)).toBe(true);
    expect(fitsStep("complete_step", decision, steps)).toBe(false);
  });

  it("allows nothing after withdrawal", () => {
    expect(allowedActions.withdrawn).toEqual([]);
  });
});

import { deadlineOf } from "./deadline.ts";

describe("deadlines", () => {
  const accepted = derive([act("submit", "2026-09-28"), act("accept", "2026-09-29")], steps);

  it("counts the committed limit in working days across the National Day holiday", () => {
    // Accepted Tue 29 Sep 2026, 5 working days: 30 Sep, 8, 9, 10 (make-up Saturday), 12 Oct.
    const d = deadlineOf(accepted, 5, "2026-09-30");
    expect(d).toMatchObject({ acceptedOn: "2026-09-29", dueOn: "2026-10-12", elapsedDays: 1, state: "on_time" });
  });

  it("flags the case at 80 % and marks it overdue after the due date", () => {
    expect(deadlineOf(accepted, 5, "2026-10-10")).toMatchObject({ elapsedDays: 4, state: "warning" });
    expect(deadlineOf(accepted, 5, "2026-10-12")).toMatchObject({ elapsedDays: 5, state: "warning" });
    expect(deadlineOf(accepted, 5, "2026-10-13")).toMatchObject({ state: "overdue" });
  });

  it("pushes the due date back by the working days a supplement took", () => {
    const log = [
      act("submit", "2026-09-28"),
      act("accept", "2026-09-29"),
      act("request_supplement", "2026-09-30", { items: [] }),
      act("supplement", "2026-10-09"),
    ];
    const state = derive(log, steps);
    expect(deadlineOf(state, 5, "2026-10-09")).toMatchObject({ pausedDays: 2, dueOn: "2026-10-14", state: "on_time" });
    const waiting = derive(log.slice(0, 3), steps);
    expect(deadlineOf(waiting, 5, "2026-10-20")).toMatchObject({ state: "paused" });
  });

  it("has no deadline before acceptance and none running once finished", () => {
    expect(deadlineOf(derive([act("submit", "2026-09-28")], steps), 5, "2026-12-01").state).toBe("none");
    const done = derive(
      [
        act("submit", "2026-09-28"),
        act("accept", "2026-09-29"),
        act("complete_step", "2026-09-30"),
        act("approve", "2026-09-30"),
      ],
      steps,
    );
    expect(deadlineOf(done, 5, "2026-12-01").state).toBe("finished");
  });
});
