import { describe, expect, it } from "vitest";
import { addWorkingDays, chinaDate, isWorkingDay, workingDaysBetween } from "./calendar.ts";

describe("working-day calendar", () => {
  it("knows 2025 National Day: 1–8 October off, Sunday 28 September and Saturday 11 October worked", () => {
    expect(isWorkingDay("2025-10-01")).toBe(false);
    expect(isWorkingDay("2025-10-08")).toBe(false);
    expect(isWorkingDay("2025-09-28")).toBe(true);
    expect(isWorkingDay("2025-10-11")).toBe(true);
  });

  it("knows 2026 Spring Festival: 15–23 February off, Saturdays 14 and 28 February worked", () => {
    expect(isWorkingDay("2026-02-14")).toBe(true);
    expect(isWorkingDay("2026-02-15")).toBe(false);
    expect(isWorkingDay("2026-02-23")).toBe(false);
    expect(isWorkingDay("2026-02-28")).toBe(true);
  });

  it("adds working days across the 2025 National Day holiday", () => {
    // Tue 30 Sep + 1 → Thu 9 Oct (1–8 Oct off).
    expect(addWorkingDays("2025-09-30", 1)).toBe("2025-10-09");
    // Thu 9, Fri 10, Sat 11 (make-up workday), Mon 13.
    expect(addWorkingDays("2025-09-30", 4)).toBe("2025-10-13");
  });

  it("adds working days across the 2026 Spring Festival, counting the make-up Saturday", () => {
    // Fri 13 Feb + 1 → Sat 14 Feb, a make-up workday.
    expect(addWorkingDays("2026-02-13", 1)).toBe("2026-02-14");
    // Sat 14 Feb + 1 → Tue 24 Feb, after the holiday.
    expect(addWorkingDays("2026-02-14", 1)).toBe("2026-02-24");
    // 20 working days from Fri 6 Feb 2026: 9–13 (5), 14 (6), 24–27 (10), 28 (11), 2–6 Mar (16), 9–12 Mar (20).
    expect(addWorkingDays("2026-02-06", 20)).toBe("2026-03-12");
  });

  it("skips ordinary weekends and counts nothing for zero days", () => {
    expect(addWorkingDays("2026-11-27", 1)).toBe("2026-11-30");
    expect(addWorkingDays("2026-11-27", 0)).toBe("2026-11-27");
  });

  it("counts working days between dates, the inverse of adding", () => {
    expect(workingDaysBetween("2025-09-30", "2025-10-13")).toBe(4);
    expect(workingDaysBetween("2026-02-06", addWorkingDays("2026-02-06", 20))).toBe(20);
    expect(workingDaysBetween("2026-03-12", "2026-02-06")).toBe(0);
  });

  it("refuses nonsense input", () => {
    expect(() => addWorkingDays("2026-02-06", -1)).toThrow(RangeError);
    expect(() => addWorkingDays("2026-02-06", 1.5)).toThrow(RangeError);
    expect(() => addWorkingDays("6 Feb 2026", 1)).toThrow(RangeError);
  });

  it("reads dates in China Standard Time", () => {
    expect(chinaDate(new Date("2026-09-30T16:30:00Z"))).toBe("2026-10-01");
    expect(chinaDate(new Date("2026-09-30T15:59:59Z"))).toBe("2026-09-30");
  });
});
