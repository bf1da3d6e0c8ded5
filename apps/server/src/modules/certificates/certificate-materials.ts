// 证照免提交: a material a service accepts as an e-certificate is satisfied by one of the applicant's
// own valid certificates with one click; whoever reads the case (the applicant, its staff) sees it
// checked afresh — signature, issuer, ledger record, validity and status.
import type { CertificateMaterial, UseCertificateForMaterial } from "@tongban/contracts";
import type { Db } from "../../db/database.ts";
import { AppError, fieldError } from "../../http/errors.ts";
import type { Actor } from "../../policy/policy.ts";
import type { Clock, Ids } from "../../ports/index.ts";
import type { ApplicationsService } from "../applications/applications.service.ts";
import type { CatalogService } from "../catalog/catalog.service.ts";
import { recordChange } from "../ledger/outbox.ts";
import { certificatesRepository as repo } from "./certificates.repository.ts";
import type { CertificatesService } from "./certificates.service.ts";

const EDITABLE = ["draft", "awaiting_supplement"];

export function createCertificateMaterialsService(deps: {
  db: Db;
  clock: Clock;
  ids: Ids;
  certificates: Pick<CertificatesService, "forMaterial" | "checkStored">;
  applications: Pick<ApplicationsService, "get">;
  catalog: Pick<CatalogService, "publishedVersion">;
}) {
  const { db, clock, ids, certificates, applications, catalog } = deps;

  return {
    /** The case's materials satisfied by certificates (for whoever may read the case). */
    async list(actor: Actor, applicationId: string): Promise<CertificateMaterial[]> {
      await applications.get(actor, applicationId);
      const rows = await repo.materialsOf(db, applicationId);
      return Promise.all(
        rows.map(async (m) => {
          const checked = await certificates.checkStored(m.certificate_id);
          const credential = checked.credential;
          return {
            materialCode: m.material_code,
            certificateId: m.certificate_id,
            number: m.number,
            name: m.name,
            issuerName: credential?.issuer.name ?? "",
            holderName: credential?.credentialSubject.holder.name ?? "",
            details: credential?.credentialSubject.details ?? [],
            attachedAt: m.attached_at.toISOString(),
            verified: checked.valid,
            outcome: checked.outcome,
            ledgerIndex:
              checked.row.ledger_idx === null || checked.row.ledger_idx === undefined
                ? null
                : Number(checked.row.ledger_idx),
          };
        }),
      );
    },

    /** The applicant uses one of their certificates for a material of their draft (or supplement). */
    async use(actor: Actor, applicationId: string, input: UseCertificateForMaterial): Promise<CertificateMaterial[]> {
      const application = await applications.get(actor, applicationId);
      if (application.applicantId !== actor.accountId)
        throw new AppError("FORBIDDEN", { reason: "only the applicant chooses their certificates" });
      if (!EDITABLE.includes(application.status))
        throw new AppError("ACTION_NOT_ALLOWED", {
          status: application.status,
          reason: "materials can only change in a draft or during a supplement",
        });
      const { item } = await catalog.publishedVersion(application.serviceCode, application.serviceVersion);
      const material = item.materials.find((m) => m.code === input.materialCode);
      if (!material)
        throw fieldError([
          { field: "materialCode", reason: "NOT_FOUND", message: "This service asks for no such material" },
        ]);
      if (material.source !== "certificate" || !material.certificateType)
        throw fieldError([
          {
            field: "materialCode",
            reason: "NOT_FROM_CERTIFICATE",
            message: `${material.name} is not satisfied by an e-certificate; upload it`,
          },
        ]);
      const certificateType = material.certificateType;
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        const certificate = await certificates.forMaterial(trx, actor.accountId, input.certificateId, certificateType);
        await repo.attachToApplication(trx, {
          id: ids.uuid(),
          application_id: applicationId,
          material_code: material.code,
          certificate_id: certificate.id,
          attached_by: actor.accountId,
          attached_at: now,
        });
        await recordChange(trx, {
          type: "application.certificate_used",
          subject: applicationId,
          actor: actor.accountId,
          at: now,
          facts: {
            material: material.code,
            certificate: certificate.id,
            credential: certificate.credential_sha256,
          },
        });
      });
      return this.list(actor, applicationId);
    },
  };
}
export type CertificateMaterialsService = ReturnType<typeof createCertificateMaterialsService>;
