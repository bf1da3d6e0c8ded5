import { queryOptions } from "@tanstack/react-query";
import type {
  CreateRemoteCase,
  DeliverFederatedCase,
  FederatedCase,
  FederatedServiceDetail,
  FederatedServices,
} from "@tongban/contracts";
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

/** 异地代收: the other regions' services a window here can receive in person. */
export const remoteServicesQuery = () =>
  queryOptions({
    queryKey: ["public", "federation", "services", "remote_acceptance"] as const,
    queryFn: () => api<FederatedServices>("GET", "/federation/services?mode=remote_acceptance"),
    staleTime: 60_000,
    retry: false,
  });

/** 异地代收: the window forwards a case it received in person, with the scanned materials. */
export const receiveInPerson = (input: CreateRemoteCase) =>
  api<FederatedCase>("POST", "/federation/remote-cases", input);

/** 异地代收: the receiving window hands the result over. */
export const deliverFederated = (id: string, input: DeliverFederatedCase) =>
  api<FederatedCase>("POST", `/federation/cases/${encodeURIComponent(id)}/deliver`, input);
