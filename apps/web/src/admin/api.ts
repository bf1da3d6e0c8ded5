import { infiniteQueryOptions, queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import type {
  AdminServiceQuery,
  AdminServiceSummary,
  CreateDepartment,
  CreateStaff,
  Department,
  OutboxMessage,
  ServiceDetail,
  ServiceVersionInfo,
  StaffAccount,
  UpdateDepartment,
  UpdateStaff,
} from "@tongban/contracts";
import { api } from "../api/client.ts";
import { departmentsQuery } from "../api/public.ts";

export interface StaffFilter {
  departmentId?: string;
  q?: string;
}

export const staffQuery = (filter: StaffFilter) =>
  queryOptions({
    queryKey: ["admin", "staff", filter] as const,
    queryFn: () => {
      const params = new URLSearchParams();
      if (filter.departmentId) params.set("departmentId", filter.departmentId);
      if (filter.q) params.set("q", filter.q);
      const query = params.toString();
      return api<StaffAccount[]>("GET", `/admin/staff${query ? `?${query}` : ""}`);
    },
  });

export { departmentsQuery };

/** Department changes also change the public portal's list and the staff counts. */
export function useDepartmentMutations(regionCode: string) {
  const queryClient = useQueryClient();
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: departmentsQuery(regionCode).queryKey });
    void queryClient.invalidateQueries({ queryKey: ["admin", "staff"] });
  };
  return {
    create: useMutation({
      mutationFn: (body: CreateDepartment) => api<Department>("POST", "/admin/departments", body),
      onSuccess: refresh,
    }),
    update: useMutation({
      mutationFn: ({ id, body }: { id: string; body: UpdateDepartment }) =>
        api<Department>("PATCH", `/admin/departments/${id}`, body),
      onSuccess: refresh,
    }),
    remove: useMutation({
      mutationFn: (id: string) => api<void>("DELETE", `/admin/departments/${id}`),
      onSuccess: refresh,
    }),
  };
}

/** Staff changes move counts on the department list too. */
export function useStaffMutations(regionCode: string) {
  const queryClient = useQueryClient();
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: ["admin", "staff"] });
    void queryClient.invalidateQueries({ queryKey: departmentsQuery(regionCode).queryKey });
  };
  return {
    create: useMutation({
      mutationFn: (body: CreateStaff) => api<StaffAccount>("POST", "/admin/staff", body),
      onSuccess: refresh,
    }),
    update: useMutation({
      mutationFn: ({ id, body }: { id: string; body: UpdateStaff }) =>
        api<StaffAccount>("PATCH", `/admin/staff/${id}`, body),
      onSuccess: refresh,
    }),
  };
}

// --- the service catalogue -------------------------------------------------------------------------

const path = (code: string) => `/admin/services/${encodeURIComponent(code)}`;

export const adminServicesQuery = (filter: AdminServiceQuery) =>
  queryOptions({
    queryKey: ["admin", "services", "list", filter] as const,
    queryFn: () => {
      const params = new URLSearchParams();
      if (filter.departmentId) params.set("departmentId", filter.departmentId);
      if (filter.status) params.set("status", filter.status);
      if (filter.q) params.set("q", filter.q);
      const query = params.toString();
      return api<AdminServiceSummary[]>("GET", `/admin/services${query ? `?${query}` : ""}`);
    },
  });

export const serviceVersionsQuery = (code: string) =>
  queryOptions({
    queryKey: ["admin", "services", code, "versions"] as const,
    queryFn: () => api<ServiceVersionInfo[]>("GET", `${path(code)}/versions`),
  });

export type VersionDetail = ServiceDetail & { status: ServiceVersionInfo["status"] };

// A version's content never changes; only its status does (a draft is published, a published one superseded).
export const serviceVersionQuery = (code: string, version: number) =>
  queryOptions({
    queryKey: ["admin", "services", code, "version", version] as const,
    queryFn: () => api<VersionDetail>("GET", `${path(code)}/versions/${version}`),
  });

/** A saved draft changes the item's versions; a publication also changes what residents see. */
export function useCatalogMutations(code: string) {
  const queryClient = useQueryClient();
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: ["admin", "services"] });
  };
  return {
    createDraft: useMutation({
      mutationFn: (item: Record<string, unknown>) =>
        api<ServiceVersionInfo>("POST", `${path(code)}/versions`, { item }),
      onSuccess: refresh,
    }),
    publish: useMutation({
      mutationFn: (version: number) => api<ServiceDetail>("POST", `${path(code)}/versions/${version}/publish`),
      onSuccess: () => {
        refresh();
        void queryClient.invalidateQueries({ queryKey: ["public", "service", code] });
        void queryClient.invalidateQueries({ queryKey: ["public", "services"] });
      },
    }),
  };
}

// --- the message outbox ----------------------------------------------------------------------------

export interface OutboxFilter {
  channel?: "sms" | "email";
  q?: string;
}

export const OUTBOX_PAGE = 30;

/** The outbox page by page, newest first: each page asks for what is older than the last one shown. */
export const outboxQuery = (filter: OutboxFilter) =>
  infiniteQueryOptions({
    queryKey: ["admin", "messages", filter] as const,
    initialPageParam: undefined as number | undefined,
    queryFn: ({ pageParam }) => {
      const params = new URLSearchParams({ limit: String(OUTBOX_PAGE) });
      if (filter.channel) params.set("channel", filter.channel);
      if (filter.q) params.set("q", filter.q);
      if (pageParam) params.set("before", String(pageParam));
      return api<OutboxMessage[]>("GET", `/admin/messages?${params.toString()}`);
    },
    getNextPageParam: (last) => (last.length < OUTBOX_PAGE ? undefined : last.at(-1)?.id),
  });
