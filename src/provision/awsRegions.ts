let regions: readonly string[] | undefined;

/**
 * Every region of `@pulumi/aws`'s Region enum, what a stack's `aws:region` is checked against
 * (parseStackConfig). Loaded on first use, the enum module alone rather than the SDK.
 */
export function awsRegions(): readonly string[] {
  regions ??= Object.values((require("@pulumi/aws/types/enums") as { Region: Record<string, string> }).Region);
  return regions;
}
