/** The app most e2e tests deploy: a Deployment of two "app: web" Pods, as YAML for kubectl. */
export function webDeployment(ns: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ${ns}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: registry.k8s.io/pause:3.10, ports: [{containerPort: 8080}]}]
`;
}

/** The NetworkPolicy that isolates the web Pods for ingress. */
export function webIngressPolicy(ns: string): string {
  return `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-ingress, namespace: ${ns}}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress]
`;
}
