export { CatalogError, formatIssue, formatPath, type CatalogIssue } from "./errors";
export { loadCatalog, loadCatalogSources, type CatalogSource } from "./load";
export { inputJsonSchema } from "./jsonSchema";
export * from "./schema";
