#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so `npx tierplan` works right after `npm ci` with no build step.
const Module = require("node:module");
const { sep } = require("node:path");

const nodeJs = Module._extensions[".js"];
require("tsx/cjs");
const tsxJs = Module._extensions[".js"];
// Start-up: the dependencies are CommonJS already, so they skip tsx's per-file scan and load as Node
// loads them (a third of `tierplan plan`'s start-up); tsx keeps whatever is ESM or not plain JavaScript.
const DEPENDENCY = `${sep}node_modules${sep}`;
Module._extensions[".js"] = function load(module, filename) {
  if (!filename.includes(DEPENDENCY)) return tsxJs.call(this, module, filename);
  try {
    return nodeJs.call(this, module, filename);
  } catch (error) {
    if (error && (error.code === "ERR_REQUIRE_ESM" || error instanceof SyntaxError))
      return tsxJs.call(this, module, filename);
    throw error;
  }
};
// Source maps cost every module a scan at load; they matter only for stack traces (TIERPLAN_DEBUG).
if (!process.env.TIERPLAN_DEBUG) process.setSourceMapsEnabled(false);

require("../src/cli/main.ts").main();
