{{- define "dup" }}from-sub-_c{{ end }}
{{- define "deep" }}deep-{{ . }}{{ end }}
