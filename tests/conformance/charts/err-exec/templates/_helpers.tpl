{{- define "lvl3" -}}{{ required "lvl3 requires .Values.needed" .Values.needed }}{{- end }}
{{- define "lvl2" -}}{{ include "lvl3" . }}{{- end }}
{{- define "lvl1" -}}{{ include "lvl2" . | indent 2 }}{{- end }}
{{- define "nilptr" -}}{{ .Values.absent.deeper.key }}{{- end }}
{{- define "nilptr.outer" -}}x{{ include "nilptr" . }}{{- end }}
{{- define "self" -}}{{ include "self" . }}{{- end }}
{{- define "fail.helper" -}}{{ fail "helper failed" }}{{- end }}
