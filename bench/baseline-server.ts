import { readFileSync } from "node:fs";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";

/**
 * The floor: a bare Node HTTPS server that reads the body, parses the review and allows it.
 * No Node webhook can answer faster, so netguard is measured against it.
 */
const [certFile, keyFile] = process.argv.slice(2);
const server = createServer({ cert: readFileSync(certFile ?? "", "utf8"), key: readFileSync(keyFile ?? "", "utf8"), minVersion: "TLSv1.2", keepAliveTimeout: 65_000 }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    const review = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { apiVersion: string; request: { uid: string } };
    const text = JSON.stringify({ apiVersion: review.apiVersion, kind: "AdmissionReview", response: { uid: review.request.uid, allowed: true } });
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
    res.end(text);
  });
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`listening ${String((server.address() as AddressInfo).port)}\n`);
});
process.on("SIGTERM", () => {
  server.close();
  server.closeAllConnections();
});
