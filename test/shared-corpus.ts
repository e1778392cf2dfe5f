import { existsSync } from "node:fs";
import { join } from "node:path";

/** ../shared/corpus/kube-prometheus beside the project: present on the team's machines and in CI, not on a user's clone. */
export const KUBE_PROMETHEUS = join(import.meta.dirname, "..", "..", "shared", "corpus", "kube-prometheus");

/** Whether the shared corpus is here; tests that need it skip with a message when it is not. */
export const HAS_CORPUS = existsSync(KUBE_PROMETHEUS);

/** The message a skipped corpus test prints. */
export const NO_CORPUS = `skipped: ${KUBE_PROMETHEUS} is absent (it ships beside the project on the team's machines and in CI only)`;
