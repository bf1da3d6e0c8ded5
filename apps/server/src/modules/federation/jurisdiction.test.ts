import { describe, expect, it } from "vitest";
import { notCompetentReason, withinRegion } from "./jurisdiction.ts";

const resident = (idNumber: string) => ({ kind: "resident" as const, idNumber, creditCode: null });

describe("routing by jurisdiction", () => {
  it("places a code within a province, a prefecture or a county", () => {
    expect(withinRegion("500103", "500000")).toBe(true); // 重庆市渝中区 in 重庆市
    expect(withinRegion("610502", "610500")).toBe(true); // 临渭区 in 渭南市
    expect(withinRegion("610102", "610500")).toBe(false); // 西安 is not 渭南
    expect(withinRegion("350102", "350102")).toBe(true);
    expect(withinRegion("350104", "350102")).toBe(false);
  });

  it("by household registration: the ID number's region decides", () => {
    expect(notCompetentReason("household_registration", "610500", resident("610502199208060338"), {})).toBeUndefined();
    expect(notCompetentReason("household_registration", "610500", resident("350102199003150225"), {})).toMatch(
      /350102.*not in 610500/,
    );
    expect(
      notCompetentReason(
        "household_registration",
        "610500",
        { kind: "enterprise", idNumber: null, creditCode: "x" },
        {},
      ),
    ).toMatch(/for residents/);
  });

  it("by either party's household registration: the partner's ID number in the form counts", () => {
    const form = { partnerIdNumber: "610502199301090260" };
    expect(
      notCompetentReason("either_applicant_household", "610500", resident("350102199003150225"), form),
    ).toBeUndefined();
    expect(notCompetentReason("either_applicant_household", "500000", resident("350102199003150225"), form)).toMatch(
      /neither party/,
    );
  });

  it("by enterprise registration: the credit code's region decides; residence and anywhere are the competent node's to check", () => {
    const enterprise = { kind: "enterprise" as const, idNumber: null, creditCode: "91500000MA5UX3N7XX" };
    expect(notCompetentReason("enterprise_registration", "500000", enterprise, {})).toBeUndefined();
    expect(notCompetentReason("enterprise_registration", "350100", enterprise, {})).toMatch(/registered in 500000/);
    expect(notCompetentReason("residence", "350100", resident("610502199208060338"), {})).toBeUndefined();
    expect(notCompetentReason("anywhere", "350100", resident("610502199208060338"), {})).toBeUndefined();
  });
});
