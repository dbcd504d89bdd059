"""``mesh``: the producers' CI validator for data contracts and product descriptors.

    mesh validate FILE... [--against OLD]       offline: ODCS/ODPS schema, our rules, compatibility
    mesh diff FILE --catalog URL --token T      what changes for the current consumers (dry run)
    mesh apply FILE --catalog URL --token T     submit the contract (a new immutable version)

Exit codes: 0 ok; 1 invalid, refused, or breaking (``diff``: a breaking change the catalog
refuses, or any with ``--fail-on-breaking``); 2 usage (bad arguments, unreadable file,
catalog unreachable). Only the standard library talks HTTP, so CI installs nothing more
than this package. ``MESH_CATALOG_URL`` and ``MESH_TOKEN`` are read when flags are absent.
"""

import argparse
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import yaml

OK, REFUSED, USAGE = 0, 1, 2
TIMEOUT = 30


def _odcs():
    from apps.contracts import odcs

    return odcs


def _descriptor_parser():
    """The catalog's ODPS descriptor parser, with its input limits (read from the project's
    settings, so Django is set up; nothing connects to a database)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mesh_catalog.settings")
    django.setup()
    from apps.catalog.descriptors import parsing

    return parsing


def _read(path: str) -> str:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read ({exc.strerror or exc}).") from None
    if len(data) > 1_000_000:
        raise UsageError(f"{path}: {len(data)} bytes; the limit is 1000000.")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not UTF-8 text.") from None


class UsageError(Exception):
    """Bad arguments or an unusable file/catalog: exit 2."""


def _kind(text: str) -> str:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return "DataContract"  # the contract parser reports the YAML error with its position
    return str(data.get("kind")) if isinstance(data, dict) else "DataContract"


def _print_problems(path: str, problems) -> None:
    for p in problems:
        where = f"{path}:{p.line}:{p.column}" if p.line else path
        print(f"{where}: {p.code}: {p.path + ': ' if p.path else ''}{p.message}", file=sys.stderr)


def cmd_validate(args) -> int:
    odcs = _odcs()
    status = OK
    documents = {}
    for path in args.files:
        text = _read(path)
        if _kind(text) == "DataProduct":
            problems = _descriptor_parser().parse(text).problems
        else:
            parsed = odcs.parse(text)
            problems = parsed.problems
            if not problems:
                documents[path] = parsed
        if problems:
            _print_problems(path, problems)
            status = REFUSED
        else:
            print(f"{path}: ok")
    if args.against:
        old = odcs.parse(_read(args.against))
        if old.problems:
            _print_problems(args.against, old.problems)
            return REFUSED
        for path, parsed in documents.items():
            status = max(status, _compare(path, old, parsed))
    return status


def _compare(path, old, new) -> int:
    """The compatibility rules offline: a newer version, and a major bump for major changes."""
    odcs = _odcs()
    changes = odcs.diff_contracts(old.data, new.data)
    for change in changes:
        print(f"{path}: {change.level}{' BREAKING' if change.breaking else ''}: {change.kind} {change.subject}")
    old_v, new_v = odcs.parse_version(old.version), odcs.parse_version(new.version)
    if new_v <= old_v and changes:
        print(f"{path}: version {new.version} is not newer than {old.version}", file=sys.stderr)
        return REFUSED
    if any(c.level == "major" for c in changes) and new_v[0] <= old_v[0]:
        print(f"{path}: breaking changes need a new major version (after {old.version})", file=sys.stderr)
        return REFUSED
    return OK


def _request(args, method: str, path: str, body: bytes | None = None, query: dict | None = None):
    base = (args.catalog or os.environ.get("MESH_CATALOG_URL") or "").rstrip("/")
    token = args.token or os.environ.get("MESH_TOKEN") or ""
    if not base:
        raise UsageError("--catalog URL (or MESH_CATALOG_URL) is required.")
    if not token:
        raise UsageError("--token T (or MESH_TOKEN) is required.")
    url = f"{base}/api/v1/{path}" + (f"?{urllib.parse.urlencode(query)}" if query else "")
    request = urllib.request.Request(url, data=body, method=method)
    request.add_header("Authorization", f"Bearer {token}")
    request.add_header("Accept", "application/json")
    if body is not None:
        request.add_header("Content-Type", "application/yaml")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        try:
            return exc.code, json.loads(raw or b"{}")
        except ValueError:
            return exc.code, {"errors": [{"message": raw[:300].decode("utf-8", "replace")}]}
    except (urllib.error.URLError, OSError) as exc:
        raise UsageError(f"Cannot reach {base}: {getattr(exc, 'reason', exc)}") from None


def _contract_id(text: str) -> str:
    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return ""
    return str(data.get("id") or "") if isinstance(data, dict) and data.get("kind") == "DataContract" else ""


def _submit(args, *, dry_run: bool):
    text = _read(args.file)
    # the catalog validates (with lines and columns); locally only the id is needed, so the
    # JSON Schema machinery is loaded only when the file is not even a YAML mapping with an id
    contract_id = _contract_id(text)
    if not contract_id:
        parsed = _odcs().parse(text)
        problems = parsed.problems or [_odcs().Problem("id", "required", "'id' is required.")]
        _print_problems(args.file, problems)
        return REFUSED, None
    query = {"dry_run": "1"} if dry_run else {}
    if args.port:
        query["port"] = args.port
    status, body = _request(args, "PUT", f"contracts/{urllib.parse.quote(contract_id, safe='')}", text.encode(), query)
    if status in (401, 403):
        for e in body.get("errors", []):
            print(f"{args.file}: {e.get('code', 'refused')}: {e.get('message')}", file=sys.stderr)
        return REFUSED, None
    if status >= 400:
        for e in body.get("errors", []):
            where = f"{args.file}:{e['line']}:{e['column']}" if e.get("line") else args.file
            print(f"{where}: {e.get('code')}: {e.get('message')}", file=sys.stderr)
        return REFUSED, None
    return OK, body


def _print_result(body: dict) -> None:
    print(
        f"contract {body['contract']} version {body['version']} ({body.get('status')}): {body.get('level') or 'no change'}"
    )
    for c in body.get("changes") or []:
        print(f"  {c['level']}{' BREAKING' if c['breaking'] else ''}: {c['kind']} {c['subject']}")
    impact = body.get("impact")
    if impact:
        print(f"  consumers: {impact['affected']} affected, {impact['informed']} informed")
        for e in impact["consumers"]:
            columns = f" [{', '.join(e['columns'])}]" if e.get("columns") else ""
            print(f"    {e['level']}: {e['kind']} {e['name']}{columns}")


def cmd_diff(args) -> int:
    status, body = _submit(args, dry_run=True)
    if status != OK:
        return status
    _print_result(body)
    return REFUSED if args.fail_on_breaking and body.get("breaking") else OK


def cmd_apply(args) -> int:
    status, body = _submit(args, dry_run=False)
    if status == OK:
        _print_result(body)
    return status


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mesh", description="Validate, diff and apply data contracts.")
    sub = parser.add_subparsers(dest="command", required=True)
    validate = sub.add_parser("validate", help="validate ODCS contracts and ODPS descriptors offline")
    validate.add_argument("files", nargs="+", metavar="FILE")
    validate.add_argument("--against", metavar="OLD", help="the previous version: check the compatibility rules")
    validate.set_defaults(func=cmd_validate)
    for name, func, text in (
        ("diff", cmd_diff, "what changes for the current consumers (nothing is written)"),
        ("apply", cmd_apply, "submit the contract as a new version"),
    ):
        command = sub.add_parser(name, help=text)
        command.add_argument("file", metavar="FILE")
        command.add_argument("--catalog", metavar="URL", help="the catalog's base URL (or MESH_CATALOG_URL)")
        command.add_argument("--token", metavar="T", help="a personal access token (or MESH_TOKEN)")
        command.add_argument("--port", metavar="PRODUCT/PORT", help="bind the contract to this output port")
        if name == "diff":
            command.add_argument("--fail-on-breaking", action="store_true", help="exit 1 on any breaking change")
        command.set_defaults(func=func)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"mesh: {exc}", file=sys.stderr)
        return USAGE


if __name__ == "__main__":
    sys.exit(main())
