{{/* The release's name for every object: the release name, with "wavecd" appended unless it holds it. */}}
{{- define "wavecd.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "wavecd.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "wavecd.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{ include "wavecd.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "wavecd.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "wavecd.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Where git-sync keeps the repository, and the link to its current checkout that wavecd reads. */}}
{{- define "wavecd.gitRoot" -}}/git{{- end -}}
{{- define "wavecd.checkout" -}}/git/repo{{- end -}}

{{/* The port wavecd serves the API and the webhook on, inside the pod. */}}
{{- define "wavecd.port" -}}8080{{- end -}}

{{/* The environment variable a webhook provider's secret arrives in: WAVECD_WEBHOOK_<PROVIDER>. */}}
{{- define "wavecd.webhookEnv" -}}
{{- printf "WAVECD_WEBHOOK_%s" (. | snakecase | upper) -}}
{{- end -}}

{{/* wavecd.yaml: the synced repository first, then what `config` adds, then the webhook secrets. */}}
{{- define "wavecd.config" -}}
{{- $repo := dict "url" .Values.git.repo "path" (include "wavecd.checkout" .) "worktree" true -}}
{{- $config := dict "repositories" (prepend .Values.config.repositories $repo) -}}
{{- range $key := list "render" "registries" "clusters" -}}
{{- with index $.Values.config $key -}}
{{- $_ := set $config $key . -}}
{{- end -}}
{{- end -}}
{{- $webhook := dict -}}
{{- range $provider, $_ := .Values.webhook.providers -}}
{{- /* Bitbucket Cloud signs nothing: wavecd checks the webhook's UUID instead of a secret. */ -}}
{{- $field := ternary "uuidEnv" "secretEnv" (eq $provider "bitbucket") -}}
{{- $_ := set $webhook $provider (dict $field (include "wavecd.webhookEnv" $provider)) -}}
{{- end -}}
{{- with .Values.webhook.maxPayloadSizeMB -}}
{{- $_ := set $webhook "maxPayloadSizeMB" . -}}
{{- end -}}
{{- with $webhook -}}
{{- $_ := set $config "webhook" . -}}
{{- end -}}
{{- toYaml $config -}}
{{- end -}}

{{/* Every container: no privilege, no capability, a read-only root filesystem (writable folders are emptyDirs). */}}
{{- define "wavecd.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* The git-sync container (less its name), its env list last and open, so the one-time clone can add to it. */}}
{{- define "wavecd.gitSync" -}}
image: "{{ .Values.git.image.repository }}:{{ .Values.git.image.tag }}"
imagePullPolicy: {{ .Values.git.image.pullPolicy }}
securityContext:
  {{- include "wavecd.containerSecurityContext" . | nindent 2 }}
resources:
  {{- toYaml .Values.git.resources | nindent 2 }}
volumeMounts:
  - name: git
    mountPath: {{ include "wavecd.gitRoot" . }}
  - name: git-tmp
    mountPath: /tmp
env:
  - name: GITSYNC_REPO
    value: {{ .Values.git.repo | quote }}
  - name: GITSYNC_REF
    value: {{ .Values.git.branch | quote }}
  - name: GITSYNC_PERIOD
    value: {{ .Values.git.period | quote }}
  - name: GITSYNC_DEPTH
    value: {{ .Values.git.depth | quote }}
  - name: GITSYNC_ROOT
    value: {{ include "wavecd.gitRoot" . }}
  - name: GITSYNC_LINK
    value: {{ include "wavecd.checkout" . | base }}
  # A render that began on the previous checkout finishes on it; only then is it removed.
  - name: GITSYNC_STALE_WORKTREE_TIMEOUT
    value: 5m
  - name: HOME
    value: /tmp
  {{- with .Values.git.credentialsSecret }}
  - name: GITSYNC_USERNAME
    valueFrom:
      secretKeyRef:
        name: {{ . }}
        key: username
  - name: GITSYNC_PASSWORD
    valueFrom:
      secretKeyRef:
        name: {{ . }}
        key: password
  {{- end }}
{{- end -}}
