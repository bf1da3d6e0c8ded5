import { useQuery } from "@tanstack/react-query";
import type { Application } from "@tongban/contracts";
import { Card } from "antd";
import { useTranslation } from "react-i18next";
import { federatedCaseQuery } from "../api/federation.ts";
import { Details, JointSteps, ReceptionCard } from "./FederatedCasePage.tsx";

/**
 * On a staff member's case page: where a case handed over from another node came from — the origin,
 * the window's record (异地代收) or the joint case it is a step of (多地联办). Nothing for a local case.
 */
export function CrossProvinceCard({ application }: { application: Application }) {
  const { t } = useTranslation();
  const submitted = application.actions.find((a) => a.type === "submit")?.payload ?? {};
  if (!submitted.handedOver) return null;
  const joint = submitted.joint as { caseId?: string } | undefined;
  return <Linked id={joint?.caseId ?? application.id} title={t("federation.tag")} />;
}

function Linked({ id, title }: { id: string; title: string }) {
  const query = useQuery({ ...federatedCaseQuery(id), retry: false });
  if (!query.data) return null;
  return (
    <>
      <Card>
        <section aria-labelledby="cross-province-title">
          <h2 id="cross-province-title" className="tb-card-title">
            {title}
          </h2>
          <Details value={query.data} />
        </section>
      </Card>
      <JointSteps value={query.data} />
      <ReceptionCard value={query.data} />
    </>
  );
}
