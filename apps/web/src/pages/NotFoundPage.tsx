import { FileUnknownOutlined } from "@ant-design/icons";
import { Button, Result } from "antd";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { usePageTitle } from "../usePageTitle.ts";

export function NotFoundPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  usePageTitle(t("notFound.title"));
  return (
    <div className="tb-container tb-page">
      <Result
        icon={<FileUnknownOutlined className="tb-empty-icon" aria-hidden />}
        title={<h1 className="tb-page-title">{t("notFound.title")}</h1>}
        subTitle={t("notFound.body")}
        extra={
          <Button type="primary" onClick={() => void navigate("/")}>
            {t("common.backHome")}
          </Button>
        }
      />
    </div>
  );
}
