// Working days on the Chinese calendar, with public holidays and make-up workdays (调休),
// from the maintained `chinese-days` data. Deadlines (法定时限/承诺时限) count these.
import chineseDays from "chinese-days";

// The package ships CommonJS for Node, so its functions come off the default export.
const { isWorkday } = chineseDays;

const DAY_MS = 86_400_000;

/** A calendar date as YYYY-MM-DD, read in China Standard Time (UTC+8, no daylight saving). */
export function chinaDate(instant: Date): string {
  return new Date(instant.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

function nextDate(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
}

export function isWorkingDay(date: string): boolean {
  return isWorkday(date);
}

/**
 * The date N working days after `start`: the start date itself never counts (the limit runs
 * from the day after acceptance), so adding 1 to a Friday answers the next Monday, and adding
 * 1 to the last day before a holiday answers the first working day after it.
 */
export function addWorkingDays(start: string, days: number): string {
  if (!Number.isInteger(days) || days < 0) throw new RangeError("days must be a whole number ≥ 0");
  if (!/^\d{4}-\d{2}-\d{2}$/.test(start)) throw new RangeError("start must be YYYY-MM-DD");
  let date = start;
  let left = days;
  while (left > 0) {
    date = nextDate(date);
    if (isWorkday(date)) left--;
  }
  return date;
}

/** Working days strictly after `from` up to and including `to` (0 when `to` is not after `from`). */
export function workingDaysBetween(from: string, to: string): number {
  let count = 0;
  for (let date = nextDate(from); date <= to; date = nextDate(date)) {
    if (isWorkday(date)) count++;
  }
  return count;
}
