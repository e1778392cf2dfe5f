import express, { type Express } from "express";

/** What the probes report on. */
export interface ProbeState {
  readonly isReady: () => { ready: true } | { ready: false; reason: string };
}

/** The /metrics page and its content type. */
export interface MetricsPage {
  readonly contentType: string;
  readonly render: () => Promise<string>;
}

/** The plain-HTTP probe and metrics app: /healthz, /readyz, /metrics. */
export function createProbeApp(state: ProbeState, metrics: MetricsPage): Express {
  const app = express();
  app.disable("x-powered-by");
  app.get("/healthz", (_req, res) => {
    res.type("text/plain").send("ok\n");
  });
  app.get("/readyz", (_req, res) => {
    const readiness = state.isReady();
    if (readiness.ready) res.type("text/plain").send("ok\n");
    else res.status(503).type("text/plain").send(`not ready: ${readiness.reason}\n`);
  });
  app.get("/metrics", async (_req, res) => {
    res.type(metrics.contentType).send(await metrics.render());
  });
  app.use((_req, res) => {
    res.status(404).json({ error: "not found: this port serves /healthz, /readyz and /metrics" });
  });
  return app;
}
