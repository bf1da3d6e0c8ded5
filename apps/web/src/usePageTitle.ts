import { useEffect } from "react";
import { useTranslation } from "react-i18next";

/** Every page names itself in the tab and to screen readers (WCAG 2.4.2). */
export function usePageTitle(title: string) {
  const { t } = useTranslation();
  const suffix = t("app.fullName");
  useEffect(() => {
    document.title = title ? `${title} - ${suffix}` : suffix;
  }, [title, suffix]);
}
