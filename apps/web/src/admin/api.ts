import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import type {
  CreateDepartment,
  CreateStaff,
  Department,
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
