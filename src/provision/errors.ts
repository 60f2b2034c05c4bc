/** The plan cannot be provisioned as configured: reported like invalid input, with the fix. */
export class ProvisionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProvisionError";
  }
}
