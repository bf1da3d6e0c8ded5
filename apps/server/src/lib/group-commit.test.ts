import { describe, expect, it } from "vitest";
import { groupCommit, groupCommitEach, type Settled } from "./group-commit.ts";

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

  describe("with an answer per record", () => {
    /** A write that answers each record's value, or its own error for records starting with "no". */
    function answeringWrite(throwFor?: (records: string[]) => boolean) {
      const batches: string[][] = [];
      const write = async (records: string[]): Promise<Settled<string>[]> => {
        batches.push(records);
        await new Promise((r) => setTimeout(r, 1));
        if (throwFor?.(records)) throw new Error(`batch ${records.join(",")} rolled back`);
        return records.map((r) =>
          r.startsWith("no") ? { error: new Error(`${r} refused`) } : { value: r.toUpperCase() },
        );
      };
      return { batches, write };
    }
    const outcome = (p: Promise<string>) =>
      p.then(
        (v) => `value ${v}`,
        (e: Error) => `error ${e.message}`,
      );

    it("answers each caller its own record's value or error, from one batch", async () => {
      const w = answeringWrite();
      const commit = groupCommitEach(w.write, { concurrency: 1 });
      const all = ["a", "b", "no-c", "d"].map((r) => outcome(commit.submit(r)));
      expect(await Promise.all(all)).toEqual(["value A", "value B", "error no-c refused", "value D"]);
      expect(w.batches).toEqual([["a"], ["b", "no-c", "d"]]);
    });

    it("never puts two records with the same key in one batch: the later one waits for the next", async () => {
      const w = answeringWrite();
      const commit = groupCommitEach(w.write, { concurrency: 1, key: (r) => r.slice(0, 1) });
      const all = ["a1", "b1", "a2", "c1", "a3", "b2"].map((r) => outcome(commit.submit(r)));
      await Promise.all(all);
      expect(w.batches).toEqual([["a1"], ["b1", "a2", "c1"], ["a3", "b2"]]);
    });

    it("writes each record of a batch that rolled back again alone", async () => {
      const w = answeringWrite((records) => records.length > 1 && records.includes("x"));
      const commit = groupCommitEach(w.write, { concurrency: 1 });
      const all = ["a", "b", "x", "no-d"].map((r) => outcome(commit.submit(r)));
      expect(await Promise.all(all)).toEqual(["value A", "value B", "value X", "error no-d refused"]);
      expect(w.batches).toEqual([["a"], ["b", "x", "no-d"], ["b"], ["x"], ["no-d"]]);
    });

    it("fails a caller whose record the write answered nothing for", async () => {
      const commit = groupCommitEach(async (records: string[]) => records.slice(1).map((r) => ({ value: r })));
      await expect(commit.submit("a")).rejects.toThrow(/no outcome/);
    });
  });
});
