import { PlusOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { Flex } from "antd";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { QueryState } from "../layout/QueryState.tsx";
import { usePageTitle } from "../usePageTitle.ts";
import { enquiriesQuery } from "./api.ts";
import { EnquiryList } from "./EnquiryList.tsx";

/** 我的咨询: the resident's questions to departments and their answers. */
export default function MyEnquiriesPage() {
  const { t } = useTranslation();
  usePageTitle(t("enquiries.title"));
  const query = useQuery(enquiriesQuery());
  return (
    <div className="tb-container tb-page">
      <Flex justify="space-between" align="center" wrap gap={12}>
        <h1 className="tb-page-title">{t("enquiries.title")}</h1>
        <Link to="/me/enquiries/new" className="tb-hbtn tb-hbtn-solid">
          <PlusOutlined aria-hidden /> {t("enquiries.ask")}
        </Link>
      </Flex>
      <p className="tb-muted">{t("enquiries.lead")}</p>
      <QueryState query={query} emptyInCard empty={t("enquiries.empty")}>
        {(items) => <EnquiryList items={items} linkTo="/me/enquiries" />}
      </QueryState>
    </div>
  );
}
