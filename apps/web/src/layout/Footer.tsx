import { useTranslation } from "react-i18next";
import { Link } from "react-router";

export function Footer() {
  const { t } = useTranslation();
  return (
    <footer className="tb-footer">
      <div className="tb-container">
        <nav className="tb-footer-links" aria-label={t("a11y.footerNav")}>
          <Link to="/accessibility">{t("nav.accessibility")}</Link>
          <a href="/api/docs">{t("nav.apiDocs")}</a>
          <span>{t("footer.hotline")}</span>
          <span>{t("footer.hours")}</span>
        </nav>
        <div>
          {t("footer.sponsor")} · {t("footer.support")}
        </div>
        <div>{t("footer.filing")}</div>
        <div>{t("footer.copyright", { year: new Date().getFullYear() })}</div>
      </div>
    </footer>
  );
}
