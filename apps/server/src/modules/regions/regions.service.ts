import { lookupRegion, type Region } from "@tongban/contracts";
import type { Db } from "../../db/database.ts";
import { AppError } from "../../http/errors.ts";
import { regionsRepository as repo } from "./regions.repository.ts";

export function createRegionsService({ db }: { db: Db }) {
  const toRegion = (row: { code: string; name: string; name_en: string | null }): Region => ({
    code: row.code,
    name: row.name,
    nameEn: row.name_en,
    path: lookupRegion(row.code)?.path ?? [row.name],
  });
  return {
    async list(): Promise<Region[]> {
      return (await repo.list(db)).map(toRegion);
    },
    async require(code: string): Promise<Region> {
      const row = await repo.find(db, code);
      if (!row) throw new AppError("REGION_NOT_FOUND", { regionCode: code });
      return toRegion(row);
    },
  };
}
export type RegionsService = ReturnType<typeof createRegionsService>;
