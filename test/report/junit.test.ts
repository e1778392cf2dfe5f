import { describe, expect, it } from "vitest";
import type { Finding, Report } from "../../src/engine/types.js";
import type { ObjectRef } from "../../src/kube/object.js";
import { renderJunit } from "../../src/report/junit.js";

/**
 * Readers' expectations, written down (the schemas cannot be fetched offline): Jenkins xunit's
 * junit-10.xsd (jenkinsci/xunit-plugin, src/main/resources/org/jenkinsci/plugins/xunit/types/model/xsd/junit-10.xsd)
 * wants testsuite@name, @tests and testcase@name, with @classname and @time optional; `file` and
 * `line` on testcase are not in it but are what GitLab (file) and the GitHub report actions
 * (mikepenz/action-junit-report: file, line) read, so they are added. GitLab dedupes by
 * classname+name; Jenkins splits a classname at its last dot.
 */
const ref = (name: string, kind = "Pod"): ObjectRef => ({ apiVersion: "v1", kind, namespace: "shop", name });
const deny = (object: ObjectRef, message = 'container "a" uses hostPort 80'): Finding => ({
  rule: "host-port",
  action: "deny",
  object,
  field: "spec.containers[0].ports[0].hostPort",
  value: "80",
  message,
  fix: "fix",
  key: "k",
  details: [],
  source: { file: "deploy/app.yaml", line: 12 },
});
const xml = (checked: { ref: ObjectRef; source?: { file: string; line: number } }[], findings: Finding[], problems: Report["problems"] = []) =>
  renderJunit({ report: { objects: checked.length, findings, waived: [], expired: [], problems, unappliedOverrides: [] }, checked, version: "1" });
const attributes = (text: string, element: string) => [...text.matchAll(new RegExp(`<${element} ([^>]*)>`, "g"))].map((m) => Object.fromEntries([...(m[1] ?? "").matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]])));

describe("JUnit for GitLab, Jenkins and the GitHub report actions", () => {
  it("a plain path in file, the line in its own attribute, a time on every case, a classname with one dot", () => {
    const pod = ref("web");
    const out = xml([{ ref: pod, source: { file: "deploy/app.yaml", line: 3 } }], [deny(pod)]);
    expect(attributes(out, "testcase")).toEqual([{ classname: "netguard.deploy/app_yaml", name: "Pod shop/web", file: "deploy/app.yaml", line: "3", time: "0" }]);
    expect(attributes(out, "testsuite")[0]).toMatchObject({ name: "netguard", tests: "1", failures: "1", errors: "0", time: "0" });
    expect(out).toContain("[host-port] line 12: spec.containers[0].ports[0].hostPort: container &quot;a&quot; uses hostPort 80");
  });

  it("names are unique within a class: two problems of one input, two objects of one name", () => {
    const problems = [0, 1].map(() => ({ object: undefined, source: undefined, field: undefined, message: "cannot list cronjobs" }));
    const out = xml([{ ref: ref("web") }, { ref: ref("web") }], [], problems);
    expect(attributes(out, "testcase").map((a) => `${a["classname"] ?? ""} ${a["name"] ?? ""}`)).toEqual(["netguard.shop Pod shop/web", "netguard.shop Pod shop/web (2)", "netguard.cluster input", "netguard.cluster input (2)"]);
  });

  it("shows control characters from objects escaped, never drops them and never writes what XML 1.0 cannot carry", () => {
    const pod = ref("web\u001b[2Kx");
    const out = xml([{ ref: pod }], [deny(pod, "bell\u0007 and \uFFFE")]);
    expect(out).toContain("web\\x1b[2Kx");
    expect(out).toContain("bell\\x07 and \\ufffe");
    expect(out).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\uFFFE\uFFFF]/);
  });
});
