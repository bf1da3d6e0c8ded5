import { queryOptions } from "@tanstack/react-query";
import type { CreateEnquiry, Enquiry, EnquiryListItem, EnquiryStatus } from "@tongban/contracts";
import { api } from "../api/client.ts";

// Enquiries are private: keyed under "enquiries", dropped with the session like cases.
export const enquiryQuery = (id: string) =>
  queryOptions({
    queryKey: ["enquiries", "one", id] as const,
    queryFn: () => api<Enquiry>("GET", `/enquiries/${encodeURIComponent(id)}`),
  });

export const enquiriesQuery = (filters: { status?: EnquiryStatus; mine?: boolean } = {}) =>
  queryOptions({
    queryKey: ["enquiries", "list", filters] as const,
    queryFn: () => {
      const params = new URLSearchParams();
      if (filters.status) params.set("status", filters.status);
      if (filters.mine) params.set("mine", "true");
      const query = params.toString();
      return api<EnquiryListItem[]>("GET", `/enquiries${query ? `?${query}` : ""}`);
    },
  });

export const createEnquiry = (input: CreateEnquiry) => api<Enquiry>("POST", "/enquiries", input);
export const takeEnquiry = (id: string) => api<Enquiry>("POST", `/enquiries/${encodeURIComponent(id)}/take`);
export const replyToEnquiry = (id: string, body: string) =>
  api<Enquiry>("POST", `/enquiries/${encodeURIComponent(id)}/replies`, { body });
export const closeEnquiry = (id: string) => api<Enquiry>("POST", `/enquiries/${encodeURIComponent(id)}/close`);
