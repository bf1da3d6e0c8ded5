import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, createTestApp, type TestApp } from "../support/app.ts";
import { act, loginResident, submittedMarriage } from "../support/cases.ts";

// The supervisor's list (督办): flagged and overdue cases of the region, by department, most urgent first.
let t: TestApp;
let resident: Client;
let window: Client;

async function acceptedCase(): Promise<string> {
  const id = await submittedMarriage(t, resident);
  expect((await act(window, id, { type: "accept" })).json().status).toBe("under_review");
  return id;
}

const ids = (list: { id: string }[]) => list.map((a) => a.id);

beforeAll(async () => {
  t = await createTestApp();
  t.clock.set("2026-11-30T01:00:00Z"); // Monday 30 November 2026, 09:00 in China
  resident = await loginResident(t);
  window = await t.login("fz.mz.window");
});
afterAll(() => t.close());

describe("a supervisor's list of flagged and overdue cases", () => {
  it("lists the region's flagged and overdue cases by department, most urgent first, with who is responsible", async () => {
    // Marriage registration promises one working day: accepted Monday it is due Tuesday.
    const older = await acceptedCase();
    t.clock.set("2026-12-01T01:00:00Z"); // Tuesday
    const newer = await acceptedCase();
    t.clock.set("2026-12-02T01:00:00Z"); // Wednesday: the Monday case is overdue, Tuesday's flagged
    const supervisor = await t.login("fz.supervisor");
    const departments = (await supervisor.request("GET", "/api/v1/regions/350100/departments")).json() as {
      id: string;
      code: string;
    }[];
    const minzheng = departments.find((d) => d.code === "minzheng")?.id as string;
    const gongan = departments.find((d) => d.code === "gongan")?.id as string;

    const flagged = await supervisor.request("GET", "/api/v1/applications?deadline=warning");
    expect(flagged.statusCode, flagged.body).toBe(200);
    const flaggedIds = ids(flagged.json());
    expect(flaggedIds).toEqual(expect.arrayContaining([older, newer]));
    expect(flaggedIds.indexOf(older)).toBeLessThan(flaggedIds.indexOf(newer));
    const olderCase = flagged.json().find((a: { id: string }) => a.id === older);
    expect(olderCase).toMatchObject({
      departmentName: "福州市民政局",
      holderRole: "handling",
      firstContactName: "林婚姻登记员",
      deadline: { state: "overdue", limitDays: 1, dueOn: "2026-12-01", elapsedDays: 2 },
    });
    expect(flagged.json().find((a: { id: string }) => a.id === newer).deadline).toMatchObject({
      state: "warning",
      dueOn: "2026-12-02",
      elapsedDays: 1,
    });

    const overdue = ids((await supervisor.request("GET", "/api/v1/applications?deadline=overdue")).json());
    expect(overdue).toContain(older);
    expect(overdue).not.toContain(newer);

    // By department: the civil-affairs bureau has them, the police none.
    const ofMinzheng = await supervisor.request(
      "GET",
      `/api/v1/applications?deadline=warning&departmentId=${minzheng}`,
    );
    expect(ids(ofMinzheng.json())).toEqual(expect.arrayContaining([older, newer]));
    const ofGongan = await supervisor.request("GET", `/api/v1/applications?deadline=warning&departmentId=${gongan}`);
    expect(ofGongan.json()).toEqual([]);
    expect((await supervisor.request("GET", "/api/v1/applications?departmentId=minzheng")).json()).toMatchObject({
      code: "VALIDATION_FAILED",
      details: [{ field: "departmentId" }],
    });

    // The supervisor reads the case itself, but cannot act on it (only notes).
    const read = await supervisor.request("GET", `/api/v1/applications/${older}`);
    expect(read.statusCode).toBe(200);
    expect(read.json().allowedActions).toEqual(["note"]);
  });

  it("keeps other regions' supervisors and other departments' staff out of the list", async () => {
    const id = await acceptedCase();
    t.clock.advance(10 * 24 * 3600_000);
    const weinan = await t.login("wn.supervisor");
    expect(ids((await weinan.request("GET", "/api/v1/applications?deadline=overdue")).json())).not.toContain(id);

    // Window staff of the civil-affairs bureau asking for the police's cases get nothing of theirs.
    const supervisor = await t.login("fz.supervisor");
    const departments = (await supervisor.request("GET", "/api/v1/regions/350100/departments")).json() as {
      id: string;
      code: string;
    }[];
    const gongan = departments.find((d) => d.code === "gongan")?.id as string;
    const mzWindow = await t.login("fz.mz.window");
    expect((await mzWindow.request("GET", `/api/v1/applications?departmentId=${gongan}`)).json()).toEqual([]);
    // Staff without a case role (an administrator) are refused.
    const admin = await t.login("fz.admin");
    expect((await admin.request("GET", "/api/v1/applications?deadline=overdue")).json()).toMatchObject({
      code: "FORBIDDEN",
    });
    // A resident's filter by department stays within their own cases.
    const mine = (await resident.request("GET", `/api/v1/applications?departmentId=${gongan}`)).json();
    expect(mine).toEqual([]);
  });
});
