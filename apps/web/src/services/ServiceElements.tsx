import type { Material, ServiceDetail } from "@tongban/contracts";
import { Card, Descriptions, Flex, Tag } from "antd";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { fieldLabel } from "../applications/FormFields.tsx";

const typeNames: Record<string, string> = { "application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG" };

function MaterialRow({ material }: { material: Material }) {
  const { t } = useTranslation();
  return (
    <li className="tb-guide-material">
      <Flex gap={8} wrap align="baseline">
        <strong>{material.name}</strong>
        <Tag className={`tb-tone tb-tone-${material.required ? "red" : "default"}`}>
          {material.required ? t("guide.materialRequired") : t("guide.materialOptional")}
        </Tag>
      </Flex>
      <div className="tb-muted">
        {material.source === "upload"
          ? t("guide.materialAccept", {
              types: material.accept.map((type) => typeNames[type] ?? type).join(" / "),
              size: material.maxSizeMb,
            })
          : material.source === "data"
            ? t("guide.materialFromData")
            : t("guide.materialFromCertificate")}
      </div>
      {material.copies && <div className="tb-muted">{t("guide.materialCopies", { copies: material.copies })}</div>}
      {material.note && <div className="tb-muted">{material.note}</div>}
    </li>
  );
}

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <Card className="tb-guide-section">
      <section aria-labelledby={id}>
        <h2 id={id} className="tb-card-title">
          {title}
        </h2>
        {children}
      </section>
    </Card>
  );
}

/** The form's fields as a reader sees them: label, required or not, and the help text. */
function FormFieldList({ form }: { form: ServiceDetail["item"]["form"] }) {
  const { t } = useTranslation();
  const required = new Set(form.schema.required ?? []);
  return (
    <ol className="tb-guide-list">
      {form.ui.order.map((name) => {
        const hint = form.ui.fields[name];
        return (
          <li key={name}>
            {fieldLabel(hint, name)}{" "}
            <span className={required.has(name) ? "tb-required-mark" : "tb-muted"}>
              · {required.has(name) ? t("guide.fieldRequired") : t("guide.fieldOptional")}
            </span>{" "}
            <code className="tb-muted">{name}</code>
            {hint?.help && <div className="tb-muted">{hint.help}</div>}
          </li>
        );
      })}
    </ol>
  );
}

/**
 * Every standard element (事项要素) of a service version, in the order of a guide (一次性告知).
 * `prefix` keeps the section ids unique when two versions are on one page; `withForm` adds the
 * form's fields and the data behind each element that only administrators need.
 */
export function ServiceElements({
  detail,
  prefix = "guide",
  withForm = false,
}: {
  detail: Pick<ServiceDetail, "item" | "departmentName" | "version">;
  prefix?: string;
  withForm?: boolean;
}) {
  const { t } = useTranslation();
  const { item: service, departmentName, version } = detail;
  const days = (count: number) => (count === 0 ? t("guide.immediate") : t("guide.workingDays", { count }));

  return (
    <Flex vertical gap={16}>
      <Section id={`${prefix}-basic`} title={t("guide.title")}>
        <Descriptions
          column={{ xs: 1, sm: 1, md: 2 }}
          size="small"
          items={[
            { key: "code", label: t("guide.code"), children: service.code },
            { key: "version", label: t("guide.version"), children: version },
            { key: "type", label: t("guide.type"), children: t(`serviceType.${service.type}`) },
            { key: "department", label: t("guide.department"), children: departmentName },
            {
              key: "kinds",
              label: t("guide.applicantKinds"),
              children: service.applicantKinds.map((kind) => t(`kind.${kind}`)).join("、"),
            },
            {
              key: "jurisdiction",
              label: t("guide.jurisdiction"),
              children: t(`jurisdiction.${service.jurisdiction}`),
            },
            {
              key: "result",
              label: t("guide.result"),
              children: `${service.result.name}${service.result.certificateType ? t("guide.resultCertificate") : ""}`,
            },
            ...(withForm
              ? [
                  {
                    key: "lifeEvents",
                    label: t("services.lifeEventLabel"),
                    children:
                      service.lifeEvents.length > 0
                        ? service.lifeEvents.map((event) => t(`lifeEvent.${event}`)).join("、")
                        : t("common.none"),
                  },
                  {
                    key: "classification",
                    label: t("guide.classification"),
                    children: t(`clearance.${service.classification}`),
                  },
                ]
              : []),
          ]}
        />
      </Section>

      <Section id={`${prefix}-summary`} title={t("guide.summary")}>
        <p style={{ margin: 0 }}>{service.summary}</p>
      </Section>

      <Section id={`${prefix}-basis`} title={t("guide.legalBasis")}>
        <ul className="tb-guide-list">
          {service.legalBasis.map((basis) => (
            <li key={`${basis.title}${basis.article ?? ""}`}>
              {basis.title}
              {basis.article ? ` ${basis.article}` : ""}
            </li>
          ))}
        </ul>
      </Section>

      <Section id={`${prefix}-conditions`} title={t("guide.conditions")}>
        <ol className="tb-guide-list">
          {service.conditions.map((condition) => (
            <li key={condition}>{condition}</li>
          ))}
        </ol>
      </Section>

      <Section id={`${prefix}-materials`} title={t("guide.materials")}>
        {service.materials.some((m) => m.source === "data") && (
          <p className="tb-spared-note">
            {t("exchange.spared.guide", { count: service.materials.filter((m) => m.source === "data").length })}
          </p>
        )}
        <ol className="tb-guide-list tb-guide-materials">
          {service.materials.map((material) => (
            <MaterialRow key={material.code} material={material} />
          ))}
        </ol>
      </Section>

      <Section id={`${prefix}-fees`} title={t("guide.fees")}>
        {service.fees.length === 0 ? (
          <p style={{ margin: 0 }}>{t("guide.free")}</p>
        ) : (
          <ul className="tb-guide-list">
            {service.fees.map((fee) => (
              <li key={fee.name}>
                {t("guide.feeItem", { name: fee.name, amount: fee.amountYuan.toFixed(2), basis: fee.basis })}
              </li>
            ))}
          </ul>
        )}
      </Section>

      <Section id={`${prefix}-limits`} title={t("guide.limits")}>
        <Descriptions
          column={1}
          size="small"
          items={[
            { key: "statutory", label: t("guide.statutoryLimit"), children: days(service.statutoryLimitDays) },
            { key: "committed", label: t("guide.committedLimit"), children: days(service.committedLimitDays) },
            {
              key: "visits",
              label: t("guide.visits"),
              children:
                service.visitsRequired === 0
                  ? t("guide.visitsZero")
                  : t("guide.visitsValue", { count: service.visitsRequired }),
            },
            { key: "place", label: t("guide.place"), children: service.handlingPlace },
            {
              key: "modes",
              label: t("guide.modes"),
              children: service.handlingModes.map((mode) => t(`handlingMode.${mode}`)).join("、"),
            },
            {
              key: "channels",
              label: t("guide.channels"),
              children: service.channels.map((channel) => t(`channel.${channel}`)).join("、"),
            },
          ]}
        />
      </Section>

      <Section id={`${prefix}-workflow`} title={t("guide.workflow")}>
        <ol className="tb-guide-list">
          {service.workflow.steps.map((step) => (
            <li key={step.key}>
              {step.name} <span className="tb-muted">· {t(`role.${step.role}`)}</span>
            </li>
          ))}
        </ol>
      </Section>

      {withForm && (
        <Section id={`${prefix}-form`} title={t("guide.formFields")}>
          <FormFieldList form={service.form} />
        </Section>
      )}
    </Flex>
  );
}
