import { describe, expect, it } from "vitest";
import { createCaseCache } from "./case-cache.ts";

const cache = (options: Partial<Parameters<typeof createCaseCache>[0]> = {}) =>
  createCaseCache<{ v: number; pending?: boolean }>({ ttlMs: 60_000, keep: (c) => !c.pending, ...options });

describe("case cache", () => {
  it("keeps what a read found and answers it until the case changes", () => {
    const c = cache();
    c.fill("a", c.ticket(), { v: 1 });
    expect(c.get("a")).toEqual({ v: 1 });
    c.changed("a");
    expect(c.get("a")).toBeUndefined();
  });

  it("keeps nothing of a read that began before a change ended, or while a write runs", () => {
    const c = cache();
    const before = c.ticket();
    c.begin("a");
    c.fill("a", c.ticket(), { v: 1 }); // a read during the write: it may have seen the old rows
    expect(c.get("a")).toBeUndefined();
    c.end("a");
    c.fill("a", before, { v: 1 }); // a read that began before the write, finished after it
    expect(c.get("a")).toBeUndefined();
    c.fill("a", c.ticket(), { v: 2 }); // a read after the write
    expect(c.get("a")).toEqual({ v: 2 });
  });

  it("counts overlapping writes to one case", () => {
    const c = cache();
    c.begin("a");
    c.begin("a");
    c.end("a");
    c.fill("a", c.ticket(), { v: 1 });
    expect(c.get("a")).toBeUndefined();
    c.end("a");
    c.fill("a", c.ticket(), { v: 1 });
    expect(c.get("a")).toEqual({ v: 1 });
  });

  it("a change to one case does not stop another from being kept", () => {
    const c = cache();
    const ticket = c.ticket();
    c.changed("b");
    c.fill("a", ticket, { v: 1 });
    expect(c.get("a")).toEqual({ v: 1 });
  });

  it("refuses what `keep` refuses, and forgets everything on clear", () => {
    const c = cache();
    c.fill("a", c.ticket(), { v: 1, pending: true });
    expect(c.get("a")).toBeUndefined();
    c.fill("b", c.ticket(), { v: 1 });
    const old = c.ticket();
    c.clear();
    expect(c.get("b")).toBeUndefined();
    c.fill("b", old, { v: 1 });
    expect(c.get("b")).toBeUndefined();
  });

  it("answers nothing while off, and nothing with a time of 0", () => {
    const c = cache();
    c.fill("a", c.ticket(), { v: 1 });
    c.enable(false);
    expect(c.get("a")).toBeUndefined();
    c.fill("a", c.ticket(), { v: 1 });
    c.enable(true);
    expect(c.get("a")).toBeUndefined();
    const none = cache({ ttlMs: 0 });
    none.fill("a", none.ticket(), { v: 1 });
    expect(none.get("a")).toBeUndefined();
  });

  it("when a case's change is forgotten for room, older reads fill nothing", () => {
    const c = cache({ max: 2 }); // remembers the changes of four cases
    const old = c.ticket();
    for (const id of ["a", "b", "c", "d", "e"]) c.changed(id);
    c.fill("a", old, { v: 1 }); // a's change was pushed out by e's: the read cannot be trusted
    expect(c.get("a")).toBeUndefined();
    c.fill("a", c.ticket(), { v: 1 });
    expect(c.get("a")).toEqual({ v: 1 });
  });

  it("revises a kept copy in place of a read, refusing reads that began before, and never brings one back", () => {
    const c = cache();
    c.fill("a", c.ticket(), { v: 1 });
    const before = c.ticket();
    c.revise("a", (kept) => ({ v: kept.v + 1 }));
    expect(c.get("a")).toEqual({ v: 2 });
    c.revise("b", () => ({ v: 9 })); // nothing kept: nothing made up
    expect(c.get("b")).toBeUndefined();
    c.fill("b", before, { v: 0 }); // a read that began before b's revision
    expect(c.get("b")).toBeUndefined();
    c.revise("a", () => undefined); // cannot be brought up to date: forgotten
    expect(c.get("a")).toBeUndefined();
  });

  it("does not revise a copy while a write to the case is under way", () => {
    const c = cache();
    c.fill("a", c.ticket(), { v: 1 });
    c.begin("a");
    c.revise("a", (kept) => ({ v: kept.v + 1 }));
    expect(c.get("a")).toBeUndefined();
    c.end("a");
    expect(c.get("a")).toBeUndefined();
  });
});
