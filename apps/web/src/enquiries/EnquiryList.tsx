import type { EnquiryListItem } from "@tongban/contracts";
import { Card, Flex } from "antd";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { formatDateTime } from "../format.ts";
import { currentLanguage } from "../i18n/index.ts";
import { EnquiryStatusTag } from "./EnquiryStatusTag.tsx";

/** Enquiries as cards: subject (a link to the thread), status, department or asker, first contact. */
export function EnquiryList({ items, linkTo, staff }: { items: EnquiryListItem[]; linkTo: string; staff?: boolean }) {
  const { t } = useTranslation();
  const language = currentLanguage();
  return (
    <ul className="tb-service-list">
      {items.map((enquiry) => (
        <li key={enquiry.id} data-testid="enquiry">
          <Card size="small">
            <h2 className="tb-card-heading">
              <Link to={`${linkTo}/${encodeURIComponent(enquiry.id)}`}>{enquiry.subject}</Link>
            </h2>
            <Flex gap={8} wrap align="center">
              <EnquiryStatusTag status={enquiry.status} />
              <span className="tb-muted">{enquiry.number}</span>
            </Flex>
            <div>
              {staff ? `${t("enquiries.askerName")}：${enquiry.askerName}` : enquiry.departmentName}
              {enquiry.serviceName ? ` · ${enquiry.serviceName}` : ""}
            </div>
            <div className="tb-muted">
              {t("enquiries.firstContact")}：{enquiry.firstContactName ?? t("enquiries.firstContactNone")} ·{" "}
              <time dateTime={enquiry.updatedAt}>{formatDateTime(enquiry.updatedAt, language)}</time>
            </div>
          </Card>
        </li>
      ))}
    </ul>
  );
}
