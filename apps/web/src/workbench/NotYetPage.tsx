import { AlertOutlined, AuditOutlined, InboxOutlined, ShareAltOutlined } from "@ant-design/icons";
import { Card, Empty, Tag } from "antd";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { useSession } from "../api/session.ts";
import { usePageTitle } from "../usePageTitle.ts";
import type { Feature } from "./entries.tsx";

const icons: Record<Feature, ReactNode> = {
  queue: <InboxOutlined />,
  supervision: <AuditOutlined />,
  security: <AlertOutlined />,
  dataSharing: <ShareAltOutlined />,
};

/**
 * A workbench capability that a later issue builds. The page names it and says what will appear,
 * and shows nothing invented in the meantime.
 */
export default function NotYetPage({ feature }: { feature: Feature }) {
  const { t } = useTranslation();
  const { user } = useSession();
  const title = t(`workbench.${feature}`);
  usePageTitle(title);
  const body =
    feature === "queue"
      ? t("workbench.queueBody", { department: user?.departmentName ?? "" })
      : t(`workbench.${feature}Body`);
  return (
    <>
      <h1 className="tb-page-title">
        {title} <Tag className="tb-role-tag">{t("workbench.notYet")}</Tag>
      </h1>
      <Card style={{ marginTop: 12 }}>
        <Empty
          image={
            <span className="tb-empty-icon" aria-hidden>
              {icons[feature]}
            </span>
          }
          description={<span className="tb-muted">{body}</span>}
        />
      </Card>
    </>
  );
}
