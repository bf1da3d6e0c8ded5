import { Alert, Flex } from "antd";
import type { ReactNode } from "react";

/** Page title, lead, a primary action, and the alert of the last failed action (announced by role=alert). */
export function AdminHeader({
  title,
  lead,
  action,
  alert,
  onCloseAlert,
}: {
  title: string;
  lead: string;
  action?: ReactNode;
  alert: { title?: string; text: string } | null;
  onCloseAlert: () => void;
}) {
  return (
    <>
      <Flex justify="space-between" align="flex-start" gap={12} wrap>
        <div style={{ flex: "1 1 300px" }}>
          <h1 className="tb-page-title">{title}</h1>
          <p className="tb-muted">{lead}</p>
        </div>
        {action}
      </Flex>
      {alert && (
        <Alert
          type="error"
          showIcon
          title={alert.title ?? alert.text}
          description={alert.title ? alert.text : undefined}
          closable={{ onClose: onCloseAlert }}
          style={{ marginBottom: 16 }}
          data-testid="admin-alert"
        />
      )}
    </>
  );
}
