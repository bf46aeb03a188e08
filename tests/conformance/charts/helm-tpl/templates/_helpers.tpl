{{- define "helper" -}}
helper:{{ .Values.name }}
{{- end }}
{{- define "labels" -}}
app: {{ .Chart.Name }}
release: {{ .Release.Name }}
{{- end }}
{{- define "recurse" -}}
{{- if gt (int .n) 0 -}}{{ .n }},{{ include "recurse" (dict "n" (sub .n 1)) }}{{- end -}}
{{- end }}
{{- define "withDollar" -}}{{ $.Values.name }}-{{ .Values.name }}{{- end }}
{{- define "emptyish" }}{{ end }}
