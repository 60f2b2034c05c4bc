import { writeFileSync } from "node:fs";
import { evaluateStack } from "../../policies/rules";
import { readPreviewFile } from "../catalog/previewFile";
import { renderMarkdown } from "../plan/markdown";
import { parseCommand } from "./args";
import { EXIT, UsageError } from "./exit";
import { colorWanted } from "./planCommand";
import { POLICY_CONFIG_OPTION, policySettings } from "./policySettings";
import { renderVerdicts } from "./verdicts";

export const CHECK_USAGE = `tierplan check <preview.json>... [--markdown] [--out <file>]

Runs the policy pack's rules on saved previews ('tierplan preview --stack <site> --json'), for CI
steps with no Pulumi engine. The verdicts are recomputed from the resources, not read back.

Options:
  --markdown        write a pull-request comment: verdicts, placements, utilization, diagram
  --out <file>      write the report to a file instead of stdout
${POLICY_CONFIG_OPTION}

Exit status: 0 ok, 1 a mandatory policy is violated, 2 invalid input.
`;

export async function checkCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, { markdown: { type: "boolean" }, out: { type: "string" }, "policy-config": { type: "string" }, help: { type: "boolean", short: "h" } });
  if (values.help) {
    process.stdout.write(CHECK_USAGE);
    return EXIT.ok;
  }
  if (positionals.length === 0) throw new UsageError("check: give a saved preview, e.g. 'tierplan check preview.json'");
  // Read every file first: a bad one fails the run before anything is written.
  const previews = positionals.map(readPreviewFile);
  const settings = policySettings(values["policy-config"]);
  let failed = false;
  const reports = previews.map((preview) => {
    const verdicts = evaluateStack(preview.resources.map((r) => ({ type: r.type, name: r.name, props: r.inputs })), settings);
    failed ||= verdicts.some((v) => v.level === "mandatory");
    return values.markdown
      ? renderMarkdown(preview.plan, { stack: preview.stack, verdicts, ...(preview.planHash && { planHash: preview.planHash }) })
      : `Stack ${preview.stack}\n${renderVerdicts(verdicts, !values.out && colorWanted())}`;
  });
  const text = reports.join(values.markdown ? "\n---\n\n" : "\n");
  if (values.out) writeFileSync(values.out, text);
  else process.stdout.write(text);
  return failed ? EXIT.policy : EXIT.ok;
}
