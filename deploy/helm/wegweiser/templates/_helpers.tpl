{{/* Names, labels and the environment the three services share. */}}

{{- define "wegweiser.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "wegweiser.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Selector labels of one component: (dict "ctx" $ "component" "rasa") */}}
{{- define "wegweiser.selector" -}}
app.kubernetes.io/name: {{ .ctx.Chart.Name }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "wegweiser.image" -}}
{{- printf "%s/%s:%s" .ctx.Values.image.registry .component (.ctx.Values.image.tag | default .ctx.Chart.AppVersion) -}}
{{- end -}}

{{- define "wegweiser.allowedOrigins" -}}
{{- .Values.widgetAllowedOrigins | default .Values.publicUrl -}}
{{- end -}}

{{/* A secretKeyRef env var: (dict "ctx" $ "name" "DB_PASSWORD" "key" "db-password" "optional" false) */}}
{{- define "wegweiser.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ .ctx.Values.secrets.name }}
      key: {{ .key }}
      {{- if .optional }}
      optional: true
      {{- end }}
{{- end -}}

{{/* Database, Redis and action server: what endpoints.yml substitutes (${VAR}). */}}
{{- define "wegweiser.storeEnv" -}}
- name: DB_HOST
  value: {{ .Values.postgresql.host | quote }}
- name: DB_PORT
  value: {{ .Values.postgresql.port | quote }}
- name: DB_NAME
  value: {{ .Values.postgresql.database | quote }}
- name: DB_USER
  value: {{ .Values.postgresql.user | quote }}
{{ include "wegweiser.secretEnv" (dict "ctx" . "name" "DB_PASSWORD" "key" .Values.secrets.keys.dbPassword) }}
- name: REDIS_HOST
  value: {{ .Values.redis.host | quote }}
- name: REDIS_PORT
  value: {{ .Values.redis.port | quote }}
- name: REDIS_DB
  value: {{ .Values.redis.lockDb | quote }}
{{- if .Values.redis.passwordRequired }}
{{ include "wegweiser.secretEnv" (dict "ctx" . "name" "REDIS_PASSWORD" "key" .Values.secrets.keys.redisPassword) }}
{{- else }}
- name: REDIS_PASSWORD
  value: ""
{{- end }}
- name: ACTION_ENDPOINT_URL
  value: {{ printf "http://%s-actions:5055/webhook" (include "wegweiser.fullname" .) | quote }}
- name: SQLALCHEMY_SILENCE_UBER_WARNING
  value: "1"
- name: RASA_TELEMETRY_ENABLED
  value: "false"
{{- end -}}

{{/* Writable scratch space: the root filesystem is read-only. */}}
{{- define "wegweiser.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: 2Gi
{{- end -}}
