import { infiniteQueryOptions, queryOptions } from "@tanstack/react-query";
import type { ActionRequest, Application, ApplicationListItem, Channel, DataMaterialSource } from "@tongban/contracts";
import { api } from "./client.ts";

// Cases are private: keyed under "applications" (not "public"), so logging out drops them.
export const applicationQuery = (id: string) =>
  queryOptions({
    queryKey: ["applications", "one", id] as const,
    queryFn: () => api<Application>("GET", `/applications/${encodeURIComponent(id)}`),
  });

export interface ApplicationFilters {
  status?: string;
  deadline?: "warning" | "overdue";
  departmentId?: string;
  mine?: boolean;
  q?: string;
}

function listParams(filters: ApplicationFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.status) params.set("status", filters.status);
  if (filters.deadline) params.set("deadline", filters.deadline);
  if (filters.departmentId) params.set("departmentId", filters.departmentId);
  if (filters.mine) params.set("mine", "true");
  if (filters.q) params.set("q", filters.q);
  return params;
}

export const applicationsQuery = (filters: ApplicationFilters = {}) =>
  queryOptions({
    queryKey: ["applications", "list", filters] as const,
    queryFn: () => {
      const query = listParams(filters).toString();
      return api<ApplicationListItem[]>("GET", `/applications${query ? `?${query}` : ""}`);
    },
  });

const PAGE = 50;

/** The same list a page at a time (supervisors see a whole region), most urgent first under a deadline filter. */
export const applicationsPagesQuery = (filters: ApplicationFilters) =>
  infiniteQueryOptions({
    queryKey: ["applications", "list", "pages", filters] as const,
    initialPageParam: 0,
    queryFn: ({ pageParam }) => {
      const params = listParams(filters);
      params.set("limit", String(PAGE));
      params.set("offset", String(pageParam));
      return api<ApplicationListItem[]>("GET", `/applications?${params.toString()}`);
    },
    getNextPageParam: (last, pages) => (last.length < PAGE ? undefined : pages.length * PAGE),
  });

/** Phones file through the mobile channel, everything wider through the PC one. */
export function currentChannel(): Channel {
  return window.matchMedia("(max-width: 767px)").matches ? "mobile" : "pc";
}

export const createApplication = (serviceCode: string) =>
  api<Application>("POST", "/applications", { serviceCode, channel: currentChannel() });

export const saveForm = (id: string, form: Record<string, unknown>) =>
  api<Application>("PATCH", `/applications/${encodeURIComponent(id)}`, { form });

export function uploadMaterial(id: string, materialCode: string, file: File) {
  const body = new FormData();
  // The server reads the fields in order: the material code first, then the file.
  body.append("materialCode", materialCode);
  body.append("file", file, file.name);
  return api<Application>("POST", `/applications/${encodeURIComponent(id)}/materials`, body);
}

export const removeMaterial = (id: string, materialId: string) =>
  api<Application>("DELETE", `/applications/${encodeURIComponent(id)}/materials/${encodeURIComponent(materialId)}`);

export const materialUrl = (id: string, materialId: string) =>
  `/api/v1/applications/${encodeURIComponent(id)}/materials/${encodeURIComponent(materialId)}/content`;

/** Every action carries a fresh Idempotency-Key: a repeated request acts once. */
export const act = (id: string, action: ActionRequest) =>
  api<Application>("POST", `/applications/${encodeURIComponent(id)}/actions`, action, {
    "idempotency-key": crypto.randomUUID(),
  });

/** Where each material obtainable from shared data would be fetched from (shown before consent). */
export const dataSourcesQuery = (id: string) =>
  queryOptions({
    queryKey: ["applications", "data-sources", id] as const,
    queryFn: () => api<DataMaterialSource[]>("GET", `/applications/${encodeURIComponent(id)}/data-sources`),
  });

/** 免提交: with the applicant's consent, the platform fetches the material from the department holding it. */
export const fetchDataMaterial = (id: string, materialCode: string) =>
  api<Application>("POST", `/applications/${encodeURIComponent(id)}/data-materials`, { materialCode, consent: true });
