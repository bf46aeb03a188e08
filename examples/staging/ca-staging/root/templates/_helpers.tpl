{{/*
Sync policy shared by every generated Application. Retries matter here: a child app whose
CRDs come from an earlier wave may still see a stale discovery cache on its first attempt.
*/}}
{{- define "root.syncPolicy" -}}
automated:
  prune: true
  selfHeal: true
syncOptions:
  {{- toYaml (.app.syncOptions | default .global.syncOptions) | nindent 2 }}
retry:
  limit: 5
  backoff:
    duration: 10s
    factor: 2
    maxDuration: 3m
{{- end }}

{{/* The second source of every app: the 303 repo itself, so valueFiles can say $values/… */}}
{{- define "root.valuesSource" -}}
- repoURL: {{ .repoURL }}
  targetRevision: {{ .targetRevision }}
  ref: values
{{- end }}
