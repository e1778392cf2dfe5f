import express, { type Express } from "express";

/** The HTTPS app for everything but POST /validate (which a plain handler serves: docs/adr/0003). */
export function createWebhookFallbackApp(): Express {
  const app = express();
  app.disable("x-powered-by");
  app.all("/validate", (_req, res) => {
    res.status(405).set("allow", "POST").json({ error: "method not allowed: POST an AdmissionReview to /validate" });
  });
  app.use((_req, res) => {
    res.status(404).json({ error: "not found: POST AdmissionReviews to /validate" });
  });
  return app;
}
