import { queryOptions } from "@tanstack/react-query";
import type { Department, Region } from "@tongban/contracts";
import { api } from "./client.ts";

// Public data is keyed under "public" so logging in or out keeps it cached.
export const regionsQuery = queryOptions({
  queryKey: ["public", "regions"] as const,
  queryFn: () => api<Region[]>("GET", "/regions"),
  staleTime: 60 * 60_000,
});

export const departmentsQuery = (regionCode: string) =>
  queryOptions({
    queryKey: ["public", "departments", regionCode] as const,
    queryFn: () => api<Department[]>("GET", `/regions/${encodeURIComponent(regionCode)}/departments`),
    staleTime: 5 * 60_000,
  });
