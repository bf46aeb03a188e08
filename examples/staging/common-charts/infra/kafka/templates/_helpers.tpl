{{/* Every pod is a controller voter: 0@kafka-0.kafka-headless.<ns>.svc…:9093,1@…, one per replica. */}}
{{- define "kafka.quorumVoters" -}}
{{- $voters := list }}
{{- range $i := until (int .Values.replicas) }}
{{- $voters = append $voters (printf "%d@%s-%d.%s-headless.%s.svc.cluster.local:9093" $i $.Release.Name $i $.Release.Name $.Release.Namespace) }}
{{- end }}
{{- join "," $voters }}
{{- end }}

{{- define "kafka.selectorLabels" -}}
app.kubernetes.io/name: kafka
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}
