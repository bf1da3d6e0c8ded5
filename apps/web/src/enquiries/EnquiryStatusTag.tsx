import type { EnquiryStatus } from "@tongban/contracts";
import { Tag } from "antd";
import { useTranslation } from "react-i18next";

const tone: Record<EnquiryStatus, string> = { open: "orange", answered: "green", closed: "gray" };

/** An enquiry's status in words (never by colour alone). */
export function EnquiryStatusTag({ status }: { status: EnquiryStatus }) {
  const { t } = useTranslation();
  return <Tag className={`tb-tone tb-tone-${tone[status]}`}>{t(`enquiries.status.${status}`)}</Tag>;
}
