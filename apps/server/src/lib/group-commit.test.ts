import { describe, expect, it } from "vitest";
import { groupCommit } from "./group-commit.ts";

/** A write the test finishes by hand, recording every batch it was given. */
function controlledWrite(fail?: (records: string[]) => boolean) {
  const batches: string[][] = [];
  const pending: (() => void)[] = [];
  const write = (records: string[]) =>
    new Promise<void>((resolve, reject) => {
      batches.push(records);
      pending.push(() => (fail?.(records) ? reject(new Error(`bad batch ${records.join(",")}`)) : resolve()));
    });
  const finishNext = async () => {
    await new Promise((r) => setTimeout(r, 0));
    pending.shift()?.();
    await new Promise((r) => setTimeout(r, 0));
  };
  return { batches, write, finishNext, pendingCount: () => pending.length };
}

describe("group commit", () => {
  it("writes a record alone at once when nothing else is being written, and answers only after the write", async () => {
    const w = controlledWrite();
    const commit = groupCommit(w.write, { concurrency: 1 });
    let answered = false;
    const done = commit.submit("a").then(() => {
      answered = true;
    });
    await new Promise((r) => setTimeout(r, 0));
    expect(w.batches).toEqual([["a"]]);
    expect(answered).toBe(false);
    await w.finishNext();
    await done;
    expect(answered).toBe(true);
  });

  it("puts the records that arrive during a write into the next batch, up to the largest batch", async () => {
    const w = controlledWrite();
    const commit = groupCommit(w.write, { concurrency: 1, maxBatch: 3 });
    const all = ["a", "b", "c", "d", "e", "f"].map((r) => commit.submit(r));
    await new Promise((r) => setTimeout(r, 0));
    expect(w.batches).toEqual([["a"]]);
    await w.finishNext();
    expect(w.batches).toEqual([["a"], ["b", "c", "d"]]);
    await w.finishNext();
    await w.finishNext();
    await Promise.all(all);
    expect(w.batches).toEqual([["a"], ["b", "c", "d"], ["e", "f"]]);
    await commit.drain();
  });

  it("writes as many batches at a time as it may", async () => {
    const w = controlledWrite();
    const commit = groupCommit(w.write, { concurrency: 2 });
    const all = ["a", "b", "c", "d"].map((r) => commit.submit(r));
    await new Promise((r) => setTimeout(r, 0));
    expect(w.batches).toEqual([["a"], ["b"]]);
    await w.finishNext();
    expect(w.batches.at(-1)).toEqual(["c", "d"]);
    while (w.pendingCount() > 0) await w.finishNext();
    await Promise.all(all);
  });

  it("fails only the record that cannot be written: a failed batch is written again record by record", async () => {
    const w = controlledWrite((records) => records.includes("bad"));
    const commit = groupCommit(w.write, { concurrency: 1 });
    const first = commit.submit("a");
    const outcomes = ["b", "bad", "c"].map((r) =>
      commit.submit(r).then(
        () => `${r} ok`,
        (error: Error) => `${r} failed: ${error.message}`,
      ),
    );
    while (w.pendingCount() > 0 || w.batches.length < 5) await w.finishNext();
    await first;
    expect(await Promise.all(outcomes)).toEqual(["b ok", "bad failed: bad batch bad", "c ok"]);
    expect(w.batches).toEqual([["a"], ["b", "bad", "c"], ["b"], ["bad"], ["c"]]);
  });

  it("drains: answers once everything submitted has been written", async () => {
    const w = controlledWrite();
    const commit = groupCommit(w.write, { concurrency: 1 });
    void commit.submit("a");
    void commit.submit("b");
    let drained = false;
    const drain = commit.drain().then(() => {
      drained = true;
    });
    await w.finishNext();
    expect(drained).toBe(false);
    await w.finishNext();
    await drain;
    expect(drained).toBe(true);
  });
});
