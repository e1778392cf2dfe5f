import { dumpYaml, loadYaml } from "@kubernetes/client-node";
import { parse, stringify } from "yaml";

/**
 * Fields of the cert-manager kinds we render (cert-manager.io/v1), from its API reference; client-node has
 * no cert-manager types, so unknown keys are caught against this list.
 */
const CERT_MANAGER_FIELDS: Record<string, Record<string, readonly string[]>> = {
  Certificate: {
    spec: ["commonName", "dnsNames", "duration", "renewBefore", "renewBeforePercentage", "secretName", "secretTemplate", "issuerRef", "isCA", "usages", "privateKey", "subject", "ipAddresses", "uris", "emailAddresses", "keystores", "revisionHistoryLimit", "additionalOutputFormats", "literalSubject", "nameConstraints", "otherNames", "encodeUsagesInRequest", "signatureAlgorithm"],
    "spec.issuerRef": ["name", "kind", "group"],
    "spec.privateKey": ["algorithm", "size", "encoding", "rotationPolicy"],
    "spec.subject": ["organizations", "countries", "organizationalUnits", "localities", "provinces", "streetAddresses", "postalCodes", "serialNumber"],
  },
  Issuer: {
    spec: ["selfSigned", "ca", "acme", "vault", "venafi"],
    "spec.ca": ["secretName", "crlDistributionPoints", "ocspServers", "issuingCertificateURLs"],
    "spec.selfSigned": ["crlDistributionPoints"],
  },
};

/** Field paths in the object that the Kubernetes schema (or the cert-manager list) does not know. */
export function unknownFields(object: Record<string, unknown>): string[] {
  const kind = String(object["kind"]);
  const certManager = CERT_MANAGER_FIELDS[kind];
  if (String(object["apiVersion"]).startsWith("cert-manager.io/") && certManager) {
    const problems: string[] = [];
    for (const [path, allowed] of Object.entries(certManager)) {
      let node: unknown = object;
      for (const key of path.split(".")) node = (node as Record<string, unknown> | undefined)?.[key];
      if (node && typeof node === "object") for (const key of Object.keys(node)) if (!allowed.includes(key)) problems.push(`${path}.${key}`);
    }
    return problems;
  }
  // client-node's serializer keeps only the fields its Kubernetes types declare: a round trip drops typos.
  const round = parse(dumpYaml(loadYaml(stringify(object)))) as unknown;
  return diff(object, round, "");
}

function diff(original: unknown, round: unknown, path: string): string[] {
  if (Array.isArray(original)) return original.flatMap((item, index) => diff(item, Array.isArray(round) ? round[index] : undefined, `${path}[${String(index)}]`));
  if (original && typeof original === "object") {
    return Object.entries(original).flatMap(([key, value]) => {
      const next = (round as Record<string, unknown> | undefined)?.[key];
      const here = path ? `${path}.${key}` : key;
      if (next === undefined && value !== undefined) return [here];
      return diff(value, next, here);
    });
  }
  return [];
}
