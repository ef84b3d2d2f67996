#!/usr/bin/env python3
"""Validates SARIF files against the OASIS SARIF 2.1.0 schema kept next to
this script, and against the parts of GitHub code scanning's ingestion rules
that a schema cannot express (limits, required non-empty values, rule
indexes). See tests/schemas/SOURCES.md and docs/output.md.

Usage: validate_sarif.py [--schema-only] [--sample-results N] [--forbid TEXT]... FILE...

Exits 0 when every file is valid; otherwise prints each problem to stderr,
prefixed with the file name, and exits 1 (2 for usage errors).

Needs python3-jsonschema (Debian 12). The "uri" and "uri-reference" formats
are checked here with RFC 3986 regexes, since jsonschema only checks them
when the optional rfc3987 package is installed.
"""

import argparse
import json
import os
import re
import sys

import jsonschema

SCHEMA_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sarif-schema-2.1.0.json")

# RFC 3986, appendix A.
_UNRESERVED = r"A-Za-z0-9\-._~"
_SUB = r"!$&'()*+,;="
_PCT = r"%[0-9A-Fa-f]{2}"
_PCHAR = rf"(?:[{_UNRESERVED}{_SUB}:@]|{_PCT})"
_USERINFO = rf"(?:[{_UNRESERVED}{_SUB}:]|{_PCT})*"
_HOST = rf"(?:\[[0-9A-Fa-f:.vV]+\]|(?:[{_UNRESERVED}{_SUB}]|{_PCT})*)"
_AUTHORITY = rf"(?:{_USERINFO}@)?{_HOST}(?::[0-9]*)?"
_PATH_ABEMPTY = rf"(?:/{_PCHAR}*)*"
_PATH_ABSOLUTE = rf"/(?:{_PCHAR}+(?:/{_PCHAR}*)*)?"
_PATH_ROOTLESS = rf"{_PCHAR}+(?:/{_PCHAR}*)*"
_SEG_NZ_NC = rf"(?:[{_UNRESERVED}{_SUB}@]|{_PCT})+"
_PATH_NOSCHEME = rf"{_SEG_NZ_NC}(?:/{_PCHAR}*)*"
_QUERY = rf"(?:{_PCHAR}|[/?])*"
_HIER = rf"(?://{_AUTHORITY}{_PATH_ABEMPTY}|{_PATH_ABSOLUTE}|{_PATH_ROOTLESS}|)"
_REL = rf"(?://{_AUTHORITY}{_PATH_ABEMPTY}|{_PATH_ABSOLUTE}|{_PATH_NOSCHEME}|)"
URI_RE = re.compile(rf"^[A-Za-z][A-Za-z0-9+.\-]*:{_HIER}(?:\?{_QUERY})?(?:#{_QUERY})?$")
RELATIVE_RE = re.compile(rf"^{_REL}(?:\?{_QUERY})?(?:#{_QUERY})?$")

# GitHub code scanning limits (shared/schemas/github-code-scanning-sarif.md).
MAX_RUNS = 20
MAX_RESULTS = 25000
MAX_RULES = 25000
MAX_TAGS = 20
MAX_LOCATIONS = 1000
MAX_RULE_NAME = 255
MAX_DESCRIPTION = 1024


def format_checker():
    checker = jsonschema.Draft4Validator.FORMAT_CHECKER

    @checker.checks("uri")
    def is_uri(value):
        return not isinstance(value, str) or bool(URI_RE.match(value))

    @checker.checks("uri-reference")
    def is_uri_reference(value):
        return not isinstance(value, str) or bool(URI_RE.match(value) or RELATIVE_RE.match(value))

    return checker


def github_problems(log):
    """Yields GitHub ingestion problems of a schema-valid SARIF log."""
    if not log.get("$schema"):
        yield "$schema is missing"
    if log.get("version") != "2.1.0":
        yield "version must be 2.1.0"
    runs = log.get("runs", [])
    if len(runs) > MAX_RUNS:
        yield f"{len(runs)} runs (GitHub accepts at most {MAX_RUNS})"
    for r, run in enumerate(runs):
        where = f"runs[{r}]"
        driver = run.get("tool", {}).get("driver", {})
        if not driver.get("name"):
            yield f"{where}.tool.driver.name is missing"
        rules = driver.get("rules", [])
        if len(rules) > MAX_RULES:
            yield f"{where}: {len(rules)} rules (max {MAX_RULES})"
        ids = [rule.get("id") for rule in rules]
        if len(set(ids)) != len(ids):
            yield f"{where}: duplicate rule ids"
        for i, rule in enumerate(rules):
            rw = f"{where}.tool.driver.rules[{i}] ({rule.get('id')})"
            if len(rule.get("name", "")) > MAX_RULE_NAME:
                yield f"{rw}.name longer than {MAX_RULE_NAME}"
            for key in ("shortDescription", "fullDescription"):
                text = rule.get(key, {}).get("text", "")
                if not text:
                    yield f"{rw}.{key}.text is missing or empty"
                if len(text) > MAX_DESCRIPTION:
                    yield f"{rw}.{key}.text longer than {MAX_DESCRIPTION}"
            if not rule.get("help", {}).get("text"):
                yield f"{rw}.help.text is missing or empty"
            props = rule.get("properties", {})
            if len(props.get("tags", [])) > MAX_TAGS:
                yield f"{rw}: more than {MAX_TAGS} tags"
            if "security-severity" in props:
                sev = props["security-severity"]
                try:
                    ok = isinstance(sev, str) and 0.0 < float(sev) <= 10.0
                except ValueError:
                    ok = False
                if not ok:
                    yield f"{rw}.properties.security-severity {sev!r} is not a string in (0, 10]"
            if props.get("precision") not in (None, "very-high", "high", "medium", "low"):
                yield f"{rw}.properties.precision {props.get('precision')!r} is not a GitHub value"
        results = run.get("results")
        if results is None:
            yield f"{where}.results is missing"
            continue
        if len(results) > MAX_RESULTS:
            yield f"{where}: {len(results)} results (GitHub rejects more than {MAX_RESULTS})"
        for k, res in enumerate(results):
            rw = f"{where}.results[{k}]"
            if not res.get("message", {}).get("text"):
                yield f"{rw}.message.text is missing or empty"
            if "ruleIndex" in res:
                idx = res["ruleIndex"]
                if idx >= len(rules) or rules[idx].get("id") != res.get("ruleId"):
                    yield f"{rw}.ruleIndex {idx} does not name rule {res.get('ruleId')!r}"
            elif res.get("ruleId") not in ids:
                yield f"{rw}.ruleId {res.get('ruleId')!r} is not in tool.driver.rules"
            locs = res.get("locations", [])
            if not locs:
                yield f"{rw}.locations is empty"
            if len(locs) > MAX_LOCATIONS:
                yield f"{rw}: more than {MAX_LOCATIONS} locations"
            for j, loc in enumerate(locs[:1]):
                phys = loc.get("physicalLocation", {})
                if not phys.get("artifactLocation", {}).get("uri"):
                    yield f"{rw}.locations[{j}].physicalLocation.artifactLocation.uri is missing"
                region = phys.get("region", {})
                for key in ("startLine", "startColumn", "endLine", "endColumn"):
                    if key not in region:
                        yield f"{rw}.locations[{j}].physicalLocation.region.{key} is missing"
            if not res.get("partialFingerprints"):
                yield f"{rw}.partialFingerprints is missing"


def sampled(log, n):
    """A shallow copy of `log` whose runs keep at most n of their results."""
    if not isinstance(log, dict) or not isinstance(log.get("runs"), list):
        return log
    out = dict(log)
    out["runs"] = []
    for run in log["runs"]:
        results = run.get("results") if isinstance(run, dict) else None
        if isinstance(results, list) and len(results) > n:
            step = (len(results) - 1) / max(n - 1, 1)
            picks = sorted({round(i * step) for i in range(n)})
            run = dict(run)
            run["results"] = [results[i] for i in picks]
        out["runs"].append(run)
    return out


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schema-only", action="store_true",
                        help="check the OASIS schema only, not GitHub's ingestion rules")
    parser.add_argument("--sample-results", type=int, default=0, metavar="N",
                        help="check only N evenly spaced results of each run (first and last "
                             "included) against the schema, to keep huge files fast (python "
                             "jsonschema needs about 1 ms per result); GitHub checks still see "
                             "every result")
    parser.add_argument("--forbid", action="append", default=[], metavar="TEXT",
                        help="fail when TEXT occurs anywhere in the file (e.g. a planted secret)")
    parser.add_argument("files", nargs="+", metavar="FILE")
    args = parser.parse_args(argv)

    with open(SCHEMA_PATH, encoding="utf-8") as f:
        schema = json.load(f)
    validator = jsonschema.Draft4Validator(schema, format_checker=format_checker())

    failed = False
    for path in args.files:
        try:
            with open(path, encoding="utf-8") as f:
                raw = f.read()
            log = json.loads(raw)
        except (OSError, ValueError) as e:
            print(f"{path}: cannot read SARIF: {e}", file=sys.stderr)
            failed = True
            continue
        problems = []
        checked = sampled(log, args.sample_results) if args.sample_results > 0 else log
        for err in sorted(validator.iter_errors(checked), key=lambda e: list(e.absolute_path)):
            loc = "/".join(str(p) for p in err.absolute_path) or "(root)"
            problems.append(f"schema: {loc}: {err.message}")
        if not problems and not args.schema_only:
            problems.extend(f"github: {p}" for p in github_problems(log))
        for text in args.forbid:
            if text and text in raw:
                problems.append(f"forbidden text occurs in the file: {text[:4]}…[{len(text)} chars]")
        for p in problems[:50]:
            print(f"{path}: {p}", file=sys.stderr)
        if len(problems) > 50:
            print(f"{path}: …and {len(problems) - 50} more problems", file=sys.stderr)
        failed |= bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
