import { queryOptions } from "@tanstack/react-query";
import type {
  Certificate,
  CertificateMaterial,
  CertificateVerification,
  VerifyCertificateRequest,
} from "@tongban/contracts";
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

export const certificateMaterialsQuery = (applicationId: string) =>
  queryOptions({
    queryKey: ["case", applicationId, "certificate-materials"] as const,
    queryFn: () => api<CertificateMaterial[]>("GET", `/applications/${applicationId}/certificate-materials`),
  });

export const attachCertificate = (applicationId: string, body: { materialCode: string; certificateId: string }) =>
  api<CertificateMaterial[]>("POST", `/applications/${applicationId}/certificate-materials`, body);
