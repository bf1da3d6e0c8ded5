import type { Db } from "../../db/database.ts";

export const regionsRepository = {
  list(db: Db) {
    return db.selectFrom("regions").select(["code", "name", "name_en"]).orderBy("code").execute();
  },
  find(db: Db, code: string) {
    return db.selectFrom("regions").select(["code", "name", "name_en"]).where("code", "=", code).executeTakeFirst();
  },
};
