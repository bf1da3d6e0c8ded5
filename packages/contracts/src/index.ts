export * from "./accounts.ts";
export * from "./applications.ts";
export * from "./catalog.ts";
export * from "./enums.ts";
export * from "./errors.ts";
export * from "./identity.ts";
export * from "./regions.ts";
