import { SafetyCertificateOutlined } from "@ant-design/icons";
import { useQueryClient } from "@tanstack/react-query";
import type { ApplicationAction } from "@tongban/contracts";
import { Button, Typography } from "antd";
import { useCallback, useEffect, useId, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { applicationQuery } from "../api/applications.ts";
import { formatDateTime } from "../format.ts";
import { currentLanguage } from "../i18n/index.ts";
import { cliCommand, type StepProof, verifyStep } from "./verify.ts";

type State = { phase: "idle" } | { phase: "checking" } | { phase: "done"; result: StepProof };

const tones = {
  good: { borderColor: "#237804", background: "#f6ffed" },
  bad: { borderColor: "#a8071a", background: "#fff1f0" },
  wait: { borderColor: "#ad6800", background: "#fffbe6" },
} as const;

/**
 * One timeline step's place in the ledger: its index and a "verify" button that proves, in this
 * browser, that the step is in the node's signed ledger — and says in plain words what was proven.
 */
export function LedgerProof({
  applicationId,
  action,
  stepName,
}: {
  applicationId: string;
  action: ApplicationAction;
  stepName: string;
}) {
  const { t } = useTranslation();
  const language = currentLanguage();
  const queryClient = useQueryClient();
  const [state, setState] = useState<State>({ phase: "idle" });
  // Asked to verify before the step had its index: verify as soon as the refreshed case brings it.
  const [awaitingIndex, setAwaitingIndex] = useState(false);
  const regionId = useId();
  const latest = useRef(0);

  const run = useCallback(
    async (index: number) => {
      const attempt = ++latest.current;
      setState({ phase: "checking" });
      const result = await verifyStep({ applicationId, type: action.type, at: action.at, index });
      if (attempt === latest.current) setState({ phase: "done", result });
    },
    [applicationId, action.type, action.at],
  );

  useEffect(() => {
    if (awaitingIndex && action.ledgerIndex !== null) {
      setAwaitingIndex(false);
      void run(action.ledgerIndex);
    }
  }, [awaitingIndex, action.ledgerIndex, run]);

  const verify = () => {
    if (action.ledgerIndex === null) {
      setState({ phase: "done", result: { status: "pending" } });
      setAwaitingIndex(true);
      void queryClient.invalidateQueries({ queryKey: applicationQuery(applicationId).queryKey });
      return;
    }
    void run(action.ledgerIndex);
  };

  const base = window.location.origin;
  const result = state.phase === "done" ? state.result : undefined;
  const index = action.ledgerIndex;

  return (
    <div className="tb-ledger-proof" style={{ marginTop: 4 }}>
      <span className="tb-muted">{index === null ? t("ledger.unsealedTag") : t("ledger.index", { index })}</span>{" "}
      <Button
        size="small"
        icon={<SafetyCertificateOutlined aria-hidden />}
        onClick={verify}
        loading={state.phase === "checking"}
        aria-label={t("ledger.verifyLabel", { step: stepName })}
        aria-controls={regionId}
      >
        {t("ledger.verify")}
      </Button>
      <div id={regionId} role="status" aria-live="polite" aria-atomic="true">
        {state.phase === "checking" && <p className="tb-muted">{t("ledger.checking")}</p>}
        {result?.status === "pending" && (
          <div style={{ ...box, ...tones.wait }}>
            <p style={para}>{t("ledger.pending")}</p>
            <Button size="small" onClick={verify}>
              {t("ledger.retry")}
            </Button>
          </div>
        )}
        {result?.status === "unavailable" && (
          <div style={{ ...box, ...tones.wait }}>
            <p style={para}>{t("ledger.unavailable")}</p>
            <Button size="small" onClick={verify}>
              {t("ledger.retry")}
            </Button>
          </div>
        )}
        {result?.status === "failed" && (
          <div style={{ ...box, ...tones.bad }} data-testid="ledger-failed">
            <p style={{ ...para, fontWeight: 600 }}>{t(`ledger.failed.${result.reason}`, { index })}</p>
            <p style={para} className="tb-muted">
              {t("ledger.problem", { detail: result.detail })}
            </p>
          </div>
        )}
        {result?.status === "verified" && (
          <div style={{ ...box, ...tones.good }} data-testid="ledger-verified">
            <p style={{ ...para, fontWeight: 600 }}>
              {t("ledger.verified", { index: result.index, origin: result.origin, size: result.treeSize })}
            </p>
            <p style={para}>
              {t("ledger.verifiedAt", { time: formatDateTime(result.checkedAt.toISOString(), language) })}
            </p>
            <details>
              <summary>{t("ledger.details")}</summary>
              <dl style={{ margin: "8px 0", wordBreak: "break-all" }}>
                <dt>{t("ledger.origin")}</dt>
                <dd>{result.origin}</dd>
                <dt>{t("ledger.treeSize")}</dt>
                <dd>{result.treeSize}</dd>
                <dt>{t("ledger.rootHash")}</dt>
                <dd>
                  <code>{result.rootHash}</code>
                </dd>
                <dt>{t("ledger.leafHash")}</dt>
                <dd>
                  <code>{result.leafHash}</code>
                </dd>
                <dt>{t("ledger.key")}</dt>
                <dd>
                  <code>{result.verifierKey}</code>
                </dd>
                <dt>{t("ledger.entry")}</dt>
                <dd>
                  <code>{result.entry}</code>
                </dd>
              </dl>
              <p style={para}>{t("ledger.keyAdvice")}</p>
              {result.otherSignatures.length > 0 && <p style={para}>{t("ledger.sm2", { base })}</p>}
              <p style={para}>{t("ledger.cli")}</p>
              <Typography.Paragraph copyable={{ text: cliCommand(base, result) }} style={{ wordBreak: "break-all" }}>
                <code>{cliCommand(base, result)}</code>
              </Typography.Paragraph>
            </details>
          </div>
        )}
      </div>
    </div>
  );
}

const box = { border: "1px solid", borderRadius: 6, padding: "8px 12px", marginTop: 8 } as const;
const para = { margin: "0 0 6px" } as const;
