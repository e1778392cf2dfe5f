import { overrideNote } from "../engine/overrides.js";
import type { Finding } from "../engine/types.js";
import { describeRef } from "../kube/object.js";
import { showSource, type RenderInput } from "./render-input.js";

/** `--output junit`: one test case per checked object; deny findings fail it, problems error it. */
export function renderJunit({ report, checked }: RenderInput): string {
  const cases: string[] = [];
  let failures = 0;
  for (const object of checked) {
    const findings = report.findings.filter((finding) => finding.object === object.ref);
    const denials = findings.filter((finding) => finding.action === "deny");
    const others = findings.filter((finding) => finding.action !== "deny");
    const name = describeRef(object.ref);
    const classname = object.source ? object.source.file : "cluster";
    let body = "";
    if (denials.length > 0) {
      failures += 1;
      const text = denials.map((f) => `[${f.rule}] ${f.field}: ${f.message}${note(f)}\nfix: ${f.fix}`).join("\n\n");
      body += `\n      <failure message="${escape(denials.map((f) => `${f.rule}: ${f.message}`).join("; "))}" type="${escape(denials.map((f) => f.rule).join(","))}">${escape(text)}</failure>`;
    }
    if (others.length > 0) {
      body += `\n      <system-out>${escape(others.map((f) => `${f.action} [${f.rule}] ${f.field}: ${f.message}${note(f)}`).join("\n"))}</system-out>`;
    }
    const where = showSource(object.source);
    const file = where ? ` file="${escape(where)}"` : "";
    cases.push(`    <testcase classname="${escape(classname)}" name="${escape(name)}"${file}>${body}${body ? "\n    " : ""}</testcase>`);
  }
  for (const problem of report.problems) {
    const where = showSource(problem.source) || "(input)";
    const message = `${problem.field ? `${problem.field}: ` : ""}${problem.message}`;
    cases.push(`    <testcase classname="${escape(problem.source?.file ?? "input")}" name="${escape(`${where} ${problem.object ? describeRef(problem.object) : "input"}`)}">\n      <error message="${escape(message)}" type="invalid-input">${escape(message)}</error>\n    </testcase>`);
  }
  const tests = checked.length + report.problems.length;
  const counts = `tests="${String(tests)}" failures="${String(failures)}" errors="${String(report.problems.length)}" skipped="0"`;
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

function note(finding: Finding): string {
  return finding.override ? ` ${overrideNote(finding.action, finding.override)}` : "";
}

/** XML-escapes text and strips characters XML 1.0 cannot carry. */
function escape(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "")
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}
