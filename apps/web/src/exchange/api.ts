import { queryOptions } from "@tanstack/react-query";
import type {
  AccessOutcome,
  CreateSharingRequest,
  DataAccessItem,
  DataResource,
  DataResourceSummary,
  Grant,
  GrantStatus,
  SecurityEvent,
  SecuritySeverity,
  SharingDecision,
  SharingRequest,
  SharingRequestStatus,
} from "@tongban/contracts";
import { api } from "../api/client.ts";

const path = (base: string, params: Record<string, string | undefined>) => {
  const query = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => Boolean(e[1])));
  const text = query.toString();
  return text ? `${base}?${text}` : base;
};

// Private data: keyed under "exchange" / "me", never "public", so logging out drops it.
export const myDataAccessQuery = (outcome?: AccessOutcome) =>
  queryOptions({
    queryKey: ["me", "data-access", outcome ?? "all"] as const,
    queryFn: () => api<DataAccessItem[]>("GET", path("/me/data-access", { outcome, limit: "200" })),
  });

export const resourcesQuery = (filters: { q?: string; sharingClass?: string; regionCode?: string }) =>
  queryOptions({
    queryKey: ["exchange", "resources", filters] as const,
    queryFn: () => api<DataResourceSummary[]>("GET", path("/exchange/resources", { ...filters, limit: "200" })),
  });

export const resourceQuery = (code: string) =>
  queryOptions({
    queryKey: ["exchange", "resource", code] as const,
    queryFn: () => api<DataResource>("GET", `/exchange/resources/${encodeURIComponent(code)}`),
  });

export const requestsQuery = (side: "incoming" | "outgoing", status?: SharingRequestStatus) =>
  queryOptions({
    queryKey: ["exchange", "requests", side, status ?? "all"] as const,
    queryFn: () => api<SharingRequest[]>("GET", path("/exchange/requests", { side, status, limit: "200" })),
  });

export const grantsQuery = (side: "incoming" | "outgoing", status?: GrantStatus) =>
  queryOptions({
    queryKey: ["exchange", "grants", side, status ?? "all"] as const,
    queryFn: () => api<Grant[]>("GET", path("/exchange/grants", { side, status, limit: "200" })),
  });

export const createRequest = (body: CreateSharingRequest) => api<SharingRequest>("POST", "/exchange/requests", body);

export const decideRequest = (id: string, decision: SharingDecision) =>
  api<SharingRequest>("POST", `/exchange/requests/${encodeURIComponent(id)}/decision`, decision);

export const revokeGrant = (id: string, reason: string) =>
  api<Grant>("POST", `/exchange/grants/${encodeURIComponent(id)}/revoke`, { reason });

export const securityEventsQuery = (filters: { severity?: SecuritySeverity; type?: string; since?: string }) =>
  queryOptions({
    queryKey: ["security", "events", filters] as const,
    queryFn: () => api<SecurityEvent[]>("GET", path("/security/events", { ...filters, limit: "200" })),
  });
