// Lint the Japanese pages with textlint (.textlintrc.json): `node tools/textlint.mjs PATH…`.
//
// MyST directives are fenced code blocks to a Markdown parser. The prose ones (note, tip,
// admonition …, glossary) are what a writer wrote, so their fence and option lines are blanked
// (same length: every line and column stays where it is) and their body is linted as Markdown;
// generated ones (toctree, theme-cases, case-list …) stay code and are not linted. In a glossary
// only the definitions are prose: its terms (variants listed on purpose) are not linted.
// Front matter is a Yaml node to textlint and is not linted either.
// Output: one `file:line:col: message [rule]` per problem, and a GitHub annotation
// (`::error file=…,line=…,col=…::`) as well when GITHUB_ACTIONS=true. Exit 1 on any problem.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { parse } from "@textlint/markdown-to-ast";
import { createLinter, loadTextlintrc } from "textlint";

const PROSE_DIRECTIVES = new Set([
  "admonition", "attention", "caution", "danger", "error", "glossary", "hint", "important",
  "note", "seealso", "tip", "warning",
]);
const FENCE = /^\s*(`{3,}|~{3,})\s*$/;
const OPTION = /^\s*:[\w-]+:/;

function markdownFiles(path) {
  if (statSync(path).isFile()) return path.endsWith(".md") ? [path] : [];
  return readdirSync(path, { withFileTypes: true })
    .filter((e) => !e.name.startsWith(".") && !e.name.startsWith("_"))
    .flatMap((e) => markdownFiles(join(path, e.name)))
    .sort();
}

/** `text` with the fence and option lines of prose directives blanked, nested ones too. */
export function unfenceProse(text) {
  for (;;) {
    const lines = text.split("\n");
    let changed = false;
    const visit = (node) => {
      const name = node.type === "CodeBlock" && /^\{([\w-]+)\}/.exec(node.lang ?? "");
      if (name && PROSE_DIRECTIVES.has(name[1])) {
        const first = node.loc.start.line - 1;
        const last = node.loc.end.line - 1;
        lines[first] = " ".repeat(lines[first].length);
        for (let i = first + 1; i < last && OPTION.test(lines[i]); i++) {
          lines[i] = " ".repeat(lines[i].length);
        }
        if (last > first && FENCE.test(lines[last])) lines[last] = " ".repeat(lines[last].length);
        if (name[1] === "glossary") {
          // the terms (unindented lines) are names, variants included on purpose: only the
          // definitions are prose
          for (let i = first + 1; i < last; i++) {
            if (/^\S/.test(lines[i])) lines[i] = " ".repeat(lines[i].length);
          }
        }
        changed = true;
      } else {
        (node.children ?? []).forEach(visit);
      }
    };
    visit(parse(text));
    if (!changed) return text;
    text = lines.join("\n");
  }
}

// Generated text is not linted: lines from a MyST comment `% textlint-disable` (or a generator's
// `% …:begin` marker) to `% textlint-enable` (or `% …:end`, or the end of the file) are blanked,
// keeping line numbers. MyST comments are not rendered; HTML comments would show as text here.
const OFF = /^% (textlint-disable\b|[\w-]+:begin$)/;
const ON = /^% (textlint-enable\b|[\w-]+:end$)/;
function skipDisabled(text) {
  let off = false;
  return text
    .split("\n")
    .map((line) => {
      if (OFF.test(line)) off = true;
      else if (ON.test(line)) off = false;
      else if (!off && !/^%( |$)/.test(line)) return line; // MyST comments are not rendered
      return "";
    })
    .join("\n");
}

// Pages nested deeper than the validator allows (src/handbook_search/model/safety.py,
// nesting_problems: the same limits) are not linted: the Markdown parser takes minutes on them.
// `handbook-search validate` refuses them with file:line; here they are one problem each.
const MAX_BRACKETS = 30;
const MAX_DELIMITERS = 200;
const MAX_QUOTES = 10;
const MAX_INDENT = 120;
function tooDeep(text) {
  let depth = 0;
  let delimiters = 0;
  for (const [i, line] of text.split("\n").entries()) {
    const stripped = line.replace(/^[ \t>]*/, "");
    if (!stripped.trim()) {
      depth = delimiters = 0;
      continue;
    }
    const prefix = line.slice(0, line.length - stripped.length);
    if ((prefix.match(/>/g) ?? []).length > MAX_QUOTES || prefix.replace(/\t/g, "    ").length > MAX_INDENT) return i + 1;
    for (const ch of stripped) {
      if (ch === "[" && ++depth > MAX_BRACKETS) return i + 1;
      if (ch === "]") depth = Math.max(depth - 1, 0);
    }
    const body = /^(?:[*_-]|\d{1,9}[.)])\s/.test(stripped) ? stripped.slice(2) : stripped;
    if (body.startsWith("|")) delimiters = 0; // a table row: each cell is read on its own
    delimiters += (body.match(/(?<!\\)[*_]/g) ?? []).length;
    if (delimiters > MAX_DELIMITERS) return i + 1;
  }
  return 0;
}

const escape = (s) => s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");

async function main(paths) {
  const linter = createLinter({ descriptor: await loadTextlintrc() });
  const github = process.env.GITHUB_ACTIONS === "true";
  const files = paths.flatMap(markdownFiles);
  let problems = 0;
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    const deep = tooDeep(text);
    const messages = deep
      ? [{ line: deep, column: 1, ruleId: "handbook/nesting", message: "入れ子が深すぎるため確認しません（handbook-search validate の指摘を直してください）" }]
      : (await linter.lintText(unfenceProse(skipDisabled(text)), file)).messages;
    for (const m of messages) {
      const where = `${relative(process.cwd(), file)}:${m.line}:${m.column}`;
      const text = m.message.replace(/\s+/g, " ").trim();
      console.log(`${where}: ${text} [${m.ruleId}]`);
      if (github) {
        const [name, line, col] = where.split(":");
        console.log(`::error file=${name},line=${line},col=${col},title=textlint ${m.ruleId}::${escape(text)}`);
      }
      problems += 1;
    }
  }
  if (problems) {
    console.log(`textlint: ${files.length} ファイル中 ${problems} 件の指摘があります（書き方は docs/writing.md）`);
    process.exitCode = 1;
  }
}

await main(process.argv.slice(2));
