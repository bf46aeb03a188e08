// A small YAML writer for showing manifests (block style, keys in the object's order), so the live and
// desired panes read like `kubectl get -o yaml` and line up with the API's YAML diff. Display only.

// Written plain when YAML would read the same string back; quoted otherwise (numbers, booleans, `: `, …).
const PLAIN = /^[A-Za-z0-9_/.+][\w./+:@=,-]*( [\w./+:@=,-]+)*$/;
const RESERVED = /^(true|false|yes|no|on|off|null|~|y|n)$/i;
const NUMERIC = /^[-+]?(\.?[0-9][0-9_.:]*|0x[0-9a-f]+|0o[0-7]+|\.inf|\.nan)([eE][-+]?[0-9]+)?$/i;

function scalar(value) {
  if (value === null || value === undefined) return "null";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  const text = String(value);
  if (PLAIN.test(text) && !RESERVED.test(text) && !NUMERIC.test(text) && !text.endsWith(":")) return text;
  return JSON.stringify(text);
}

function block(value, indent) {
  const pad = " ".repeat(indent);
  if (Array.isArray(value)) {
    if (!value.length) return " []";
    return value.map((item) => {
      const inner = block(item, indent + 2);
      return `\n${pad}-${isCollection(item) ? inner.replace(/^\n\s*/, " ") : inner}`;
    }).join("");
  }
  if (value && typeof value === "object") {
    const keys = Object.keys(value);
    if (!keys.length) return " {}";
    return keys.map((key) => `\n${pad}${scalar(key)}:${child(value[key], indent + 2)}`).join("");
  }
  return ` ${scalar(value)}`;
}

function child(value, indent) {
  if (typeof value === "string" && value.includes("\n")) {
    const pad = " ".repeat(indent);
    return ` |${value.endsWith("\n") ? "" : "-"}\n${value.replace(/\n$/, "").split("\n").map((l) => pad + l).join("\n")}`;
  }
  if (Array.isArray(value) && value.length) return block(value, indent - 2);
  return block(value, indent);
}

const isCollection = (v) => v && typeof v === "object" && Object.keys(v).length > 0;

/** The document as YAML text; "" for null (an absent side). */
export function toYaml(document) {
  if (document === null || document === undefined) return "";
  return block(document, 0).replace(/^\n/, "") + "\n";
}
