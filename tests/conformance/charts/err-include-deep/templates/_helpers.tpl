{{- /* two names that include each other 200 levels deep, then fail: every link of the error is a template error */}}
{{- define "ping" }}{{ if lt (int .n) 200 }}{{ include "pong" (dict "n" (add1 .n)) }}{{ else }}{{ .x.y.z }}{{ end }}{{- end }}
{{- define "pong" }}{{ include "ping" (dict "n" (add1 .n)) }}{{- end }}
