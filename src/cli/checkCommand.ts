import { evaluateStack } from "../../policies/rules";
import { readPreviewFile } from "../plan/previewFile";
import { renderMarkdown } from "../plan/markdown";
import { parseCommand } from "./args";
import { EXIT, UsageError } from "./exit";
import { colorWanted, writeOutput, type CliIO } from "./io";
import { policySettings } from "./policySettings";
import { progressPrinter } from "./progress";
import { renderVerdicts } from "./verdicts";

export async function checkCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommand(argv, {
    markdown: { type: "boolean" },
    out: { type: "string" },
    "policy-config": { type: "string" },
  });
  if (positionals.length === 0) throw new UsageError("check: give a saved preview, e.g. 'tierplan check preview.json'");
  if (values.out === "") throw new UsageError("check: --out needs a file name");
  const progress = progressPrinter(io);
  let text: string;
  let failed = false;
  try {
    // Read every file first: a bad one fails the run before anything is written.
    progress.phase(`reading ${positionals.length === 1 ? positionals[0] : `${positionals.length} previews`}`);
    const previews = positionals.map(readPreviewFile);
    const settings = policySettings(values["policy-config"]);
    const reports = previews.map((preview) => {
      progress.phase(`judging ${preview.resources.length} resources of stack ${preview.stack}`);
      const verdicts = evaluateStack(
        preview.resources.map((r) => ({ type: r.type, name: r.name, props: r.inputs })),
        settings,
      );
      failed ||= verdicts.some((v) => v.level === "mandatory");
      return values.markdown
        ? renderMarkdown(preview.plan, {
            stack: preview.stack,
            verdicts,
            ...(preview.planHash && { planHash: preview.planHash }),
          })
        : `Stack ${preview.stack}\n${renderVerdicts(verdicts, !values.out && colorWanted(io))}`;
    });
    text = reports.join(values.markdown ? "\n---\n\n" : "\n");
  } finally {
    progress.done();
  }
  if (values.out) writeOutput(values.out, text, "the report");
  else io.stdout.write(text);
  return failed ? EXIT.policy : EXIT.ok;
}
