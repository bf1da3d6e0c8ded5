import { BankOutlined, ClockCircleOutlined, EnvironmentOutlined, SafetyCertificateOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { type Department, LifeEvent } from "@tongban/contracts";
import { Alert, Button, Card, Col, Descriptions, Empty, Flex, Row, Skeleton } from "antd";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { departmentsQuery } from "../api/public.ts";
import { homeOf, useSession } from "../api/session.ts";
import { errorMessage } from "../forms/errors.ts";
import { currentLanguage } from "../i18n/index.ts";
import { useRegion } from "../region.tsx";
import { usePageTitle } from "../usePageTitle.ts";

function DepartmentCard({ department }: { department: Department }) {
  const english = currentLanguage() === "en";
  const title = english && department.nameEn ? department.nameEn : department.name;
  const subtitle = english && department.nameEn ? department.name : null;
  return (
    <Card className="tb-dept-card" size="small">
      <Flex gap={12} align="center">
        <span className="tb-dept-icon" aria-hidden>
          <BankOutlined />
        </span>
        <div>
          <h3 className="tb-card-heading">{title}</h3>
          {subtitle && (
            <div className="tb-muted" lang="zh-Hans">
              {subtitle}
            </div>
          )}
        </div>
      </Flex>
    </Card>
  );
}

function Departments({ regionCode, regionName }: { regionCode: string; regionName: string }) {
  const { t } = useTranslation();
  const query = useQuery(departmentsQuery(regionCode));
  return (
    <section className="tb-section" aria-labelledby="departments-title">
      <h2 id="departments-title" className="tb-section-title">
        {t("home.departmentsTitle")}
      </h2>
      <p className="tb-section-lead">{t("home.departmentsLead", { region: regionName })}</p>
      {query.isPending ? (
        <Skeleton active />
      ) : query.isError ? (
        <Alert
          type="error"
          showIcon
          title={t("error.loadFailed")}
          description={errorMessage(t, query.error)}
          action={<Button onClick={() => void query.refetch()}>{t("common.retry")}</Button>}
        />
      ) : query.data.length === 0 ? (
        <Card>
          <Empty description={t("home.departmentsEmpty")} />
        </Card>
      ) : (
        <Row gutter={[16, 16]}>
          {query.data.map((department) => (
            <Col key={department.id} xs={24} sm={12} lg={8}>
              <DepartmentCard department={department} />
            </Col>
          ))}
        </Row>
      )}
    </section>
  );
}

function LifeEvents() {
  const { t } = useTranslation();
  return (
    <section className="tb-section" aria-labelledby="life-events-title">
      <h2 id="life-events-title" className="tb-section-title">
        {t("services.lifeEventsTitle")}
      </h2>
      <p className="tb-section-lead">{t("services.lifeEventsLead")}</p>
      <ul className="tb-plain-grid">
        {LifeEvent.options.map((event) => (
          <li key={event}>
            <Link to={`/services?lifeEvent=${event}`} className="tb-life-tile">
              {t(`lifeEvent.${event}`)}
            </Link>
          </li>
        ))}
      </ul>
      <p>
        <Link to="/services">{t("services.browseAll")}</Link>
      </p>
    </section>
  );
}

export function HomePage() {
  const { t } = useTranslation();
  const { user } = useSession();
  const { region, regions, setRegion, pending, error } = useRegion();
  const departments = useQuery({ ...departmentsQuery(region?.code ?? ""), enabled: Boolean(region) });
  usePageTitle(region ? t("home.heroTitle", { region: region.name }) : t("home.title"));

  if (pending) {
    return (
      <div className="tb-container tb-page">
        <Skeleton active paragraph={{ rows: 6 }} />
      </div>
    );
  }
  if (!region) {
    return (
      <div className="tb-container tb-page">
        <Alert type="error" showIcon title={t("error.loadFailed")} description={errorMessage(t, error)} />
      </div>
    );
  }

  const steps = [
    { title: t("home.step1Title"), body: t("home.step1Body") },
    { title: t("home.step2Title"), body: t("home.step2Body") },
    { title: t("home.step3Title"), body: t("home.step3Body") },
  ];

  return (
    <>
      <section className="tb-hero" aria-labelledby="hero-title">
        <div className="tb-container">
          <span className="tb-hero-path">
            <EnvironmentOutlined aria-hidden /> {region.path.join(" · ")}
          </span>
          <h1 id="hero-title">{t("home.heroTitle", { region: region.name })}</h1>
          <p>{t("home.heroLead")}</p>
          <Flex gap={12} wrap>
            {user ? (
              <Link to={homeOf(user)} className="tb-hbtn tb-hbtn-solid tb-hbtn-lg">
                {user.kind === "staff" ? t("home.workbenchCta") : t("home.meCta")}
              </Link>
            ) : (
              <>
                <Link to="/register" className="tb-hbtn tb-hbtn-solid tb-hbtn-lg">
                  {t("home.registerCta")}
                </Link>
                <Link to="/login" className="tb-hbtn tb-hbtn-outline tb-hbtn-lg">
                  {t("home.loginCta")}
                </Link>
              </>
            )}
          </Flex>
        </div>
      </section>
      <div className="tb-container tb-lift">
        <Row gutter={[16, 16]}>
          <Col xs={24} md={8}>
            <Card className="tb-fill">
              <h2 className="tb-card-title">
                <ClockCircleOutlined aria-hidden /> {t("home.alwaysOnTitle")}
              </h2>
              <p>
                <span className="tb-badge-247">7×24</span>
              </p>
              <p className="tb-muted">{t("home.alwaysOnBody")}</p>
            </Card>
          </Col>
          <Col xs={24} md={8}>
            <Card className="tb-fill">
              <h2 className="tb-card-title">
                <EnvironmentOutlined aria-hidden /> {t("home.regionInfoTitle")}
              </h2>
              <Descriptions
                column={1}
                size="small"
                items={[
                  { key: "code", label: t("home.regionCode"), children: region.code },
                  { key: "path", label: t("home.regionPath"), children: region.path.join(" · ") },
                  {
                    key: "departments",
                    label: t("home.departmentCount"),
                    children: departments.data
                      ? t("home.departmentCountValue", { count: departments.data.length })
                      : "…",
                  },
                ]}
              />
            </Card>
          </Col>
          <Col xs={24} md={8}>
            <Card className="tb-fill">
              <h2 className="tb-card-title">
                <SafetyCertificateOutlined aria-hidden /> {t("home.regionsTitle")}
              </h2>
              <Flex vertical gap={8}>
                {regions.map((r) =>
                  r.code === region.code ? (
                    <Flex
                      key={r.code}
                      justify="space-between"
                      align="center"
                      className="tb-region-row tb-region-current"
                    >
                      <span>{r.name}</span>
                      <span className="tb-muted">{t("home.currentRegion")}</span>
                    </Flex>
                  ) : (
                    <Flex key={r.code} justify="space-between" align="center" className="tb-region-row">
                      <span>{r.name}</span>
                      <Button size="small" onClick={() => setRegion(r.code)}>
                        {t("home.viewRegion", { region: r.name })}
                      </Button>
                    </Flex>
                  ),
                )}
              </Flex>
            </Card>
          </Col>
        </Row>

        <LifeEvents />

        <Departments regionCode={region.code} regionName={region.name} />

        <section className="tb-section" aria-labelledby="how-title">
          <h2 id="how-title" className="tb-section-title">
            {t("home.howTitle")}
          </h2>
          <Row gutter={[16, 16]} style={{ marginTop: 14 }}>
            {steps.map((step, index) => (
              <Col key={step.title} xs={24} md={8}>
                <Card className="tb-fill">
                  <Flex gap={12} align="flex-start">
                    <span className="tb-step-number" aria-hidden>
                      {index + 1}
                    </span>
                    <div>
                      <h3 className="tb-card-heading">{step.title}</h3>
                      <p className="tb-muted" style={{ margin: 0 }}>
                        {step.body}
                      </p>
                    </div>
                  </Flex>
                </Card>
              </Col>
            ))}
          </Row>
        </section>
      </div>
    </>
  );
}
