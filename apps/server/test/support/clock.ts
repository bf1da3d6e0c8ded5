import type { Clock } from "../../src/ports/index.ts";

/** A clock tests move by hand, so deadlines, locks and TOTP steps are exact. */
export function testClock(
  start = "2026-11-27T02:00:00Z",
): Clock & { advance(ms: number): void; set(iso: string): void } {
  let now = Date.parse(start);
  return {
    now: () => new Date(now),
    advance(ms) {
      now += ms;
    },
    set(iso) {
      now = Date.parse(iso);
    },
  };
}
