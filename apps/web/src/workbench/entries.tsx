import {
  AccountBookOutlined,
  AlertOutlined,
  ApartmentOutlined,
  AuditOutlined,
  DashboardOutlined,
  GlobalOutlined,
  InboxOutlined,
  MailOutlined,
  ProfileOutlined,
  QuestionCircleOutlined,
  ShareAltOutlined,
  TeamOutlined,
} from "@ant-design/icons";
import type { CurrentUser, StaffRole } from "@tongban/contracts";
import type { TFunction } from "i18next";
import type { ReactNode } from "react";

export interface Entry {
  key: string;
  to: string;
  label: string;
  icon: ReactNode;
  /** Roles that open this entry; the menu shows it to staff holding any of them. */
  roles: StaffRole[] | "all";
  group?: "admin";
}

export function workbenchEntries(t: TFunction): Entry[] {
  return [
    { key: "overview", to: "/workbench", label: t("workbench.overview"), icon: <DashboardOutlined />, roles: "all" },
    {
      key: "queue",
      to: "/workbench/queue",
      label: t("workbench.queue"),
      icon: <InboxOutlined />,
      roles: ["window", "handling"],
    },
    {
      key: "remote",
      to: "/workbench/remote",
      label: t("federation.remote.title"),
      icon: <GlobalOutlined />,
      roles: ["window"],
    },
    {
      key: "enquiries",
      to: "/workbench/enquiries",
      label: t("enquiries.queueTitle"),
      icon: <QuestionCircleOutlined />,
      roles: ["window", "handling", "supervisor"],
    },
    {
      key: "supervision",
      to: "/workbench/supervision",
      label: t("workbench.supervision"),
      icon: <AuditOutlined />,
      roles: ["supervisor"],
    },
    {
      key: "security",
      to: "/workbench/security",
      label: t("workbench.security"),
      icon: <AlertOutlined />,
      roles: ["security_officer"],
    },
    {
      key: "dataSharing",
      to: "/workbench/data-sharing",
      label: t("workbench.dataSharing"),
      icon: <ShareAltOutlined />,
      roles: ["data_steward"],
    },
    {
      key: "departments",
      to: "/admin/departments",
      label: t("workbench.departments"),
      icon: <ApartmentOutlined />,
      roles: ["admin"],
      group: "admin",
    },
    {
      key: "staff",
      to: "/admin/staff",
      label: t("workbench.staff"),
      icon: <TeamOutlined />,
      roles: ["admin"],
      group: "admin",
    },
    {
      key: "services",
      to: "/admin/services",
      label: t("workbench.services"),
      icon: <ProfileOutlined />,
      roles: ["admin"],
      group: "admin",
    },
    {
      key: "reconciliation",
      to: "/admin/reconciliation",
      label: t("payments.reconciliation.title"),
      icon: <AccountBookOutlined />,
      roles: ["admin"],
      group: "admin",
    },
    {
      key: "messages",
      to: "/admin/messages",
      label: t("workbench.messages"),
      icon: <MailOutlined />,
      roles: ["admin"],
      group: "admin",
    },
  ];
}

export function entriesFor(user: CurrentUser, t: TFunction): Entry[] {
  return workbenchEntries(t).filter(
    (entry) => entry.roles === "all" || entry.roles.some((role) => user.roles.includes(role)),
  );
}
