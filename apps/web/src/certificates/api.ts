import { queryOptions } from "@tanstack/react-query";
import type { Certificate, CertificateVerification, VerifyCertificateRequest } from "@tongban/contracts";
import { api } from "../api/client.ts";

// Private data: keyed under "me", so logging out drops it.
export const myCertificatesQuery = () =>
  queryOptions({
    queryKey: ["me", "certificates"] as const,
    queryFn: () => api<Certificate[]>("GET", "/me/certificates"),
  });

export const verifyCertificate = (request: VerifyCertificateRequest) =>
  api<CertificateVerification>("POST", "/certificates/verify", request);

/** Where the holder's browser downloads a certificate's files (same-origin links, cookie sent). */
export const downloadUrl = (id: string, kind: "pdf" | "credential") => `/api/v1/certificates/${id}/${kind}`;
