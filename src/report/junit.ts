import { overrideNote } from "../engine/overrides.js";
import type { Finding } from "../engine/types.js";
import { describeRef, type SourceRef } from "../kube/object.js";
import { printable } from "./printable.js";
import type { RenderInput } from "./render-input.js";

/**
 * `--output junit`: one test case per checked object, failed by its deny findings, and one errored
 * case per problem. Shaped for the readers: `file` is a plain path and `line` its own attribute
 * (GitLab, the GitHub report actions), every case has a `time`, names are unique within a class
 * (GitLab keeps one of two equal ones), and classnames carry no dot but the one after "netguard"
 * (Jenkins splits a classname at its last dot into package and class).
 */
export function renderJunit({ report, checked }: RenderInput): string {
  const cases: string[] = [];
  const names = uniqueNames();
  let failures = 0;
  const byObject = new Map<object, Finding[]>();
  for (const finding of report.findings) {
    const list = byObject.get(finding.object);
    if (list) list.push(finding);
    else byObject.set(finding.object, [finding]);
  }
  for (const object of checked) {
    const findings = byObject.get(object.ref) ?? [];
    const denials = findings.filter((finding) => finding.action === "deny");
    const others = findings.filter((finding) => finding.action !== "deny");
    const classname = classOf(object.source, object.ref.namespace);
    let body = "";
    if (denials.length > 0) {
      failures += 1;
      const text = denials.map((f) => `[${f.rule}] ${where(f.source)}${f.field}: ${f.message}${note(f)}\nfix: ${f.fix}`).join("\n\n");
      body += `\n      <failure message="${escape(denials.map((f) => `${f.rule}: ${f.message}`).join("; "))}" type="${escape(denials.map((f) => f.rule).join(","))}">${escape(text)}</failure>`;
    }
    if (others.length > 0) {
      body += `\n      <system-out>${escape(others.map((f) => `${f.action} [${f.rule}] ${where(f.source)}${f.field}: ${f.message}${note(f)}`).join("\n"))}</system-out>`;
    }
    const name = names(classname, describeRef(object.ref));
    cases.push(`    <testcase classname="${escape(classname)}" name="${escape(name)}"${fileAttributes(object.source)} time="0">${body}${body ? "\n    " : ""}</testcase>`);
  }
  for (const problem of report.problems) {
    const message = `${problem.field ? `${problem.field}: ` : ""}${problem.message}`;
    const classname = classOf(problem.source, problem.object?.namespace);
    const name = names(classname, problem.object ? describeRef(problem.object) : "input");
    cases.push(`    <testcase classname="${escape(classname)}" name="${escape(name)}"${fileAttributes(problem.source)} time="0">\n      <error message="${escape(message)}" type="invalid-input">${escape(message)}</error>\n    </testcase>`);
  }
  const tests = checked.length + report.problems.length;
  const counts = `tests="${String(tests)}" failures="${String(failures)}" errors="${String(report.problems.length)}" skipped="0" time="0"`;
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="netguard" ${counts}>`,
    `  <testsuite name="netguard" ${counts}>`,
    ...cases,
    `  </testsuite>`,
    `</testsuites>`,
    "",
  ].join("\n");
}

/** "netguard.deploy/app_yaml" for a file, "netguard.shop" for a namespace of a cluster, "netguard.cluster" for the rest. */
function classOf(source: SourceRef | undefined, namespace: string | undefined): string {
  const part = source ? source.file : (namespace ?? "cluster");
  return `netguard.${part.replaceAll(".", "_")}`;
}

function fileAttributes(source: SourceRef | undefined): string {
  if (source === undefined) return "";
  return ` file="${escape(source.file)}"${source.line > 0 ? ` line="${String(source.line)}"` : ""}`;
}

function where(source: SourceRef | undefined): string {
  return source && source.line > 0 ? `line ${String(source.line)}: ` : "";
}

/** Names made unique within their class: a second "Pod shop/web" becomes "Pod shop/web (2)". */
function uniqueNames(): (classname: string, name: string) => string {
  const seen = new Map<string, number>();
  return (classname, name) => {
    const key = `${classname}\u0000${name}`;
    const count = (seen.get(key) ?? 0) + 1;
    seen.set(key, count);
    return count === 1 ? name : `${name} (${String(count)})`;
  };
}

function note(finding: Finding): string {
  return finding.override ? ` ${overrideNote(finding.action, finding.override)}` : "";
}

/** Text from objects, escaped for XML: control characters shown as \\x1b (XML 1.0 cannot carry them), markup characters as entities. */
function escape(text: string): string {
  // Line by line: netguard's own line breaks stay, any other control character is shown escaped.
  const shown = text
    .split("\n")
    .map(printable)
    .join("\n")
    .replace(/[\uFFFE\uFFFF]/g, (char) => `\\u${char.charCodeAt(0).toString(16)}`);
  return shown.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");
}
