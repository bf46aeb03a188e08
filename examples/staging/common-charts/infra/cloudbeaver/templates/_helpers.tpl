{{- define "cloudbeaver.selectorLabels" -}}
app.kubernetes.io/name: cloudbeaver
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}
