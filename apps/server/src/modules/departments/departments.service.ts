import type { CreateDepartment, Department, UpdateDepartment } from "@tongban/contracts";
import type { Db } from "../../db/database.ts";
import { AppError, fieldError } from "../../http/errors.ts";
import { type Actor, authorize } from "../../policy/policy.ts";
import type { Clock, Ids } from "../../ports/index.ts";
import { recordChange } from "../ledger/outbox.ts";
import type { RegionsService } from "../regions/regions.service.ts";
import { type DepartmentWithCount, departmentsRepository as repo } from "./departments.repository.ts";

function toDepartment(row: DepartmentWithCount): Department {
  return {
    id: row.id,
    regionCode: row.region_code,
    code: row.code,
    name: row.name,
    nameEn: row.name_en,
    staffCount: row.staff_count,
    createdAt: row.created_at.toISOString(),
  };
}

export function createDepartmentsService({
  db,
  clock,
  ids,
  regions,
}: {
  db: Db;
  clock: Clock;
  ids: Ids;
  regions: RegionsService;
}) {
  async function requireRow(id: string): Promise<DepartmentWithCount> {
    const row = await repo.findById(db, id);
    if (!row) throw new AppError("DEPARTMENT_NOT_FOUND", { id });
    return row;
  }

  return {
    /** Public: a portal lists the departments of its region. */
    async list(regionCode: string): Promise<Department[]> {
      await regions.require(regionCode);
      return (await repo.listByRegion(db, regionCode)).map(toDepartment);
    },

    /** For use by other modules; `field` names the input field when the id came from a form. */
    async requireById(id: string, field?: string): Promise<Department> {
      const row = await repo.findById(db, id);
      if (!row) {
        if (field) throw fieldError([{ field, reason: "NOT_FOUND", message: "This department does not exist" }]);
        throw new AppError("DEPARTMENT_NOT_FOUND", { id });
      }
      return toDepartment(row);
    },

    async findByCode(regionCode: string, code: string): Promise<Department | undefined> {
      const row = await repo.findByCode(db, regionCode, code);
      return row && toDepartment(row);
    },

    async create(actor: Actor, input: CreateDepartment): Promise<Department> {
      await regions.require(input.regionCode);
      authorize(actor, "department.manage", { regionCode: input.regionCode });
      if (await repo.codeTaken(db, input.regionCode, input.code)) {
        throw fieldError([
          {
            field: "code",
            reason: "DEPARTMENT_EXISTS",
            message: "A department with this code already exists in the region",
          },
        ]);
      }
      const id = ids.uuid();
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        await repo.insert(trx, {
          id,
          region_code: input.regionCode,
          code: input.code,
          name: input.name,
          name_en: input.nameEn ?? null,
          created_at: now,
          updated_at: now,
        });
        await recordChange(trx, {
          type: "department.created",
          subject: id,
          actor: actor.accountId,
          at: now,
          facts: { regionCode: input.regionCode, code: input.code },
        });
      });
      return toDepartment(await requireRow(id));
    },

    async update(actor: Actor, id: string, input: UpdateDepartment): Promise<Department> {
      const current = await requireRow(id);
      authorize(actor, "department.manage", { regionCode: current.region_code });
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        await repo.update(trx, id, {
          ...(input.name !== undefined ? { name: input.name } : {}),
          ...(input.nameEn !== undefined ? { name_en: input.nameEn || null } : {}),
          updated_at: now,
        });
        await recordChange(trx, {
          type: "department.updated",
          subject: id,
          actor: actor.accountId,
          at: now,
          facts: { fields: Object.keys(input).sort() },
        });
      });
      return toDepartment(await requireRow(id));
    },

    async remove(actor: Actor, id: string): Promise<void> {
      const current = await requireRow(id);
      authorize(actor, "department.manage", { regionCode: current.region_code });
      if (current.staff_count > 0) throw new AppError("DEPARTMENT_NOT_EMPTY", { staffCount: current.staff_count });
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        await repo.delete(trx, id);
        await recordChange(trx, {
          type: "department.deleted",
          subject: id,
          actor: actor.accountId,
          at: now,
          facts: { code: current.code },
        });
      });
    },
  };
}
export type DepartmentsService = ReturnType<typeof createDepartmentsService>;
