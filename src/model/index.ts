export * from "./problem";
export * from "./formulas";
export * from "./feasibility";
export * from "./machines";
