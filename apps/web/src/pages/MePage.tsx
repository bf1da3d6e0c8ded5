import { FileSearchOutlined, LogoutOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { Alert, Button, Card, Col, Descriptions, Empty, Row, Skeleton } from "antd";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { applicationsQuery } from "../api/applications.ts";
import { useSession } from "../api/session.ts";
import { StatusTag } from "../applications/CaseView.tsx";
import { MyFederatedCases } from "../federation/MyFederatedCases.tsx";
import { formatDateTime, maskPhone } from "../format.ts";
import { errorMessage } from "../forms/errors.ts";
import { currentLanguage } from "../i18n/index.ts";
import { useSignOut } from "../layout/useSignOut.ts";
import { usePageTitle } from "../usePageTitle.ts";

function MyApplications() {
  const { t } = useTranslation();
  const query = useQuery(applicationsQuery());
  const language = currentLanguage();
  if (query.isPending) return <Skeleton active />;
  if (query.isError)
    return (
      <Alert
        type="error"
        showIcon
        title={t("error.loadFailed")}
        description={errorMessage(t, query.error)}
        action={<Button onClick={() => void query.refetch()}>{t("common.retry")}</Button>}
      />
    );
  if (query.data.length === 0)
    return (
      <Empty
        image={<FileSearchOutlined className="tb-empty-icon" aria-hidden />}
        description={
          <>
            <strong>{t("me.applicationsEmpty")}</strong>
            <br />
            <span className="tb-muted">{t("me.applicationsEmptyBody")}</span>
            <br />
            <Link to="/services">{t("services.browseAll")}</Link>
          </>
        }
      />
    );
  return (
    <ul className="tb-case-list">
      {query.data.map((application) => (
        <li key={application.id}>
          <Link to={`/applications/${encodeURIComponent(application.id)}`}>
            <strong>{application.serviceName}</strong>
          </Link>{" "}
          <StatusTag status={application.status} />
          <div className="tb-muted">
            {application.number} · {application.departmentName} ·{" "}
            {t("application.updatedAt", { time: formatDateTime(application.updatedAt, language) })}
          </div>
        </li>
      ))}
    </ul>
  );
}

export default function MePage() {
  const { t } = useTranslation();
  const { user } = useSession();
  const { signOut, pending } = useSignOut();
  usePageTitle(t("me.title"));
  if (!user) return null;
  const resident = user.kind === "resident";

  return (
    <div className="tb-container tb-page">
      <h1 className="tb-page-title">{t("me.title")}</h1>
      <p className="tb-muted">{t("header.hello", { name: user.name })}</p>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={10}>
          <Card className="tb-fill">
            <h2 className="tb-card-title">{t("me.profile")}</h2>
            <Descriptions
              column={1}
              size="small"
              items={[
                {
                  key: "name",
                  label: resident ? t("field.name") : t("field.enterpriseName"),
                  children: user.name,
                },
                { key: "kind", label: t("me.kind"), children: t(`kind.${user.kind}`) },
                {
                  key: "identifier",
                  label: resident ? t("me.idNumber") : t("me.creditCode"),
                  children: <span className="tb-secret">{user.maskedIdentifier ?? t("common.none")}</span>,
                },
                {
                  key: "phone",
                  label: t("me.phone"),
                  children: user.phone ? maskPhone(user.phone) : t("common.none"),
                },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} lg={14}>
          <Card className="tb-fill">
            <h2 className="tb-card-title">{t("me.applications")}</h2>
            <MyApplications />
          </Card>
        </Col>
        <MyFederatedCases />
        <Col xs={24}>
          <Card>
            <h2 className="tb-card-title">{t("certificates.mine.title")}</h2>
            <p className="tb-muted">{t("certificates.mine.lead")}</p>
            <Link to="/me/certificates">{t("certificates.mine.link")}</Link>
          </Card>
        </Col>
        <Col xs={24}>
          <Card>
            <h2 className="tb-card-title">{t("payments.mine.title")}</h2>
            <p className="tb-muted">{t("payments.mine.lead")}</p>
            <Link to="/me/payments">{t("payments.fee.myPayments")}</Link>
          </Card>
        </Col>
        <Col xs={24}>
          <Card>
            <h2 className="tb-card-title">{t("enquiries.title")}</h2>
            <p className="tb-muted">{t("enquiries.meCard")}</p>
            <Link to="/me/enquiries">{t("enquiries.meLink")}</Link>
          </Card>
        </Col>
        <Col xs={24}>
          <Card>
            <h2 className="tb-card-title">{t("exchange.whoRead.title")}</h2>
            <p className="tb-muted">{t("exchange.whoRead.lead")}</p>
            <Link to="/me/data-access">{t("exchange.whoRead.link")}</Link>
          </Card>
        </Col>
        <Col xs={24}>
          <Card>
            <h2 className="tb-card-title">{t("me.security")}</h2>
            <p className="tb-muted">{t("me.securityBody")}</p>
            <Button icon={<LogoutOutlined />} onClick={signOut} loading={pending}>
              {t("common.logout")}
            </Button>
          </Card>
        </Col>
      </Row>
    </div>
  );
}
