import type { zhHans } from "./zh-Hans.ts";

/** The shape every language must fill: the same keys as zh-Hans, any string values. */
export type Messages<T = typeof zhHans> = {
  [K in keyof T]: T[K] extends string ? string : Messages<T[K]>;
};
