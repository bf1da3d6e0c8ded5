import { describe, expect, it } from "vitest";
import type { AccountWithPlace } from "../accounts/accounts.repository.ts";
import { createAuthCache } from "./auth-cache.ts";

const account = (id: string) => ({ id, username: `u-${id}`, disabled: false }) as unknown as AccountWithPlace;

describe("auth cache", () => {
  it("answers a remembered session with its own copy, and an expired one as gone", () => {
    const cache = createAuthCache(5_000);
    const expires = new Date(Date.now() + 60_000);
    cache.rememberSession("s1", { accountId: "a1", n: 1 }, "a1", expires);
    const first = cache.session("s1", Date.now());
    expect(first).toEqual({ found: true, data: { accountId: "a1", n: 1 } });
    if (first.found) (first.data as { n: number }).n = 2;
    expect(cache.session("s1", Date.now())).toEqual({ found: true, data: { accountId: "a1", n: 1 } });
    expect(cache.session("s1", expires.getTime())).toEqual({ found: true, data: null });
    expect(cache.session("s1", Date.now())).toEqual({ found: false });
  });

  it("forgets an account and every session of it, leaving others", () => {
    const cache = createAuthCache(5_000);
    const expires = new Date(Date.now() + 60_000);
    cache.rememberAccount(account("a1"));
    cache.rememberAccount(account("a2"));
    cache.rememberSession("s1", {}, "a1", expires);
    cache.rememberSession("s2", {}, "a1", expires);
    cache.rememberSession("s3", {}, "a2", expires);
    cache.forgetAccount("a1");
    expect(cache.account("a1")).toBeUndefined();
    expect(cache.account("a2")?.id).toBe("a2");
    expect(cache.session("s1", Date.now()).found).toBe(false);
    expect(cache.session("s2", Date.now()).found).toBe(false);
    expect(cache.session("s3", Date.now()).found).toBe(true);
  });

  it("keeps nothing when its time is 0", () => {
    const cache = createAuthCache(0);
    cache.rememberAccount(account("a1"));
    cache.rememberSession("s1", {}, "a1", new Date(Date.now() + 60_000));
    expect(cache.account("a1")).toBeUndefined();
    expect(cache.session("s1", Date.now()).found).toBe(false);
  });
});
