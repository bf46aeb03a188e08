{{- define "dup" }}from-_a{{ end }}
{{- define "only-a" }}only-a:{{ . }}{{ end }}
{{- define "ctx" }}{{ .Template.Name }}|{{ .Template.BasePath }}{{ end }}
