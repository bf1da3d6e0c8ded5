import { Card, Col, Descriptions, Flex, Row } from "antd";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useSession } from "../api/session.ts";
import { usePageTitle } from "../usePageTitle.ts";
import { entriesFor } from "./entries.tsx";
import { ClearanceTag, RoleTags } from "./StaffTags.tsx";

export default function WorkbenchHome() {
  const { t } = useTranslation();
  const { user } = useSession();
  usePageTitle(t("workbench.title"));
  if (!user) return null;
  const entries = entriesFor(user, t).filter((entry) => entry.key !== "overview");

  const describe = (key: string): string => {
    switch (key) {
      case "queue":
        return t("workbench.queueBody", { department: user.departmentName ?? "" });
      case "supervision":
        return t("workbench.supervisionBody");
      case "security":
        return t("workbench.securityBody");
      case "dataSharing":
        return t("workbench.dataSharingBody");
      case "enquiries":
        return t("enquiries.workbenchBody");
      case "remote":
        return t("federation.remote.workbenchBody");
      case "departments":
        return t("workbench.departmentsBody");
      case "services":
        return t("workbench.servicesBody");
      case "messages":
        return t("workbench.messagesBody");
      default:
        return t("workbench.staffBody");
    }
  };

  return (
    <>
      <h1 className="tb-page-title">{t("workbench.title")}</h1>
      <p className="tb-muted">{t("header.hello", { name: user.name })}</p>
      <Card>
        <h2 className="tb-card-title">{t("workbench.profile")}</h2>
        <Descriptions
          size="small"
          column={{ xs: 1, sm: 1, md: 2 }}
          items={[
            { key: "name", label: t("field.name"), children: user.name },
            { key: "username", label: t("workbench.username"), children: user.username },
            { key: "department", label: t("workbench.department"), children: user.departmentName ?? "—" },
            { key: "region", label: t("workbench.region"), children: user.regionName ?? "—" },
            { key: "roles", label: t("workbench.roles"), children: <RoleTags roles={user.roles} /> },
            { key: "clearance", label: t("workbench.clearance"), children: <ClearanceTag value={user.clearance} /> },
          ]}
        />
      </Card>
      <section className="tb-section" aria-labelledby="entries-title">
        <h2 id="entries-title" className="tb-section-title">
          {t("workbench.entries")}
        </h2>
        <Row gutter={[16, 16]} style={{ marginTop: 14 }}>
          {entries.map((entry) => (
            <Col key={entry.key} xs={24} md={12}>
              <Card className="tb-fill" size="small">
                <Flex vertical gap={8}>
                  <Flex justify="space-between" align="center" gap={8}>
                    <h3 className="tb-card-heading">
                      <span aria-hidden className="tb-entry-icon">
                        {entry.icon}
                      </span>{" "}
                      {entry.label}
                    </h3>
                  </Flex>
                  <p className="tb-muted" style={{ margin: 0 }}>
                    {describe(entry.key)}
                  </p>
                  <Link to={entry.to} aria-label={`${t("workbench.open")} ${entry.label}`}>
                    {t("workbench.open")} →
                  </Link>
                </Flex>
              </Card>
            </Col>
          ))}
        </Row>
      </section>
    </>
  );
}
