// What a real PowerShell grammar (the npm package "tree-sitter-powershell", run by
// "web-tree-sitter", both WebAssembly, in MODULE_DIR/node_modules as toolchain/setup.sh installs
// them) reads in a script, as JSON for tests/policy/check_powershell.py:
//   errors:    ERROR and MISSING nodes (text the grammar cannot parse);
//   commands:  each command's name, line, parameters (-Name as Name) and splatted variables;
//   hashkeys:  for each variable, the keys of the hashtable literals assigned to it and of its
//              $var['Key'] = ... assignments (what a splat of it passes as parameters);
//   functions: the names of the functions the script defines;
//   strings:   each single-quoted string token, its line and its text, quotes included.
// Usage: node pstokens.cjs MODULE_DIR FILE...: a JSON array, one reading per FILE in order (one
// process for many scripts: starting Node and loading the grammar costs more than a parse).
// Exit 2 when the grammar is not there.
"use strict";
const fs = require("fs");
const path = require("path");

async function loadParser(moduleDir) {
  const dir = path.resolve(moduleDir);
  const { Parser, Language } = require(require.resolve("web-tree-sitter", { paths: [dir] }));
  await Parser.init();
  const parser = new Parser();
  parser.setLanguage(await Language.load(path.join(dir, "tree-sitter-powershell",
                                                   "tree-sitter-powershell.wasm")));
  return parser;
}

// The grammar's own search: walking children from JavaScript costs a call into WebAssembly per
// node and takes minutes on an export.
function descendants(node, type) {
  return node.descendantsOfType(type);
}

function command(node) {
  const name = node.children.find((c) => c.type === "command_name");
  const elements = node.children.find((c) => c.type === "command_elements");
  const direct = (n) => elements && n.parent && n.parent.id === elements.id;
  const params = elements ? descendants(elements, "command_parameter").filter(direct)
    .map((p) => p.text.replace(/^-/, "").replace(/:$/, "")) : [];
  const splats = elements ? descendants(elements, "variable")
    .filter((v) => v.text.startsWith("@") && direct(v.parent.parent))
    .map((v) => v.text.slice(1)) : [];
  return { name: name ? name.text : null, row: node.startPosition.row + 1, params, splats };
}

function hashKeys(root) {
  const keys = {};
  const add = (v, k) => { (keys[v] = keys[v] || []).push(k); };
  for (const a of descendants(root, "assignment_expression")) {
    const left = a.children[0];
    const right = a.children[a.children.length - 1];
    const vars = descendants(left, "variable");
    const access = descendants(left, "element_access");
    if (access.length === 1) {
      const key = descendants(access[0], "verbatim_string_characters")[0];
      if (key) add(access[0].children[0].text.slice(1), key.text.slice(1, -1));
    } else if (vars.length === 1) {
      for (const h of descendants(right, "hash_literal_expression"))
        for (const k of descendants(h, "key_expression")) add(vars[0].text.slice(1), k.text);
    }
  }
  return keys;
}

function reading(parser, file) {
  const text = fs.readFileSync(file, "utf8").replace(/^\uFEFF/, "");
  const tree = parser.parse(text);
  const errors = [];
  const walk = (n) => {
    if (n.type === "ERROR" || n.isMissing)
      errors.push({ row: n.startPosition.row + 1, what: n.isMissing ? `missing ${n.type}` :
                    `cannot parse ${JSON.stringify(n.text.slice(0, 60))}` });
    else if (n.hasError) n.children.forEach(walk);
  };
  walk(tree.rootNode);
  const out = {
    errors,
    commands: descendants(tree.rootNode, "command").map(command),
    hashkeys: hashKeys(tree.rootNode),
    functions: descendants(tree.rootNode, "function_name").map((n) => n.text),
    strings: descendants(tree.rootNode, "verbatim_string_characters").map((n) => ({
      row: n.startPosition.row + 1, text: n.text })),
  };
  tree.delete();
  return out;
}

async function main() {
  const [moduleDir, ...files] = process.argv.slice(2);
  let parser;
  try {
    parser = await loadParser(moduleDir);
  } catch (e) {
    console.error(`no PowerShell grammar in ${moduleDir}: ${e.message}`);
    process.exit(2);
  }
  const out = files.map((f) => reading(parser, f));
  process.stdout.write(JSON.stringify(out), () => process.exit(0));
}

main();
