{{- define "dup" }}from-_b{{ end }}
{{- define "blk" }}overridden-block{{ end }}
