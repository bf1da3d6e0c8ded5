/**
 * Identifier checks shared by the server and the web, so a field's error reads the same in both.
 * Each failure has its own reason code.
 */
import { isPlausibleRegionCode } from "./regions.ts";

export interface IdentifierProblem {
  reason: string;
  message: string;
}

// GB 11643-1999 §5: weights 2^(17-i) mod 11 and the check map for the sum mod 11.
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = "10X98765432";

export function idNumberCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (ID_WEIGHTS[i] as number);
  return ID_CHECK[sum % 11] as string;
}

export interface IdNumberFacts {
  regionCode: string;
  birthDate: string;
  sex: "male" | "female";
}

/** Checks a resident ID number (GB 11643): format, region code, birth date, check digit. */
export function checkIdNumber(
  raw: string,
  today: Date = new Date(),
): { ok: true; value: string; facts: IdNumberFacts } | { ok: false; problem: IdentifierProblem } {
  const value = raw.trim().toUpperCase();
  if (!/^\d{17}[\dX]$/.test(value)) {
    return {
      ok: false,
      problem: {
        reason: "ID_FORMAT",
        message: "An ID number has 18 characters: 17 digits and a last digit or X",
      },
    };
  }
  const regionCode = value.slice(0, 6);
  if (!isPlausibleRegionCode(regionCode)) {
    return {
      ok: false,
      problem: {
        reason: "ID_REGION",
        message: `The first six digits (${regionCode}) are not a GB/T 2260 region code`,
      },
    };
  }
  const y = Number(value.slice(6, 10));
  const m = Number(value.slice(10, 12));
  const d = Number(value.slice(12, 14));
  const birth = new Date(Date.UTC(y, m - 1, d));
  const validDate = birth.getUTCFullYear() === y && birth.getUTCMonth() === m - 1 && birth.getUTCDate() === d;
  if (!validDate || y < 1900 || birth.getTime() > today.getTime()) {
    return {
      ok: false,
      problem: {
        reason: "ID_BIRTH_DATE",
        message: `Digits 7 to 14 (${value.slice(6, 14)}) are not a possible birth date`,
      },
    };
  }
  if (idNumberCheckCharacter(value) !== value[17]) {
    return {
      ok: false,
      problem: {
        reason: "ID_CHECK_DIGIT",
        message: "The last character does not match the check digit; please check for a typo",
      },
    };
  }
  return {
    ok: true,
    value,
    facts: {
      regionCode,
      birthDate: `${value.slice(6, 10)}-${value.slice(10, 12)}-${value.slice(12, 14)}`,
      sex: Number(value[16]) % 2 === 1 ? "male" : "female",
    },
  };
}

// GB 32100-2015: the 31 characters allowed (no I, O, S, V, Z) and the weights 3^i mod 31.
const CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export function creditCodeCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += CREDIT_CHARS.indexOf(first17[i] as string) * (CREDIT_WEIGHTS[i] as number);
  return CREDIT_CHARS[(31 - (sum % 31)) % 31] as string;
}

// GB 11714-1997: the organisation code inside a credit code carries its own check character.
export function organisationCodeCheckCharacter(first8: string): string {
  const weights = [3, 7, 9, 10, 5, 8, 4, 2];
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += Number.parseInt(first8[i] as string, 36) * (weights[i] as number);
  const c = 11 - (sum % 11);
  return c === 10 ? "X" : c === 11 ? "0" : String(c);
}

/** Checks a unified social credit code (GB 32100): characters, region code, check character. */
export function checkCreditCode(
  raw: string,
): { ok: true; value: string; regionCode: string } | { ok: false; problem: IdentifierProblem } {
  const value = raw.trim().toUpperCase();
  if (value.length !== 18 || [...value].some((c) => !CREDIT_CHARS.includes(c))) {
    return {
      ok: false,
      problem: {
        reason: "CREDIT_CODE_FORMAT",
        message: "A unified social credit code has 18 characters: digits and capital letters other than I, O, S, V, Z",
      },
    };
  }
  const regionCode = value.slice(2, 8);
  if (!isPlausibleRegionCode(regionCode)) {
    return {
      ok: false,
      problem: {
        reason: "CREDIT_CODE_REGION",
        message: `Characters 3 to 8 (${regionCode}) are not a GB/T 2260 region code`,
      },
    };
  }
  if (creditCodeCheckCharacter(value) !== value[17]) {
    return {
      ok: false,
      problem: {
        reason: "CREDIT_CODE_CHECK",
        message: "The last character does not match the check character; please check for a typo",
      },
    };
  }
  return { ok: true, value, regionCode };
}
