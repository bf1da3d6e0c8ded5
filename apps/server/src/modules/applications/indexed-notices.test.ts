import { describe, expect, it } from "vitest";
import type { IntegratedChange } from "../ledger/ledger.service.ts";
import { actionIndices, indexedNotices, readIndexedNotice } from "./applications.service.ts";

const change = (subject: string, type: string, outboxId: number, index: number) =>
  ({ subject, type, outboxId, index }) as IntegratedChange;
const caseId = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

describe("notices of ledger indices to the other processes", () => {
  it("carry each case's action indices, and nothing of other changes", () => {
    const indexed = actionIndices([
      change(caseId(1), "application.submit", 11, 101),
      change(caseId(1), "application.form_saved", 10, 100),
      change(caseId(2), "application.accept", 12, 102),
      change(caseId(1), "application.claim", 13, 103),
      change("some-access", "exchange.query", 14, 104),
    ]);
    expect([...indexed.keys()]).toEqual([caseId(1), caseId(2)]);
    expect(indexed.get(caseId(1))).toEqual(
      new Map([
        [11, 101],
        [13, 103],
      ]),
    );
    const notices = indexedNotices("tag", indexed);
    expect(notices).toEqual([`tag|@${caseId(1)}=11:101;13:103,${caseId(2)}=12:102`]);
    expect(readIndexedNotice((notices[0] as string).split("|")[1] as string)).toEqual(indexed);
  });

  it("split to stay under a NOTIFY's 8,000 bytes, every case read back whole", () => {
    const indexed = new Map<string, Map<number, number>>();
    for (let n = 0; n < 1000; n++) indexed.set(caseId(n), new Map([[5_000_000 + n, 9_000_000 + n]]));
    const notices = indexedNotices("0b5e8c1e-4a7b-4f43-9d83-1a2b3c4d5e6f", indexed);
    expect(notices.length).toBeGreaterThan(1);
    const back = new Map<string, Map<number, number>>();
    for (const notice of notices) {
      expect(Buffer.byteLength(notice)).toBeLessThan(8000);
      for (const [id, indices] of readIndexedNotice(notice.split("|")[1] as string)) back.set(id, indices);
    }
    expect(back).toEqual(indexed);
  });

  it("name a case with more indices than a notice holds plainly (the others forget it)", () => {
    const many = new Map<number, number>();
    for (let i = 0; i < 1000; i++) many.set(1_000_000 + i, 2_000_000 + i);
    const notices = indexedNotices("tag", new Map([[caseId(7), many]]));
    expect(notices).toEqual([`tag|${caseId(7)}`]);
  });
});
