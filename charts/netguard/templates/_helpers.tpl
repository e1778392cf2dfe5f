{{/* Object names: the release name, as kustomize's namePrefix is "netguard-". */}}
{{- define "netguard.fullname" -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}

{{/* The labels kustomize sets (part-of) and the ones Helm charts carry. */}}
{{- define "netguard.labels" -}}
app.kubernetes.io/part-of: netguard
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "netguard.selector" -}}
app.kubernetes.io/name: netguard
app.kubernetes.io/component: webhook
{{- end -}}

{{- define "netguard.serviceAccount" -}}
{{ include "netguard.fullname" . }}-controller
{{- end -}}

{{- define "netguard.subject" -}}
- kind: ServiceAccount
  name: {{ include "netguard.serviceAccount" . }}
  namespace: {{ .Release.Namespace }}
{{- end -}}

{{- define "netguard.selfManaged" -}}
{{- if eq .Values.certificates.mode "self-managed" -}}true{{- else if eq .Values.certificates.mode "cert-manager" -}}{{- else -}}{{- fail (printf "certificates.mode must be cert-manager or self-managed, not %q" .Values.certificates.mode) -}}{{- end -}}
{{- end -}}
