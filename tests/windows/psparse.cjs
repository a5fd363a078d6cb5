// Parses PowerShell scripts with a real PowerShell grammar (the npm package
// "tree-sitter-powershell", run by "web-tree-sitter": both WebAssembly, installed by
// toolchain/setup.sh into build/tools/node_modules) and reports what Windows PowerShell 5.1
// would refuse to run:
//   - every ERROR node (text the grammar cannot parse) and MISSING node (a token the parser had
//     to assume, such as an unclosed brace);
//   - the pipeline chain operators && and ||, which the grammar takes but only PowerShell 7
//     parses: the project's scripts must run on 5.1 too;
//   - a try with neither catch nor finally, which the grammar takes and PowerShell refuses;
//   - a typographic quote (U+2018 to U+201E) outside a comment: PowerShell takes each for a
//     quote, so it ends or starts a string where the grammar sees a letter;
//   - a character outside ASCII in a script without a byte order mark, which Windows PowerShell
//     5.1 reads in the ANSI code page (Learn, "Understanding file encoding in VS Code and
//     PowerShell"; PSScriptAnalyzer's UseBOMForUnicodeEncodedFile): an en dash's last UTF-8 byte,
//     for one, then reads as a typographic double quote, which PowerShell takes for a quote.
// Usage: node psparse.cjs MODULE_DIR [--name=LABEL] FILE|- ...
//   "-" reads standard input, reported as LABEL (default "<stdin>"): for scripts the agent prints.
// Prints FILE:LINE:COLUMN: problem per problem and a summary line. Exit 0 when every script is
// clean, 1 when any problem was found, 2 when it could not check (no grammar, no input).
"use strict";
const fs = require("fs");
const path = require("path");
const v8 = require("v8");
const { reportProblems, runMain } = require("./report.cjs");

// The grammar's WebAssembly holds one very large lexer function. V8 first compiles it with its
// quick baseline compiler, then again with its optimising one on a background thread, and the
// process waits for that at exit: measured here, a 2-core machine under load, a one-line script
// took over 20 s instead of 0.3 s. The baseline code alone is fast enough for any script here.
v8.setFlagsFromString("--liftoff-only");

// Decodes a script: UTF-16 with its byte order mark, else UTF-8 with or without one. bom says
// whether it had one. A mark left in the text would be an ERROR that PowerShell never sees.
function decode(bytes) {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe)
    return { text: bytes.toString("utf16le", 2), bom: true };
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff)
    return { text: Buffer.from(bytes.subarray(2)).swap16().toString("utf16le"), bom: true };
  const text = bytes.toString("utf8");
  return text.charCodeAt(0) === 0xfeff ? { text: text.slice(1), bom: true } : { text, bom: false };
}

// The first character outside ASCII on each line of a script without a byte order mark.
function ansiProblems(text) {
  const found = [];
  text.split("\n").forEach((line, i) => {
    const column = line.search(/[^\x00-\x7f]/);
    if (column >= 0)
      found.push({ line: i + 1, column: column + 1,
        message: `${JSON.stringify(line[column])} outside ASCII without a byte order mark: Windows PowerShell 5.1 reads the script as ANSI` });
  });
  return found;
}

function snippet(text) {
  const line = text.split("\n")[0].trim();
  return JSON.stringify(line.length > 60 ? `${line.slice(0, 60)}...` : line);
}

// What is wrong at one node, or null; an ERROR's children are not looked into again.
function problemAt(node) {
  if (node.isMissing) return `missing ${JSON.stringify(node.type)}`;
  if (node.type === "ERROR") return `cannot parse ${snippet(node.text)}`;
  if (node.type === "pipeline_chain_tail")
    return `${snippet(node.text)} (a pipeline chain operator) needs PowerShell 7; Windows PowerShell 5.1 cannot parse it`;
  if (node.type === "try_statement" &&
      !node.namedChildren.some((c) => c.type === "catch_clauses" || c.type === "finally_clause"))
    return "try without catch or finally (PowerShell refuses it)";
  return null;
}

// PowerShell's quotes beyond ASCII: four single and three double.
const TYPOGRAPHIC_QUOTE = /[\u2018-\u201e]/;

// A typographic quote in a token that is not a comment, or null.
function typographicQuote(node) {
  if (node.childCount !== 0 || node.type === "comment") return null;
  const at = node.text.search(TYPOGRAPHIC_QUOTE);
  if (at < 0) return null;
  const before = node.text.slice(0, at).split("\n");
  const line = node.startPosition.row + before.length;
  const column = (before.length === 1 ? node.startPosition.column : 0) + before[before.length - 1].length;
  return { line, column: column + 1,
    message: `${JSON.stringify(node.text[at])} is a quote to PowerShell: the string ends or starts there` };
}

function problems(parser, text) {
  // An empty script is valid PowerShell, but a check of an empty one checks nothing.
  if (text.trim() === "") return [{ line: 1, column: 1, message: "empty: no statement at all" }];
  const tree = parser.parse(text);
  const found = [];
  const walk = (node) => {
    const message = problemAt(node);
    const { row, column } = node.startPosition;
    if (message) found.push({ line: row + 1, column: column + 1, message });
    const quote = typographicQuote(node);
    if (quote) found.push(quote);
    if (node.type !== "ERROR") for (const child of node.children) walk(child);
  };
  walk(tree.rootNode);
  return found;
}

async function loadParser(moduleDir) {
  const dir = path.resolve(moduleDir);
  const { Parser, Language } = require(require.resolve("web-tree-sitter", { paths: [dir] }));
  await Parser.init();
  const wasm = path.join(dir, "tree-sitter-powershell", "tree-sitter-powershell.wasm");
  const parser = new Parser();
  parser.setLanguage(await Language.load(wasm));
  return parser;
}

function parseArgs(argv) {
  const [moduleDir, ...rest] = argv;
  let label = "<stdin>";
  const inputs = [];
  for (const a of rest) {
    if (a.startsWith("--name=")) label = a.slice("--name=".length);
    else inputs.push(a === "-" ? { name: label, file: 0 } : { name: a, file: a });
  }
  return { moduleDir, inputs };
}

async function main() {
  const { moduleDir, inputs } = parseArgs(process.argv.slice(2));
  if (!moduleDir || inputs.length === 0) {
    console.error("usage: node psparse.cjs MODULE_DIR [--name=LABEL] FILE|- ...");
    return 2;
  }
  let parser;
  try {
    parser = await loadParser(moduleDir);
  } catch (e) {
    console.error(`the PowerShell grammar is not in ${moduleDir}: run toolchain/setup.sh (${e.message})`);
    return 2;
  }
  return reportProblems("powershell", "script", inputs, (input) => {
    const { text, bom } = decode(fs.readFileSync(input.file));
    const found = problems(parser, text).concat(bom ? [] : ansiProblems(text));
    return found.sort((a, b) => a.line - b.line || a.column - b.column);
  });
}

runMain(main);
