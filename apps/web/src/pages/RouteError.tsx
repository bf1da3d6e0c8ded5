import { Button, Result, Space } from "antd";
import { useEffect } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate, useRouteError } from "react-router";

/** Vite's message when a lazily loaded page's file is gone, typically after a new release. */
function isStaleChunk(error: unknown): boolean {
  return error instanceof Error && /dynamically imported module|Importing a module script failed/i.test(error.message);
}

/**
 * Shown in place of a page that failed to render or to load, inside the normal header and footer,
 * so the visitor can still navigate; the details go to the console for whoever debugs it.
 */
export function RouteError() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const error = useRouteError();
  useEffect(() => console.error(error), [error]);
  const stale = isStaleChunk(error);
  return (
    <div className="tb-container tb-page">
      <Result
        status={stale ? "info" : "error"}
        title={<h1 className="tb-page-title">{stale ? t("routeError.staleTitle") : t("routeError.title")}</h1>}
        subTitle={<span role="alert">{stale ? t("routeError.staleBody") : t("routeError.body")}</span>}
        extra={
          <Space wrap>
            <Button type="primary" onClick={() => window.location.reload()}>
              {t("routeError.reload")}
            </Button>
            <Button onClick={() => void navigate("/")}>{t("common.backHome")}</Button>
          </Space>
        }
      />
    </div>
  );
}
