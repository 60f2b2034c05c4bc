import * as pulumi from "@pulumi/pulumi";
import { CatalogError, formatIssue } from "./catalog/errors";
import { deploySite } from "./program";
import { ProvisionError } from "./provision/errors";

/**
 * The Pulumi entry point (Pulumi.yaml `main`). Pulumi calls the exported function and makes its
 * result the stack outputs. Invalid input ends the run with the message alone, not a stack trace.
 */
export = async (): Promise<Record<string, unknown>> => {
  try {
    return (await deploySite()).outputs;
  } catch (error) {
    if (error instanceof CatalogError) {
      throw new pulumi.RunError(`invalid input:\n${error.issues.map((issue) => `  ${formatIssue(issue)}`).join("\n")}`);
    }
    if (error instanceof ProvisionError) throw new pulumi.RunError(error.message);
    throw error;
  }
};
