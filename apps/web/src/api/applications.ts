import { queryOptions } from "@tanstack/react-query";
import type { ActionRequest, Application, ApplicationSummary, Channel } from "@tongban/contracts";
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
  mine?: boolean;
  q?: string;
}

export const applicationsQuery = (filters: ApplicationFilters = {}) =>
  queryOptions({
    queryKey: ["applications", "list", filters] as const,
    queryFn: () => {
      const params = new URLSearchParams();
      if (filters.status) params.set("status", filters.status);
      if (filters.deadline) params.set("deadline", filters.deadline);
      if (filters.mine) params.set("mine", "true");
      if (filters.q) params.set("q", filters.q);
      const query = params.toString();
      return api<ApplicationSummary[]>("GET", `/applications${query ? `?${query}` : ""}`);
    },
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
