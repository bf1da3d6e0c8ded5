// Bootstrapping a node without the demo world: add the regions it serves, a department and the
// first administrator, who then manages everything else in the admin console.
//   npm run admin -- add-region 350100
//   npm run admin -- add-department --region 350100 --code zhengwu --name 福州市行政服务中心管理委员会
//   npm run admin -- create-admin --region 350100 --department zhengwu --username fz.admin --name 林管理
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { CreateDepartment, lookupRegion, PersonName, StaffUsername } from "@tongban/contracts";
import { buildServices } from "./app.ts";
import { ConfigError, loadConfig } from "./config.ts";
import { openPGlite, openPostgres } from "./db/database.ts";
import { migrate } from "./db/migrate.ts";
import { AppError } from "./http/errors.ts";
import { hashPassword } from "./modules/auth/credentials.ts";
import { recordChange } from "./modules/ledger/outbox.ts";
import { memoryFileStore } from "./ports/files.ts";
import { memoryKeyStore, randomIds, systemClock } from "./ports/index.ts";

const usage = `usage:
  npm run admin -- add-region <six-digit GB/T 2260 code>
  npm run admin -- add-department --region <code> --code <code> --name <name> [--name-en <name>]
  npm run admin -- create-admin --region <code> --department <code> --username <account> --name <name>`;

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      region: { type: "string" },
      code: { type: "string" },
      name: { type: "string" },
      "name-en": { type: "string" },
      department: { type: "string" },
      username: { type: "string" },
    },
  });
  const baseDir = process.env.INIT_CWD ?? process.cwd();
  const config = loadConfig(process.env, baseDir);
  const database = config.databaseUrl
    ? openPostgres(config.databaseUrl, 2)
    : await openPGlite(resolve(baseDir, config.dataDir));
  await migrate(database);
  const db = database.db;
  const now = systemClock.now();
  try {
    switch (command) {
      case "add-region": {
        const code = positionals[0] ?? "";
        const region = lookupRegion(code);
        if (!region || region.level === "county")
          fail(`${code || "(none)"}: not a GB/T 2260 province or prefecture code`);
        await db
          .insertInto("regions")
          .values({ code, name: region.name, name_en: null })
          .onConflict((oc) => oc.doNothing())
          .execute();
        process.stdout.write(`region ${code} ${region.path.join(" ")} is served by this node\n`);
        break;
      }
      case "add-department": {
        const parsed = CreateDepartment.safeParse({
          regionCode: values.region,
          code: values.code,
          name: values.name,
          nameEn: values["name-en"],
        });
        if (!parsed.success) fail(parsed.error.issues.map((i) => `--${String(i.path[0])}: ${i.message}`).join("\n"));
        const services = buildServices({
          database,
          clock: systemClock,
          ids: randomIds,
          config,
          keys: memoryKeyStore(),
          files: memoryFileStore(),
        });
        await services.regions.require(parsed.data.regionCode);
        await db.transaction().execute(async (trx) => {
          const id = randomIds.uuid();
          await trx
            .insertInto("departments")
            .values({
              id,
              region_code: parsed.data.regionCode,
              code: parsed.data.code,
              name: parsed.data.name,
              name_en: parsed.data.nameEn ?? null,
              created_at: now,
              updated_at: now,
            })
            .execute();
          await recordChange(trx, {
            type: "department.created",
            subject: id,
            actor: null,
            at: now,
            facts: { regionCode: parsed.data.regionCode, code: parsed.data.code, by: "cli" },
          });
        });
        process.stdout.write(`department ${parsed.data.code} created in ${parsed.data.regionCode}\n`);
        break;
      }
      case "create-admin": {
        const username = StaffUsername.safeParse(values.username);
        const name = PersonName.safeParse(values.name);
        if (!username.success) fail(`--username: ${username.error.issues[0]?.message}`);
        if (!name.success) fail(`--name: ${name.error.issues[0]?.message}`);
        const department = await db
          .selectFrom("departments")
          .select(["id", "region_code"])
          .where("region_code", "=", values.region ?? "")
          .where("code", "=", values.department ?? "")
          .executeTakeFirst();
        if (!department) fail(`--department: no department ${values.department} in region ${values.region}`);
        const password = `Tb-${randomBytes(9).toString("base64url")}7`;
        const id = randomIds.uuid();
        await db.transaction().execute(async (trx) => {
          await trx
            .insertInto("accounts")
            .values({
              id,
              kind: "staff",
              username: username.data,
              name: name.data,
              phone: null,
              id_number: null,
              credit_code: null,
              region_code: department.region_code,
              department_id: department.id,
              roles: ["admin"],
              clearance: "confidential",
              password_hash: await hashPassword(password),
              totp_secret: null,
              totp_enrolled_at: null,
              totp_last_step: null,
              locked_until: null,
              last_login_at: null,
            })
            .execute();
          await recordChange(trx, {
            type: "staff.created",
            subject: id,
            actor: null,
            at: now,
            facts: { roles: ["admin"], by: "cli" },
          });
        });
        process.stdout.write(
          `administrator ${username.data} created.\n  initial password: ${password}\n  at the first login they enrol an authenticator app; change the password in the admin console.\n`,
        );
        break;
      }
      default:
        fail(usage);
    }
  } finally {
    await database.close();
  }
}

main().catch((error) => {
  if (error instanceof ConfigError) fail(error.message);
  if (error instanceof AppError) fail(`${error.code}: ${error.message}`);
  if ((error as { code?: string }).code === "23505") fail("that already exists");
  fail(error instanceof Error ? error.message : String(error));
});
