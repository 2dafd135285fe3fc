{{- define "qwen2vl.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "qwen2vl.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "qwen2vl.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "qwen2vl.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Selector labels for one component: include "qwen2vl.selector" (dict "root" . "component" "gateway") */}}
{{- define "qwen2vl.selector" -}}
app.kubernetes.io/name: {{ include "qwen2vl.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "qwen2vl.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "qwen2vl.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "qwen2vl.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "qwen2vl.redisAddress" -}}
{{- if .Values.redis.bundled -}}
{{- printf "%s-redis:6379" (include "qwen2vl.fullname" .) -}}
{{- else -}}
{{- required "redis.externalAddress is required when redis.bundled is false" .Values.redis.externalAddress -}}
{{- end -}}
{{- end -}}

{{- define "qwen2vl.modelClaim" -}}
{{- default (printf "%s-models" (include "qwen2vl.fullname" .)) .Values.model.storage.existingClaim -}}
{{- end -}}

{{/* Environment shared by every server container. */}}
{{- define "qwen2vl.commonEnv" -}}
- name: POD_NAME
  valueFrom: {fieldRef: {fieldPath: metadata.name}}
- name: POD_NAMESPACE
  valueFrom: {fieldRef: {fieldPath: metadata.namespace}}
- name: POD_IP
  valueFrom: {fieldRef: {fieldPath: status.podIP}}
- name: Qwen2VL__Redis
  value: {{ include "qwen2vl.redisAddress" . | quote }}
- name: Qwen2VL__ClusterId
  value: {{ .Release.Name | quote }}
- name: OTEL_SERVICE_NAME
  value: {{ include "qwen2vl.fullname" . | quote }}
{{- with .Values.telemetry.otlpEndpoint }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ . | quote }}
{{- end }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "qwen2vl.podSecurity" -}}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
serviceAccountName: {{ include "qwen2vl.serviceAccountName" . }}
{{- end -}}
