import "i18next";
import type { zhHans } from "./zh-Hans.ts";

// Typed keys: a typo in t("…") fails the type-check instead of showing a raw key on screen.
declare module "i18next" {
  interface CustomTypeOptions {
    defaultNS: "translation";
    resources: { translation: typeof zhHans };
  }
}
