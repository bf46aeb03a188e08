{{- define "vars.root" -}}
{{ printf "%v" $ }}|{{ printf "%v" . }}
{{- end }}
