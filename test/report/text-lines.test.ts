import { describe, expect, it } from "vitest";
import type { Finding, Report } from "../../src/engine/types.js";
import { renderTextLines } from "../../src/report/text-lines.js";

const finding = (over: Partial<Finding>): Finding => ({
  rule: "host-port",
  action: "deny",
  object: { apiVersion: "v1", kind: "Pod", namespace: "shop", name: "web" },
  field: "spec.containers[0].ports[0].hostPort",
  value: "9100",
  message: 'container "web" uses hostPort 9100',
  fix: "Remove hostPort.",
  key: "k",
  details: [],
  source: { file: "app.yaml", line: 7 },
  ...over,
});
const unlocated = (located: Finding): Finding => Object.fromEntries(Object.entries(located).filter(([key]) => key !== "source")) as unknown as Finding;
const report = (findings: Finding[], objects = 1): Report => ({ objects, findings, waived: [], expired: [], problems: [], unappliedOverrides: [] });
const text = (findings: Finding[], colour = false) => renderTextLines({ report: report(findings), checked: [], version: "0" }, { colour });

describe("check's one-line text output", () => {
  it.each<[string, Finding[], string]>([
    ["nothing found: the summary alone", [], "1 objects checked: 0 deny, 0 warn, 0 audit, 0 waived, 0 problems\n"],
    [
      "one finding: location, action, rule, object, message (field); the fix after the list",
      [finding({})],
      'app.yaml:7  deny  host-port  Pod shop/web  container "web" uses hostPort 9100 (spec.containers[0].ports[0].hostPort)\n\nHow to fix:\n  host-port  Remove hostPort.\n\n1 objects checked: 1 deny, 0 warn, 0 audit, 0 waived, 0 problems\n',
    ],
    [
      "columns aligned over every line; sorted by file as read, then line; each rule's fix once",
      [
        finding({ source: { file: "b.yaml", line: 30 } }),
        finding({ rule: "tcp-only", action: "warn", message: "UDP", fix: "Use TCP.", field: "f", source: { file: "a-longer-name.yaml", line: 2 } }),
        finding({ source: { file: "b.yaml", line: 4 }, object: { apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: "api" } }),
      ],
      [
        'b.yaml:4              deny  host-port  Deployment shop/api  container "web" uses hostPort 9100 (spec.containers[0].ports[0].hostPort)',
        'b.yaml:30             deny  host-port  Pod shop/web         container "web" uses hostPort 9100 (spec.containers[0].ports[0].hostPort)',
        "a-longer-name.yaml:2  warn  tcp-only   Pod shop/web         UDP (f)",
        "",
        "How to fix:",
        "  host-port  Remove hostPort.",
        "  tcp-only   Use TCP.",
        "",
        "1 objects checked: 2 deny, 1 warn, 0 audit, 0 waived, 0 problems",
        "",
      ].join("\n"),
    ],
    [
      "objects with no file (a cluster's): no location column",
      [unlocated(finding({}))],
      'deny  host-port  Pod shop/web  container "web" uses hostPort 9100 (spec.containers[0].ports[0].hostPort)\n\nHow to fix:\n  host-port  Remove hostPort.\n\n1 objects checked: 1 deny, 0 warn, 0 audit, 0 waived, 0 problems\n',
    ],
    [
      "the override that set an action, after the message",
      [finding({ action: "warn", override: { index: 0, reason: "try things out", scope: "dev-*" } })],
      'app.yaml:7  warn  host-port  Pod shop/web  container "web" uses hostPort 9100 (spec.containers[0].ports[0].hostPort)  (warn in dev-*: try things out)\n\nHow to fix:\n  host-port  Remove hostPort.\n\n1 objects checked: 0 deny, 1 warn, 0 audit, 0 waived, 0 problems\n',
    ],
    [
      "details (near misses) are counted, and -v named to show them",
      [finding({ rule: "ingress-policy", message: "no policy", fix: "Add one.", field: "metadata.labels", details: ["NetworkPolicy shop/x selects app=api, not app=web"] })],
      "app.yaml:7  deny  ingress-policy  Pod shop/web  no policy (metadata.labels)\n\nHow to fix:\n  ingress-policy  Add one.\n\n1 finding has details (near misses, what else was seen): -v shows them\n\n1 objects checked: 1 deny, 0 warn, 0 audit, 0 waived, 0 problems\n",
    ],
  ])("%s", (_name, findings, expected) => {
    expect(text(findings, false)).toBe(expected);
  });

  it("control characters from the input are escaped before padding, so columns and lines cannot be forged", () => {
    const forged = finding({ object: { apiVersion: "v1", kind: "Pod", namespace: "shop", name: "a\u001b[2K\rDENY" } });
    const first = text([forged, finding({})]).split("\n").slice(0, 2);
    expect(first).toEqual([
      'app.yaml:7  deny  host-port  Pod shop/a\\x1b[2K\\rDENY  container "web" uses hostPort 9100 (spec.containers[0].ports[0].hostPort)',
      'app.yaml:7  deny  host-port  Pod shop/web             container "web" uses hostPort 9100 (spec.containers[0].ports[0].hostPort)',
    ]);
  });

  it("a huge name is shown whole but pads no other line beyond 80 columns: output stays linear in the input", () => {
    const huge = finding({ object: { apiVersion: "v1", kind: "Pod", namespace: "shop", name: "n".repeat(100_000) } });
    const [first, second] = text([huge, finding({})]).split("\n");
    expect(first).toContain(`Pod shop/${"n".repeat(100_000)}  container`);
    expect(second).toBe(`app.yaml:7  deny  host-port  ${"Pod shop/web".padEnd(80)}  container "web" uses hostPort 9100 (spec.containers[0].ports[0].hostPort)`);
  });

  it("colour: the location dim, the action in its colour (deny red, warn yellow, audit cyan), the rule bold; nothing else", () => {
    const lines = text([finding({}), finding({ action: "warn", source: { file: "app.yaml", line: 8 } }), finding({ action: "audit", source: { file: "app.yaml", line: 9 } })], true).split("\n");
    expect(lines.slice(0, 3)).toEqual([
      '\u001b[2mapp.yaml:7\u001b[0m  \u001b[31mdeny \u001b[0m  \u001b[1mhost-port\u001b[0m  Pod shop/web  container "web" uses hostPort 9100 (spec.containers[0].ports[0].hostPort)',
      '\u001b[2mapp.yaml:8\u001b[0m  \u001b[33mwarn \u001b[0m  \u001b[1mhost-port\u001b[0m  Pod shop/web  container "web" uses hostPort 9100 (spec.containers[0].ports[0].hostPort)',
      '\u001b[2mapp.yaml:9\u001b[0m  \u001b[36maudit\u001b[0m  \u001b[1mhost-port\u001b[0m  Pod shop/web  container "web" uses hostPort 9100 (spec.containers[0].ports[0].hostPort)',
    ]);
    expect(lines.slice(4, 6)).toEqual(["How to fix:", "  \u001b[1mhost-port\u001b[0m  Remove hostPort."]);
  });
});
