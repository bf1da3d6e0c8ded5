import { useTranslation } from "react-i18next";
import { currentLanguage, languages, setLanguage } from "../i18n/index.ts";

/**
 * Three plain toggle buttons rather than a drop-down: one press, no pop-up to navigate, and each
 * label carries its own `lang` so a screen reader pronounces 繁體中文 and English correctly.
 */
export function LanguageSwitch({ className }: { className?: string }) {
  const { t } = useTranslation();
  const active = currentLanguage();
  return (
    // biome-ignore lint/a11y/useSemanticElements: a labelled group of toggle buttons is the pattern here
    <div className={`tb-lang ${className ?? ""}`} role="group" aria-label={t("a11y.language")}>
      {languages.map((language) => (
        <button
          key={language}
          type="button"
          lang={language}
          aria-pressed={language === active}
          onClick={() => void setLanguage(language)}
        >
          {t(`language.${language}`)}
        </button>
      ))}
    </div>
  );
}
