import { runPreview } from "../src/preview/run";

/**
 * One offline preview in a process of its own (the mock engine is global state), for
 * bench/previewScale.ts: prints what it declared as one JSON line.
 *
 *   node --import tsx bench/previewChild.ts <root> <stack>
 */
async function main(): Promise<void> {
  const [root, stack] = process.argv.slice(2);
  const result = await runPreview(stack, { root });
  const tasks = result.plan.placements.length + result.plan.unplaced.length;
  // What the preview keeps, as against the peak, which also counts garbage V8 had not yet collected.
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with --expose-gc");
  gc();
  const retainedMb = process.memoryUsage().heapUsed / 2 ** 20;
  process.stdout.write(`${JSON.stringify({ resources: result.resources.length, tasks, retainedMb })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`preview failed: ${(error as Error).message}\n`);
  process.exitCode = 1;
});
