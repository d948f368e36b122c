{{/* Names */}}
{{- define "flowmesh.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "flowmesh.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "flowmesh.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "flowmesh.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "flowmesh.selector" -}}
app.kubernetes.io/name: {{ include "flowmesh.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "flowmesh.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "flowmesh.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "flowmesh.image" -}}
{{- printf "%s:%s" .image.repository (default .root.Chart.AppVersion .image.tag) -}}
{{- end -}}

{{/* The Secret with the admin and node tokens and the signing key. */}}
{{- define "flowmesh.authSecret" -}}
{{- default (printf "%s-auth" (include "flowmesh.fullname" .)) .Values.auth.existingSecret -}}
{{- end -}}

{{/* Where the store's connection string is: a Secret name and key. */}}
{{- define "flowmesh.storeSecret" -}}
{{- if or .Values.postgresql.bundled.enabled .Values.postgresql.external.connectionString -}}
{{- printf "%s-store" (include "flowmesh.fullname" .) -}}
{{- else -}}
{{- required "postgresql: set postgresql.external.existingSecret (a Secret with the connection string), postgresql.external.connectionString, or postgresql.bundled.enabled=true" .Values.postgresql.external.existingSecret -}}
{{- end -}}
{{- end -}}

{{- define "flowmesh.storeSecretKey" -}}
{{- if or .Values.postgresql.bundled.enabled .Values.postgresql.external.connectionString -}}
connection-string
{{- else -}}
{{- .Values.postgresql.external.secretKey -}}
{{- end -}}
{{- end -}}

{{/*
A generated value that survives upgrades: the one already in the release's Secret if there is one, else a new one.
Arguments: root, secret (name), key, value (given; wins when set), generate (a fresh value).
*/}}
{{- define "flowmesh.keep" -}}
{{- if .value -}}
{{- .value -}}
{{- else -}}
{{- $existing := lookup "v1" "Secret" .root.Release.Namespace .secret -}}
{{- if and $existing (index $existing.data .key) -}}
{{- index $existing.data .key | b64dec -}}
{{- else -}}
{{- .generate -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "flowmesh.token" -}}
{{- printf "fmk_%s_%s" (randAlphaNum 12 | lower) (randAlphaNum 43) -}}
{{- end -}}

{{- define "flowmesh.serverUrl" -}}
{{- printf "http://%s:%v" (include "flowmesh.fullname" .) .Values.service.port -}}
{{- end -}}
