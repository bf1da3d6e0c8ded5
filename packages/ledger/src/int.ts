// Integer helpers for tree arithmetic. Tree sizes and indexes are JavaScript numbers, exact up to
// 2^53 − 1; the 32-bit bitwise operators would silently wrap above 2^31, so none are used here.

export function isIndex(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

export function assertIndex(name: string, value: unknown): asserts value is number {
  if (!isIndex(value)) throw new RangeError(`${name} must be a non-negative safe integer, got ${String(value)}`);
}

export function half(n: number): number {
  return Math.floor(n / 2);
}

export function isOdd(n: number): boolean {
  return n % 2 === 1;
}

export function isPowerOfTwo(n: number): boolean {
  if (n < 1) return false;
  while (n % 2 === 0) n /= 2;
  return n === 1;
}

/** The largest power of two strictly less than n (n ≥ 2): RFC 9162 §2.1.1's split point k. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

export function popCount(n: number): number {
  let count = 0;
  while (n > 0) {
    count += n % 2;
    n = half(n);
  }
  return count;
}

export function trailingOnes(n: number): number {
  let count = 0;
  while (n % 2 === 1) {
    count++;
    n = (n - 1) / 2;
  }
  return count;
}
