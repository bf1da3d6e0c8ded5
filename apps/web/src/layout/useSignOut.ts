import { useQueryClient } from "@tanstack/react-query";
import { App } from "antd";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { forgetSession, useLogout } from "../api/session.ts";

/** Logs out, goes to the home page and says so (the message is announced to screen readers). */
export function useSignOut() {
  const logout = useLogout();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  return {
    pending: logout.isPending,
    signOut: () =>
      logout.mutate(undefined, {
        // Even if the server call failed (e.g. the session had already expired), the user wanted out.
        onSettled: async () => {
          // flushSync: the protected page must be gone before the session is, or its guard would
          // send the user to the login page instead of home.
          await navigate("/", { replace: true, flushSync: true });
          forgetSession(queryClient);
          void message.success(t("common.loggedOut"));
        },
      }),
  };
}
