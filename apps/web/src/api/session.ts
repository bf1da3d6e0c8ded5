import { type QueryClient, queryOptions, useMutation, useQuery } from "@tanstack/react-query";
import type { CurrentUser, SessionInfo } from "@tongban/contracts";
import { ApiError, api, setCsrfToken } from "./client.ts";

export const sessionKey = ["session"] as const;

export const sessionQuery = queryOptions({
  queryKey: sessionKey,
  queryFn: async (): Promise<SessionInfo | null> => {
    try {
      const session = await api<SessionInfo>("GET", "/auth/me");
      setCsrfToken(session.csrfToken);
      return session;
    } catch (error) {
      if (error instanceof ApiError && error.code === "UNAUTHENTICATED") {
        setCsrfToken(null);
        return null;
      }
      throw error;
    }
  },
  // The session changes only through this app's own login and logout, which update the cache.
  staleTime: 5 * 60_000,
  retry: (count, error) => !(error instanceof ApiError && error.status > 0) && count < 2,
});

export interface SessionState {
  user: CurrentUser | null;
  /** True until the first answer from /auth/me. */
  pending: boolean;
  error: unknown;
  refetch: () => void;
}

export function useSession(): SessionState {
  const query = useQuery(sessionQuery);
  return {
    user: query.data?.user ?? null,
    pending: query.isPending,
    error: query.error,
    refetch: () => void query.refetch(),
  };
}

/** Stores the session a login, registration or enrolment answered. */
export function acceptSession(queryClient: QueryClient, session: SessionInfo) {
  setCsrfToken(session.csrfToken);
  // Whatever the previous account saw must not leak into this one.
  queryClient.removeQueries({
    predicate: (query) => query.queryKey[0] !== "session" && query.queryKey[0] !== "public",
  });
  queryClient.setQueryData(sessionKey, session);
}

export function forgetSession(queryClient: QueryClient) {
  setCsrfToken(null);
  queryClient.removeQueries({
    predicate: (query) => query.queryKey[0] !== "session" && query.queryKey[0] !== "public",
  });
  queryClient.setQueryData(sessionKey, null);
}

/**
 * Ends the session on the server. The caller forgets it locally once it has left the protected
 * page; forgetting it first would make that page's guard send the user to the login page.
 */
export function useLogout() {
  return useMutation({ mutationFn: () => api<void>("POST", "/auth/logout") });
}

/** Where an account lands after logging in. */
export function homeOf(user: CurrentUser): string {
  return user.kind === "staff" ? "/workbench" : "/me";
}
