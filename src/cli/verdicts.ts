import type { PolicyViolation } from "../../policies/rules";
import { painter } from "../plan/format";

/** Policy verdicts for a terminal: mandatory violations first and loud, then advisories. */
export function renderVerdicts(violations: readonly PolicyViolation[], color: boolean): string {
  const paint = painter(color);
  const mandatory = violations.filter((v) => v.level === "mandatory");
  const advisory = violations.filter((v) => v.level === "advisory");
  if (violations.length === 0) return `${paint("32")("Policies: all tierplan policies pass")}\n`;
  const lines = [
    mandatory.length > 0
      ? paint("1;31")(
          `Policies: ${mandatory.length} mandatory violation(s): pulumi preview --policy-pack policies would fail`,
        )
      : paint("32")("Policies: no mandatory violations") +
        (advisory.length > 0 ? ` (${advisory.length} advisory)` : ""),
  ];
  for (const v of [...mandatory, ...advisory]) {
    const mark = v.level === "mandatory" ? paint("31")("✖ mandatory") : paint("33")("! advisory ");
    lines.push(`  ${mark}  ${v.policy}: ${v.message}${v.resource ? paint("2")(`  [${v.resource}]`) : ""}`);
  }
  return `${lines.join("\n")}\n`;
}
