import type { FeeLine } from "@tongban/contracts";
import { useTranslation } from "react-i18next";
import { yuan } from "./api.ts";

/** The fee's lines as a table: item, basis, quantity, amount, and the total. */
export function FeeLines({ lines, caption }: { lines: FeeLine[]; caption: string }) {
  const { t } = useTranslation();
  const total = lines.reduce((sum, line) => sum + line.amountFen, 0);
  return (
    <div className="tb-table-scroll">
      <table className="tb-fee-table">
        <caption className="tb-visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t("payments.fee.lines")}</th>
            <th scope="col">{t("payments.fee.quantity")}</th>
            <th scope="col">{t("payments.fee.amount")}</th>
          </tr>
        </thead>
        <tbody>
          {lines.map((line) => (
            <tr key={`${line.name}-${line.amountFen}`}>
              <td>
                {line.name}
                {line.basis && <div className="tb-muted tb-small">{line.basis}</div>}
              </td>
              <td>{line.quantity}</td>
              <td>{yuan(line.amountFen)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colSpan={2}>
              {t("payments.invoice.total")}
            </th>
            <td>
              <strong>{yuan(total)}</strong>
            </td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
