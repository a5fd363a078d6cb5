// What the checkers of the files only Windows runs (actionlint.cjs, psparse.cjs) share: one line
// per problem as NAME:LINE:COLUMN: message, a summary line, and the exit code: 0 when every input
// is clean, 1 when a problem was found, 2 when the check could not run.
"use strict";

// inputs: [{name, ...}]; check(input) gives the input's problems as [{line, column, message}],
// both counted from 1.
function reportProblems(tool, noun, inputs, check) {
  let count = 0;
  for (const input of inputs) {
    for (const p of check(input)) {
      console.log(`${input.name}:${p.line}:${p.column}: ${p.message}`);
      count++;
    }
  }
  console.log(`${tool}: ${inputs.length} ${noun}(s), ${count} problem(s)`);
  return count ? 1 : 0;
}

function runMain(main) {
  main().then((code) => process.exit(code), (e) => {
    console.error(e);
    process.exit(2);
  });
}

module.exports = { reportProblems, runMain };
