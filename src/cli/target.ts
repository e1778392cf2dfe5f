import type { KubeObject } from "../kube/object.js";
import { printable } from "../report/printable.js";

/** The kinds explain takes, by every name kubectl accepts for them (singular, plural, short). */
const KIND_NAMES: Readonly<Record<string, string>> = {
  pod: "Pod", pods: "Pod", po: "Pod",
  deployment: "Deployment", deployments: "Deployment", deploy: "Deployment",
  statefulset: "StatefulSet", statefulsets: "StatefulSet", sts: "StatefulSet",
  daemonset: "DaemonSet", daemonsets: "DaemonSet", ds: "DaemonSet",
  replicaset: "ReplicaSet", replicasets: "ReplicaSet", rs: "ReplicaSet",
  job: "Job", jobs: "Job",
  cronjob: "CronJob", cronjobs: "CronJob", cj: "CronJob",
  replicationcontroller: "ReplicationController", replicationcontrollers: "ReplicationController", rc: "ReplicationController",
  podtemplate: "PodTemplate", podtemplates: "PodTemplate",
};

/** A KIND/NAME argument, read as kubectl reads it. */
export interface Target {
  readonly kind: string;
  readonly name: string;
}

/** Reads KIND/NAME (deployment/web, deploy/web, pod/debug); an unknown kind names the ones it takes. */
export function parseTarget(text: string): { ok: true; value: Target } | { ok: false; error: string } {
  const slash = text.indexOf("/");
  if (slash <= 0 || slash === text.length - 1) return { ok: false, error: printable(`"${text}" is not KIND/NAME (deployment/web, pod/debug)`) };
  const kind = KIND_NAMES[text.slice(0, slash).toLowerCase()];
  if (kind === undefined) return { ok: false, error: printable(`"${text.slice(0, slash)}" is not a kind that runs pods (pod, deployment, statefulset, daemonset, replicaset, job, cronjob, replicationcontroller, podtemplate)`) };
  return { ok: true, value: { kind, name: text.slice(slash + 1) } };
}

/** The object a target names in a namespace, or a message saying what there is instead. */
export function findTarget(objects: readonly KubeObject[], target: Target, namespace: string): { ok: true; value: KubeObject } | { ok: false; error: string } {
  const sameKind = objects.filter((object) => object.ref.kind === target.kind);
  const found = sameKind.find((object) => object.ref.name === target.name && (object.ref.namespace ?? namespace) === namespace);
  if (found !== undefined) return { ok: true, value: found };
  const there = sameKind.slice(0, 5).map((object) => `${object.ref.namespace ?? namespace}/${object.ref.name}`);
  const more = sameKind.length > there.length ? `, and ${String(sameKind.length - there.length)} more` : "";
  return { ok: false, error: printable(`no ${target.kind} "${target.name}" in namespace "${namespace}"${there.length === 0 ? ` (there is no ${target.kind} at all)` : ` (there are ${there.join(", ")}${more}; -n sets the namespace)`}`) };
}
