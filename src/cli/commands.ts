import type { CliIO } from "./io";

/*
 * The command table. `tierplan --help` and `tierplan <command> --help` need only what is here;
 * a command's implementation (the optimizer, the Pulumi SDK, the policy pack) is loaded when
 * that command runs, and by it alone. To add a command: write `src/cli/<name>Command.ts`
 * exporting its run function, and add an entry below.
 */

/** A command's implementation: its arguments after the command name; resolves to the exit status. */
type CommandRun = (argv: string[], io: CliIO) => Promise<number>;

export interface CommandSpec {
  name: string;
  /** One line for the overview of `tierplan --help`. */
  synopsis: string;
  /** The command's full usage: `tierplan <name> --help`. */
  usage: string;
  /**
   * The implementation, loaded on first use. `require` rather than `import()`: the CLI runs as
   * CommonJS through tsx's require hook (bin/tierplan.js), which a native import() bypasses.
   */
  load(): CommandRun;
}

/** Usage line shared by the commands that run the policies. */
const POLICY_CONFIG_OPTION =
  "  --policy-config <file>  policy levels and config, as for pulumi preview --policy-pack-config";

const PLAN_USAGE = `tierplan plan <input.yaml|json>... [options]

Plans every task of the input (contract §1) onto cloud, edge and robot environments.
Several files are combined: tiers, robots and tasks concatenated, other fields merged; they
must name the same site. Each file may be at most 16 MiB (docs/input.md, "Size limits").

Options:
  --algorithm <a>   auto (default) | exact | seed-greedy
  --max-nodes <n>   branch-and-bound node limit per MILP solve (deterministic work budget;
                    auto gives a count stage under 5,000 variables up to 5 times as many),
                    a whole number from 1 to 2147483647
  --windows <n>     auto: MILP windows (20 nodes each) over a fleet for the first contested
                    priority level above the lowest that is too large for one MILP
                    (default 8; 0 plans faster, more may place more)
  --json            print the plan as one JSON object (contract §3)
  --all             list every placement in the table, not the first 40
  --lock <file>     plan against a lock (contract §6): keep its placements unless something
                    forces a move; a lock file, or the JSON of an earlier plan

Exit status: 0 a plan was made (even with unplaced tasks), 2 invalid input.
`;

const PREVIEW_USAGE = `tierplan preview --stack <site> [--json] [--all]

Runs the Pulumi program for stacks/Pulumi.<site>.yaml on Pulumi's mock engine: no Pulumi CLI,
no cloud credentials. Shows the plan, the resources \`pulumi up\` would create by tier, and the
policy pack's verdicts. Secrets in the stack file are replaced by placeholders, never printed.

Options:
  --stack <site>    the stack (site) to preview; required
  --json            one JSON object (contract §4): stack, plan, resources, policies
  --all             list every placement and resource, not the first 40
${POLICY_CONFIG_OPTION}

Exit status: 0 ok, 1 a mandatory policy is violated, 2 invalid input.
`;

const CHECK_USAGE = `tierplan check <preview.json>... [--markdown] [--out <file>]

Runs the policy pack's rules on saved previews ('tierplan preview --stack <site> --json'), for CI
steps with no Pulumi engine. The verdicts are recomputed from the resources, not read back.

Options:
  --markdown        write a pull-request comment: verdicts, placements, utilization, diagram
  --out <file>      write the report to a file instead of stdout
${POLICY_CONFIG_OPTION}

Exit status: 0 ok, 1 a mandatory policy is violated, 2 invalid input.
`;

const LOCK_USAGE = `tierplan lock --stack <site> [--check]

Writes stacks/<site>.lock.json from the stack's plan, computed exactly as the Pulumi program
computes it (against the stack's current lock, if any). One placement a line, sorted by task:
commit the file, and a pull request's diff of it reads as the list of moves.

Options:
  --stack <site>    the stack (site); required
  --check           write nothing; fail (exit 1) when the lock is stale: the plan moves tasks
                    against it, or places tasks it does not hold (for CI)

Exit status: 0 written or up to date, 1 stale (--check), 2 invalid input.
`;

const DIFF_USAGE = `tierplan diff <old> <new> [--json] [--all]

The moves from one set of placements to another, each with what pulumi up does (replace an
EC2 instance, reschedule a Deployment, reconfigure a robot), then new and no longer placed tasks.
Each file is a lock (stacks/<site>.lock.json), a plan ('tierplan plan --json') or a saved preview
('tierplan preview --json').

Options:
  --json            one JSON object: old, new, moves, added, dropped, unchanged
  --all             list every row, not the first 40 of each section

Exit status: 0 (a diff is a report), 2 invalid input.
`;

const SCHEMA_USAGE = `tierplan schema

Prints the JSON Schema of one planning input file, for editor completion
(yaml-language-server, VS Code): tierplan schema > planning-input.schema.json
`;

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: "plan",
    synopsis: "tierplan plan <input>... [--algorithm auto|exact|seed-greedy] [--lock <file>] [--json]",
    usage: PLAN_USAGE,
    load: () => {
      const { planCommand }: typeof import("./planCommand") = require("./planCommand");
      return planCommand;
    },
  },
  {
    name: "preview",
    synopsis: "tierplan preview --stack <site> [--json]",
    usage: PREVIEW_USAGE,
    load: () => {
      const { previewCommand }: typeof import("./previewCommand") = require("./previewCommand");
      return previewCommand;
    },
  },
  {
    name: "check",
    synopsis: "tierplan check <preview.json>... [--markdown] [--out <file>]",
    usage: CHECK_USAGE,
    load: () => {
      const { checkCommand }: typeof import("./checkCommand") = require("./checkCommand");
      return checkCommand;
    },
  },
  {
    name: "lock",
    synopsis: "tierplan lock --stack <site> [--check]",
    usage: LOCK_USAGE,
    load: () => {
      const { lockCommand }: typeof import("./lockCommand") = require("./lockCommand");
      return lockCommand;
    },
  },
  {
    name: "diff",
    synopsis: "tierplan diff <old> <new> [--json]",
    usage: DIFF_USAGE,
    load: () => {
      const { diffCommand }: typeof import("./diffCommand") = require("./diffCommand");
      return diffCommand;
    },
  },
  {
    name: "schema",
    synopsis: "tierplan schema                 JSON Schema of the planning input, for editors",
    usage: SCHEMA_USAGE,
    load: () => {
      const { schemaCommand }: typeof import("./schemaCommand") = require("./schemaCommand");
      return schemaCommand;
    },
  },
];
