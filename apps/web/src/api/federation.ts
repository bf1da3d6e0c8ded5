import { queryOptions } from "@tanstack/react-query";
import type { FederatedCase, FederatedServiceDetail, FederatedServices } from "@tongban/contracts";
import { api } from "./client.ts";

// 跨省通办: the other regions' services are public data, read through this node (kept under "public").
export const federatedServicesQuery = (q?: string) =>
  queryOptions({
    queryKey: ["public", "federation", "services", q ?? ""] as const,
    queryFn: () =>
      api<FederatedServices>("GET", `/federation/services${q ? `?${new URLSearchParams({ q }).toString()}` : ""}`),
    staleTime: 60_000,
    retry: false,
  });

export const federatedServiceQuery = (code: string) =>
  queryOptions({
    queryKey: ["public", "federation", "service", code] as const,
    queryFn: () => api<FederatedServiceDetail>("GET", `/federation/services/${encodeURIComponent(code)}`),
    staleTime: 60_000,
    retry: false,
  });

export const federatedCasesQuery = () =>
  queryOptions({
    queryKey: ["federation", "cases"] as const,
    queryFn: () => api<FederatedCase[]>("GET", "/federation/cases"),
    retry: false,
  });

export const federatedCaseQuery = (id: string) =>
  queryOptions({
    queryKey: ["federation", "case", id] as const,
    queryFn: () => api<FederatedCase>("GET", `/federation/cases/${encodeURIComponent(id)}`),
    // A handed-over case changes at the competent node: look again while the page is open.
    refetchInterval: 10_000,
  });

/** 全程网办: hands the case to the competent node; answers the case as this node follows it. */
export const handOver = (serviceCode: string, form: Record<string, unknown>, channel: "pc" | "mobile") =>
  api<FederatedCase>("POST", "/federation/cases", { serviceCode, form, channel });
