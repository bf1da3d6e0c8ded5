import { Card } from "antd";
import { useTranslation } from "react-i18next";
import { usePageTitle } from "../usePageTitle.ts";

export default function AccessibilityPage() {
  const { t } = useTranslation();
  usePageTitle(t("a11yPage.title"));
  const measures = [
    t("a11yPage.measure1"),
    t("a11yPage.measure2"),
    t("a11yPage.measure3"),
    t("a11yPage.measure4"),
    t("a11yPage.measure5"),
    t("a11yPage.measure6"),
  ];
  return (
    <div className="tb-container tb-page">
      <Card className="tb-prose">
        <h1 className="tb-page-title">{t("a11yPage.title")}</h1>
        <p>{t("a11yPage.lead")}</p>
        <h2 className="tb-card-title">{t("a11yPage.standardTitle")}</h2>
        <p>{t("a11yPage.standardBody")}</p>
        <h2 className="tb-card-title">{t("a11yPage.measuresTitle")}</h2>
        <ul>
          {measures.map((text) => (
            <li key={text}>{text}</li>
          ))}
        </ul>
        <h2 className="tb-card-title">{t("a11yPage.limitsTitle")}</h2>
        <ul>
          <li>{t("a11yPage.limit1")}</li>
        </ul>
        <h2 className="tb-card-title">{t("a11yPage.feedbackTitle")}</h2>
        <p>{t("a11yPage.feedbackBody")}</p>
      </Card>
    </div>
  );
}
