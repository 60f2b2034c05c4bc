export { CatalogError } from "./errors";
export { loadCatalog, loadCatalogSources } from "./load";
export * from "./schema";
