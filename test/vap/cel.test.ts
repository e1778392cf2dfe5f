import { describe, expect, it } from "vitest";
import { all, always, any, between, equals, isTrue, not, oneOf, same, type Condition, type MessagePart } from "../../src/rules/condition.js";
import { celString, conditionCel, keyCel, messageCel, type CelBindings } from "../../src/vap/cel.js";

const PORT: CelBindings = {
  container: { holder: "c", name: "name", type: "string" },
  containerPort: { holder: "p", name: "containerPort", type: "int" },
  hostPort: { holder: "p", name: "hostPort", type: "int" },
  protocol: { holder: "p", name: "protocol", type: "string" },
  hostNetwork: { holder: "variables.spec", name: "hostNetwork", type: "bool" },
  name: { holder: "p", name: "name", type: "string" },
  port: { holder: "p", name: "port", type: "int-or-string" },
  direction: { holder: undefined, name: "'ingress'", type: "string" },
};

describe("conditions in CEL: absent fields read as the API server's default, or make the comparison false", () => {
  it.each<[string, Condition, string]>([
    ["always", always, "true"],
    ["a defaulted bool", isTrue("hostNetwork"), "(has(variables.spec.hostNetwork) ? variables.spec.hostNetwork : false) == true"],
    ["a defaulted int", equals("hostPort", 0), "(has(p.hostPort) ? p.hostPort : 0) == 0"],
    ["a field without default", equals("containerPort", 80), "(has(p.containerPort) && p.containerPort == 80)"],
    ["two fields", same("hostPort", "containerPort"), "(has(p.containerPort) && (has(p.hostPort) ? p.hostPort : 0) == p.containerPort)"],
    ["a list", oneOf("protocol", ["TCP", "SCTP"]), "(has(p.protocol) ? p.protocol : 'TCP') in ['TCP', 'SCTP']"],
    ["a range", between("hostPort", 30000, 30100), "((has(p.hostPort) ? p.hostPort : 0) >= 30000 && (has(p.hostPort) ? p.hostPort : 0) <= 30100)"],
    ["not", not(isTrue("hostNetwork")), "!((has(variables.spec.hostNetwork) ? variables.spec.hostNetwork : false) == true)"],
    ["empty all and any fold away", all(any(), all()), "false"],
    ["a true part drops out of all", all(always, isTrue("hostNetwork")), "(has(variables.spec.hostNetwork) ? variables.spec.hostNetwork : false) == true"],
    ["not of a constant folds", not(any()), "true"],
  ])("%s", (_, condition, cel) => {
    expect(conditionCel(condition, PORT)).toBe(cel);
  });

  it("a field the place does not offer is a generator error, not a silent false", () => {
    expect(() => conditionCel(isTrue("hostNetwork"), {})).toThrow("the CEL generator has no binding for field hostNetwork here");
  });
});

describe("messages and keys in CEL", () => {
  it.each<[string, readonly MessagePart[], string]>([
    ["literals merge; ints become strings", ['container "', { field: "container" }, '" uses hostPort ', { field: "hostPort" }], "'container \"' + (has(c.name) ? c.name : '?') + '\" uses hostPort ' + string((has(p.hostPort) ? p.hostPort : 0))"],
    ["an absent field without default reads ?", ["port ", { field: "containerPort" }], "'port ' + (has(p.containerPort) ? string(p.containerPort) : '?')"],
    ["a choice on presence (an empty name is no name)", [{ present: "name", then: ['"', { field: "name" }, '"'], otherwise: ["unnamed"] }], "((has(p.name) && p.name != '') ? '\"' + (has(p.name) ? p.name : '') + '\"' : 'unnamed')"],
    ["a literal field", [{ field: "direction" }, " port"], "'ingress' + ' port'"],
  ])("%s", (_, parts, cel) => {
    expect(messageCel(parts, PORT)).toBe(cel);
  });

  it("a key joins prefix and fields with '/', an alternative taking the first present field", () => {
    expect(keyCel("service", [["name", "port"], "protocol"], PORT)).toBe(
      "'service' + '/' + ((has(p.name) && p.name != '') ? (has(p.name) ? p.name : '') : (has(p.port) ? (has(p.port) ? string(p.port) : '?') : '?')) + '/' + (has(p.protocol) ? p.protocol : 'TCP')",
    );
  });

  it.each([
    ["plain", "'plain'"],
    ["it's", "'it\\'s'"],
    ["back\\slash", "'back\\\\slash'"],
  ])("celString(%j) = %s", (text, cel) => {
    expect(celString(text)).toBe(cel);
  });
});
