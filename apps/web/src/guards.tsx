import type { StaffRole } from "@tongban/contracts";
import { Button, Result } from "antd";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Navigate, useLocation, useSearchParams } from "react-router";
import { homeOf, useSession } from "./api/session.ts";
import { errorMessage } from "./forms/errors.ts";
import { PageLoading } from "./layout/AppShell.tsx";

function SessionError({ error, retry }: { error: unknown; retry: () => void }) {
  const { t } = useTranslation();
  return (
    <Result
      status="warning"
      title={t("error.loadFailed")}
      subTitle={<span role="alert">{errorMessage(t, error)}</span>}
      extra={<Button onClick={retry}>{t("common.retry")}</Button>}
    />
  );
}

function useLoginRedirect(): string {
  const location = useLocation();
  return `/login?next=${encodeURIComponent(location.pathname + location.search)}`;
}

/** Only a path on this site: an open redirect would let a phishing link borrow our login page. */
export function safeNext(value: string | null): string | null {
  if (!value?.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return null;
  return value;
}

/** Residents and enterprises; staff are sent to their workbench, visitors to log in. */
export function RequireCitizen({ children }: { children: ReactNode }) {
  const session = useSession();
  const login = useLoginRedirect();
  if (session.pending) return <PageLoading />;
  if (session.error) return <SessionError error={session.error} retry={session.refetch} />;
  if (!session.user) return <Navigate to={login} replace />;
  if (session.user.kind === "staff") return <Navigate to="/workbench" replace />;
  return children;
}

/** Staff only; residents are sent to their own page, visitors to log in. */
export function RequireStaff({ children }: { children: ReactNode }) {
  const session = useSession();
  const login = useLoginRedirect();
  if (session.pending) return <PageLoading />;
  if (session.error) return <SessionError error={session.error} retry={session.refetch} />;
  if (!session.user) return <Navigate to={login} replace />;
  if (session.user.kind !== "staff") return <Navigate to="/me" replace />;
  return children;
}

/** Inside the workbench: a page for some roles only explains itself to everyone else. */
export function RequireRole({ roles, children }: { roles: StaffRole[]; children: ReactNode }) {
  const { t } = useTranslation();
  const { user } = useSession();
  if (!user?.roles.some((role) => roles.includes(role))) {
    return <Result status="403" title={t("workbench.forbiddenTitle")} subTitle={t("workbench.forbiddenBody")} />;
  }
  return children;
}

/** Login and registration: someone already logged in goes on to where they were headed. */
export function GuestOnly({ children }: { children: ReactNode }) {
  const session = useSession();
  const [params] = useSearchParams();
  if (session.pending) return <PageLoading />;
  if (session.user) return <Navigate to={safeNext(params.get("next")) ?? homeOf(session.user)} replace />;
  return children;
}
