import i18n from "i18next";
import { initReactI18next } from "react-i18next";
import { en } from "./en.ts";
import { zhHans } from "./zh-Hans.ts";
import { zhHant } from "./zh-Hant.ts";

export const languages = ["zh-Hans", "zh-Hant", "en"] as const;
export type Language = (typeof languages)[number];

const STORAGE_KEY = "tongban.language";

function isLanguage(value: unknown): value is Language {
  return typeof value === "string" && (languages as readonly string[]).includes(value);
}

function storedLanguage(): Language {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    if (isLanguage(value)) return value;
  } catch {
    // Storage can be unavailable (private mode, blocked cookies); the default still works.
  }
  return "zh-Hans";
}

/** The language in effect, narrowed to the three the app ships. */
export function currentLanguage(): Language {
  return isLanguage(i18n.language) ? i18n.language : "zh-Hans";
}

export async function setLanguage(language: Language) {
  await i18n.changeLanguage(language);
}

// Screen readers pick their voice from <html lang>, so it follows every change.
i18n.on("languageChanged", (language) => {
  document.documentElement.lang = language;
  try {
    localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // See storedLanguage.
  }
});

void i18n.use(initReactI18next).init({
  resources: {
    "zh-Hans": { translation: zhHans },
    "zh-Hant": { translation: zhHant },
    en: { translation: en },
  },
  lng: storedLanguage(),
  fallbackLng: "zh-Hans",
  supportedLngs: [...languages],
  // Without this i18next would also try the bare "zh" and look for resources that do not exist.
  load: "currentOnly",
  interpolation: { escapeValue: false },
});
document.documentElement.lang = i18n.language;

export default i18n;
