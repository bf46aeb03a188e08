"""A lint report written for people (text), tools (JSON), code scanning (SARIF 2.1.0) and GitHub Actions
(workflow commands). All four carry the same findings; SARIF and GitHub use the same location."""

from __future__ import annotations

from typing import Any

from wavecd.lint.model import Finding, Rule, Severity
from wavecd.lint.runner import LintReport

__all__ = ["DOCS_URL", "github_commands", "json_report", "sarif_report", "text_lines"]

DOCS_URL = "https://github.com/wavecd/wavecd/blob/main/docs/lint.md"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"


def _where(finding: Finding) -> str:
    if finding.location is None:
        return "-"
    line = f":{finding.location.line}" if finding.location.line else ""
    return f"{finding.location.file}{line}"


def _summary(report: LintReport) -> str:
    counts = [f"{report.count(level)} {level.value}(s)" for level in Severity]
    return f"{len(report.findings)} finding(s): {', '.join(counts)}; {report.suppressed} suppressed"


def text_lines(report: LintReport) -> list[str]:
    """`SEVERITY RULE app file[:line] object: message`, one per finding, then the summary."""
    lines = [
        f"{f.severity.value.upper()} {f.rule} {f.app or '-'} {_where(f)} {f.obj or '-'}: {f.message}"
        for f in report.findings
    ]
    return [*lines, _summary(report)]


def _finding_json(finding: Finding, slugs: dict[str, str]) -> dict[str, Any]:
    obj = finding.obj
    return {
        "rule": finding.rule,
        "slug": slugs.get(finding.rule, ""),
        "severity": finding.severity.value,
        "message": finding.message,
        "app": finding.app,
        "wave": finding.wave,
        "object": None
        if obj is None
        else {"apiVersion": obj.api_version, "kind": obj.kind, "namespace": obj.namespace, "name": obj.name},
        "file": finding.location.file if finding.location else None,
        "line": finding.location.line if finding.location else None,
    }


def json_report(report: LintReport) -> dict[str, Any]:
    slugs = {rule.id: rule.slug for rule in report.rules}
    return {
        "findings": [_finding_json(f, slugs) for f in report.findings],
        "summary": {
            "findings": len(report.findings),
            **{level.value: report.count(level) for level in Severity},
            "suppressed": report.suppressed,
            "rules": [rule.id for rule in report.rules],
        },
    }


def _sarif_rule(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.slug,
        "shortDescription": {"text": rule.summary},
        "helpUri": f"{DOCS_URL}#{rule.slug}",
        "defaultConfiguration": {"level": rule.severity.value},
    }


def _sarif_result(finding: Finding, index: dict[str, int]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "level": finding.severity.value,
        "message": {"text": f"{finding.obj or finding.app}: {finding.message}" if finding.obj else finding.message},
    }
    if finding.rule in index:
        result["ruleIndex"] = index[finding.rule]
    if finding.location is not None:
        physical: dict[str, Any] = {"artifactLocation": {"uri": finding.location.file}}
        if finding.location.line:
            physical["region"] = {"startLine": finding.location.line}
        result["locations"] = [{"physicalLocation": physical}]
    if finding.app:
        result["properties"] = {"app": finding.app, "wave": finding.wave}
    return result


def sarif_report(report: LintReport, version: str) -> dict[str, Any]:
    """One run of the `wavecd` driver with every rule that ran and one result per finding."""
    index = {rule.id: position for position, rule in enumerate(report.rules)}
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "wavecd",
                        "version": version,
                        "informationUri": DOCS_URL,
                        "rules": [_sarif_rule(rule) for rule in report.rules],
                    }
                },
                "results": [_sarif_result(f, index) for f in report.findings],
            }
        ],
    }


def _escape_data(value: str) -> str:
    """@actions/core's `escapeData`: the message of a workflow command."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    """@actions/core's `escapeProperty`: a property value (`file=`, `title=`)."""
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}


def github_commands(report: LintReport) -> list[str]:
    """`::error file=F,line=L,title=RULE::app object: message` per finding (notes as `::notice`)."""
    lines = []
    for finding in report.findings:
        properties = []
        if finding.location is not None:
            properties.append(f"file={_escape_property(finding.location.file)}")
            if finding.location.line:
                properties.append(f"line={finding.location.line}")
        properties.append(f"title={_escape_property(finding.rule)}")
        message = f"{finding.app or '-'} {finding.obj or '-'}: {finding.message}"
        lines.append(f"::{_COMMANDS[finding.severity]} {','.join(properties)}::{_escape_data(message)}")
    return lines
