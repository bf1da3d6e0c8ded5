import { queryOptions } from "@tanstack/react-query";
import type { LifeEvent, ServiceDetail, ServiceSummary } from "@tongban/contracts";
import { api } from "./client.ts";

export interface ServiceFilters {
  regionCode: string;
  departmentId?: string;
  lifeEvent?: LifeEvent;
  q?: string;
}

// The catalogue is public data: kept under "public" so logging in or out keeps it cached.
export const servicesQuery = (filters: ServiceFilters) =>
  queryOptions({
    queryKey: ["public", "services", filters] as const,
    queryFn: () => {
      const params = new URLSearchParams({ regionCode: filters.regionCode });
      if (filters.departmentId) params.set("departmentId", filters.departmentId);
      if (filters.lifeEvent) params.set("lifeEvent", filters.lifeEvent);
      if (filters.q) params.set("q", filters.q);
      return api<ServiceSummary[]>("GET", `/services?${params.toString()}`);
    },
    staleTime: 60_000,
  });

/** A service's guide; with `version`, the version a case was filed under (versions never change). */
export const serviceQuery = (code: string, version?: number) =>
  queryOptions({
    queryKey: ["public", "service", code, version ?? "current"] as const,
    queryFn: () =>
      api<ServiceDetail>("GET", `/services/${encodeURIComponent(code)}${version ? `?version=${version}` : ""}`),
    staleTime: version ? Number.POSITIVE_INFINITY : 60_000,
  });
