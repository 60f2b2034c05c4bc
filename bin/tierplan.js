#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so `npx tierplan` works right after `npm ci` with no build step.
require("tsx/cjs");
require("../src/cli/main.ts").main();
