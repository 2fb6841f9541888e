"""The README and every page under docs/ are held to the code.

Every config key a page names exists in the settings model (and nested keys are set with
`--path`), every `python -m ...` and `bin/...` command exists with the flags it is given, every
stack output, AWS name and Kubernetes object a command names is one the program creates, every
link and repository path resolves, every page is linked from the README, the generated sections
are fresh (`python -m tools.docs`), and the facts the pages state (availability, protection,
versions) match what the program builds. Commands that other branches deliver (ownership.md) are
skipped, with the missing module named, until they land. The configuration reference's own
rendering is held to the settings in tests/test_config_reference.py.
"""

from __future__ import annotations

import difflib
import importlib.util
import re
import typing
from pathlib import Path
from typing import Any, Iterator

import pytest
from pydantic import BaseModel

from components.clickhouse_restore import CLICKHOUSE_DATA_CLAIM, CLICKHOUSE_STATEFULSET
from components.kms import KEY_DELETION_WINDOW_DAYS
from components.langsmith_values import COMPONENTS, FRONTEND_SERVICE, RELEASE_NAME
from components.versions import KUBERNETES_VERSION, LANGSMITH, LANGSMITH_SUPPORTED_VERSIONS
from settings.profiles import PROFILE_DEFAULTS
from settings.retired import RETIRED_KEYS
from settings.stack import SECRET_KEYS, Settings
from tests.conftest import PROJECT, run_stack
from tools import docs as generator
from tools.engine.harness import PROJECT_ROOT, ProgramRun
from tools.engine.plan import build_plan

DOCS_DIR = PROJECT_ROOT / "docs"
README = PROJECT_ROOT / "README.md"
REQUIRED_DOCS = ("deploy.md", "upgrade.md", "restore.md", "teardown.md", "troubleshooting.md",  # operator guides
                 "configuration.md", "architecture.md", "security.md", "cost.md", "ci.md",  # the reference
                 "preview.md", "preflight.md")

# langsmith chart 0.16.x templates/backend/{postgres,clickhouse}-migrations.yaml:
# "{{ fullname }}-{{ backend.name }}-migrations" and "...-ch-migrations" (randomizeName: false).
MIGRATION_JOBS = {f"{RELEASE_NAME}-backend-migrations", f"{RELEASE_NAME}-backend-ch-migrations"}


def docs() -> list[Path]:
    return sorted(DOCS_DIR.glob("*.md"))


def pages() -> list[Path]:
    """Every document a reader meets: the README and docs/."""
    return [README, *docs()]


def code_blocks(text: str) -> list[str]:
    return re.findall(r"```[a-z]*\n(.*?)```", text, flags=re.S)


def command_lines(text: str) -> Iterator[str]:
    """Shell lines of the code blocks, with backslash continuations joined."""
    for block in code_blocks(text):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.split(" #", 1)[0].strip()
            if line and not line.startswith("#"):
                yield line


# -- config keys ---------------------------------------------------------------------------------

def _unwrap(annotation: Any) -> Any:
    """The model or mapping type inside Optional[...] / Annotated[...] / list[...]."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, getattr(__import__("types"), "UnionType")):
        inner = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _unwrap(inner[0]) if len(inner) == 1 else annotation
    if origin is list:
        return _unwrap(typing.get_args(annotation)[0])
    return annotation


def resolve_key(path: str) -> bool:
    """Whether `path` (e.g. `cluster.deployerAccessCidrs[0]`, `hybrid.listeners[].name`) is a config
    key of the model."""
    model: Any = Settings
    for part in re.sub(r"\[\d*\]", "", path).split("."):
        if model is dict:
            return True  # a map (tags, hybridApiKeys): any key
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return False
        fields = {(f.alias or n): f for n, f in model.model_fields.items() if n not in ("project", "stack", "region")}
        if part not in fields:
            return False
        annotation = _unwrap(fields[part].annotation)
        model = dict if typing.get_origin(annotation) is dict else annotation
    return True


TOP_LEVEL = {(f.alias or n) for n, f in Settings.model_fields.items() if n not in ("project", "stack", "region")}
KEY = r"[a-z][A-Za-z0-9]*(?:\[\d*\])?(?:\.[a-z][A-Za-z0-9]*(?:\[\d*\])?)*"


def named_keys(text: str) -> set[str]:
    """Config keys a text names: inline code spans that are (or start `key:` with) a key of the
    project namespace, and the key of every `pulumi config set/get/rm`."""
    keys: set[str] = set()
    for span in re.findall(r"`([^`\n]+)`", text):
        span = span.removeprefix(f"{PROJECT}:")
        match = re.fullmatch(rf"({KEY})(?:\s*[:=].*)?", span)
        if match and match.group(1).split(".")[0].split("[")[0] in TOP_LEVEL | _close_to_top_level(match.group(1)):
            keys.add(match.group(1))
    for line in command_lines(text):
        for _, key in config_commands(line):
            keys.add(key.removeprefix(f"{PROJECT}:"))
    return keys


def _close_to_top_level(key: str) -> set[str]:
    """A dotted span whose first part is nearly a top-level key is a misspelt key, not prose."""
    import difflib
    first = key.split(".")[0].split("[")[0]
    return {first} if "." in key and difflib.get_close_matches(first, sorted(TOP_LEVEL), n=1, cutoff=0.8) else set()


def config_commands(line: str) -> list[tuple[list[str], str]]:
    """(flags, key) of each `pulumi config set|get|rm` in a shell line."""
    found = []
    for match in re.finditer(r"pulumi config (?:set|get|rm)((?:\s+--[a-z-]+)*)\s+'?([^\s']+)'?", line):
        found.append((match.group(1).split(), match.group(2)))
    return found


def test_every_page_exists_and_is_linked_from_the_readme():
    readme = README.read_text()
    names = {p.name for p in docs()}
    assert set(REQUIRED_DOCS) <= names
    unlinked = [n for n in sorted(names) if f"(docs/{n})" not in readme]
    assert not unlinked, f"docs not linked from README.md: {unlinked}"


def test_every_config_key_a_page_names_exists():
    # A retired key may be named (to say it is retired); any other key must be one the settings read.
    retired = {key.old for key in RETIRED_KEYS}
    unknown = [f"{p.name}: {k}" for p in pages() for k in sorted(named_keys(p.read_text()))
               if not resolve_key(k) and k not in retired]
    assert not unknown, "keys the settings model does not have:\n" + "\n".join(unknown)
    named = set().union(*(named_keys(p.read_text()) for p in pages()))
    # The keys the guides exist to explain are among those checked.
    assert {"licenseKey", "cluster.deployerAccessCidrs", "cluster.deployerInsideVpc", "langsmith.chartVersion",
            "restore.postgresSnapshot", "restore.clickhouseSnapshot", "langsmith.hostedZoneId"} <= named


def test_the_key_checks_catch_a_misspelt_key_and_a_nested_set_without_path():
    text = "Set `cluster.deployerAccesCidrs` and `restor.postgresSnapshot`.\n```bash\npulumi config set cluster.deployerInsideVpc true\n```\n"
    assert {k for k in named_keys(text) if not resolve_key(k)} == {"cluster.deployerAccesCidrs", "restor.postgresSnapshot"}
    assert [k for flags, k in config_commands("pulumi config set cluster.deployerInsideVpc true")
            if "--path" not in flags and ("." in k or "[" in k)] == ["cluster.deployerInsideVpc"]


def test_nested_keys_are_set_with_path_and_credentials_with_secret():
    problems = []
    for p in pages():
        for line in command_lines(p.read_text()):
            for flags, key in config_commands(line):
                if ("." in key or "[" in key) and "--path" not in flags:
                    problems.append(f"{p.name}: {line} (a nested key needs --path, or it sets a key named {key!r})")
                if key.split(".")[0] in SECRET_KEYS and "set" in line and "--secret" not in flags:
                    problems.append(f"{p.name}: {line} (a credential must be set with --secret)")
    assert not problems, "\n".join(problems)


# -- commands ------------------------------------------------------------------------------------

# `python -m` of the standard library (a page may show how to make a virtualenv): not ours to check.
STANDARD_LIBRARY_COMMANDS = frozenset({"venv", "pip", "json", "http"})


def _commands() -> list[tuple[str, str, tuple[str, ...]]]:
    """(doc, module or bin path, flags) of every `python -m X` and `bin/X` a page names."""
    found: dict[tuple[str, str], set[str]] = {}
    for p in pages():
        text = p.read_text()
        for match in re.finditer(r"python -m ([a-z_][\w.]*)([^`\n|;&]*)", text):
            if match.group(1).split(".")[0] in STANDARD_LIBRARY_COMMANDS:
                continue
            found.setdefault((p.name, match.group(1)), set()).update(re.findall(r"(?<!\S)(--[a-z][a-z-]*)", match.group(2)))
        for match in re.finditer(r"(?<![\w/.])(bin/[a-z][\w-]*)", text):
            found.setdefault((p.name, match.group(1)), set())
    return [(doc, cmd, tuple(sorted(flags))) for (doc, cmd), flags in sorted(found.items())]


COMMANDS = _commands()


def test_the_guides_name_the_operator_commands():
    names = {cmd for _, cmd, _ in COMMANDS}
    assert {"tools.preflight", "tools.preview", "bin/preview"} <= names


@pytest.mark.parametrize("doc, command, flags", COMMANDS, ids=[f"{d}:{c}" for d, c, _ in COMMANDS])
def test_every_command_a_guide_names_exists(doc: str, command: str, flags: tuple[str, ...]):
    if command.startswith("bin/"):
        path = PROJECT_ROOT / command
        assert path.is_file() and path.stat().st_mode & 0o111, f"{doc} names {command}, which is not an executable"
        return
    spec = importlib.util.find_spec(command)
    assert spec is not None and spec.origin, f"{doc} names `python -m {command}`, which does not exist"
    if spec.submodule_search_locations is not None:  # a package: `python -m` runs its __main__
        spec = importlib.util.find_spec(f"{command}.__main__")
        assert spec is not None and spec.origin, f"{doc} names `python -m {command}`, a package without __main__.py"
    source = Path(spec.origin).read_text()
    assert "__main__" in source, f"{command} cannot run as `python -m {command}`"
    missing = [f for f in flags if f'"{f}"' not in source]
    assert not missing, f"{doc}: {command} has no option {missing}"


# -- what the commands name ------------------------------------------------------------------------

def physical_names(*runs: ProgramRun) -> set[str]:
    names: set[str] = set()
    for run in runs:
        for r in run.registrations:
            for field in ("name", "identifier", "finalSnapshotIdentifier", "bucket"):
                value = r.inputs.get(field)
                if isinstance(value, str):
                    names.add(value)
    return names


def test_stack_outputs_and_aws_names_the_guides_use_are_the_programs(dev_run, prod_run):
    outputs = set(dev_run.outputs) | set(prod_run.outputs)
    names = physical_names(dev_run, prod_run)
    log_groups = {r.inputs["name"] for run in (dev_run, prod_run) for r in run.of_type("aws:cloudwatch/logGroup:LogGroup")}
    problems = []
    checked = 0
    for p in pages():
        text = p.read_text()
        for output in re.findall(r"pulumi stack output ([A-Za-z]+)", text):
            checked += 1
            if output not in outputs:
                problems.append(f"{p.name}: stack output {output}")
        for line in command_lines(text):
            if "create-db-snapshot" in line:
                continue  # names a new snapshot
            for flag, value in re.findall(r"--(secret-id|backup-vault-name|db-instance-identifier|db-snapshot-identifier|"
                                          r"cluster-name|name|alarm-names)\s+['\"]?(ls-(?:dev|prod)[\w/.-]*)", line):
                checked += 1
                if value not in names:
                    problems.append(f"{p.name}: --{flag} {value}")
            for prefix in re.findall(r"--log-group-name-prefix\s+(\S+)", line):
                checked += 1
                if not any(g.startswith(prefix) for g in log_groups):
                    problems.append(f"{p.name}: no log group starts with {prefix}")
        for span in re.findall(r"`(ls-(?:dev|prod)-[\w-]+)`", text):
            checked += 1
            if span not in names:
                problems.append(f"{p.name}: `{span}`")
    assert not problems, "names the program does not create:\n" + "\n".join(problems)
    assert checked >= 15  # the guides' commands do name real things


def test_kubectl_names_are_the_objects_the_release_and_stack_create(dev_run):
    addon_releases = {r.inputs["chart"]: r.inputs["name"] for r in dev_run.of_type("kubernetes:helm.sh/v3:Release")}
    lbc = addon_releases["aws-load-balancer-controller"]
    external_secrets = {r.inputs["metadata"]["name"] for r in dev_run.of_type("kubernetes:external-secrets.io/v1:ExternalSecret")}
    external_secrets |= {r.inputs["metadata"]["name"] for r in dev_run.registrations
                         if r.inputs.get("kind") == "ExternalSecret"}
    known = {
        ("langsmith", "deploy"): set(COMPONENTS.values()),
        ("langsmith", "sts"): {CLICKHOUSE_STATEFULSET},
        ("langsmith", "job"): MIGRATION_JOBS,
        ("langsmith", "pvc"): {CLICKHOUSE_DATA_CLAIM},
        ("langsmith", "sa"): set(COMPONENTS.values()),
        ("langsmith", "targetgroupbinding"): {FRONTEND_SERVICE},
        ("langsmith", "externalsecret"): external_secrets,
        ("kube-system", "deploy"): {lbc if "aws-load-balancer-controller" in lbc else f"{lbc}-aws-load-balancer-controller"},
    }
    namespaces = {r.inputs["metadata"]["name"] for r in dev_run.of_type("kubernetes:core/v1:Namespace")}
    namespaces |= {r.inputs["namespace"] for r in dev_run.of_type("kubernetes:helm.sh/v3:Release")} | {"kube-system"}
    assert external_secrets, "the dev stack's ExternalSecrets were not found"
    problems, checked = [], 0
    for p in pages():
        for line in command_lines(p.read_text()):
            if not line.startswith("kubectl"):
                continue
            ns = re.search(r"-n (\S+)", line)
            namespace = ns.group(1) if ns else None
            if namespace is not None and namespace not in namespaces:
                problems.append(f"{p.name}: namespace {namespace}")
            refs = re.findall(r"\b(deploy|sts|job)/([a-z0-9-]+)", line)
            refs += re.findall(r"\b(?:get|describe|annotate|patch) (pvc|sa|targetgroupbinding|externalsecret) ([a-z0-9-]+)", line)
            for kind, name in refs:
                checked += 1
                if name not in known.get((namespace or "", kind), set()):
                    problems.append(f"{p.name}: {kind}/{name} in {namespace}")
    assert not problems, "kubectl names no object the stack creates:\n" + "\n".join(problems)
    assert checked >= 10


# -- facts the guides state ------------------------------------------------------------------------

def test_upgrade_guide_states_the_supported_chart_versions_and_the_cluster_version():
    text = (DOCS_DIR / "upgrade.md").read_text()
    # Chart versions, not the image tags of the table's `appVersion` column.
    charts_only = "\n".join("|".join(c for i, c in enumerate(line.split("|")) if i != 2) if line.startswith("|")
                             else line for line in text.splitlines())
    mentioned = set(re.findall(r"(?<![\d.])0\.16\.\d+(?![\d.])", charts_only))
    assert mentioned <= set(LANGSMITH_SUPPORTED_VERSIONS), mentioned - set(LANGSMITH_SUPPORTED_VERSIONS)
    assert f"({LANGSMITH.version})" in text  # the default is the pin
    assert f"{LANGSMITH_SUPPORTED_VERSIONS[0]} to {LANGSMITH_SUPPORTED_VERSIONS[-1]}" in text
    assert f"`KUBERNETES_VERSION` in `components/versions.py` ({KUBERNETES_VERSION})" in text


@pytest.fixture(scope="module")
def prod_restored_run() -> ProgramRun:
    from tests.test_restore import OLD_SECRETS, RESTORE
    # the run tests/test_restore.py makes (memoised)
    return run_stack("prod", {"restore": RESTORE, "restoreSecrets": OLD_SECRETS}, secret=("restoreSecrets",))


def test_teardown_guide_lists_what_production_protects(dev_run, prod_run, prod_restored_run):
    text = (DOCS_DIR / "teardown.md").read_text()
    section = text.split("## What stays protected", 1)[1].split("\n## ", 1)[0]
    types = re.findall(r"`(aws:[\w/]+:\w+)`", section)
    assert len(types) >= 6
    for type_ in types:
        prod = prod_restored_run.of_type(type_)
        assert prod and all(r.protect for r in prod), f"{type_} is not protected in production"
        assert not any(r.protect for r in dev_run.of_type(type_)), f"{type_} is protected in dev"
    # ...and nothing else the production stack protects goes unmentioned.
    protected = {r.type for r in prod_restored_run.registrations if r.protect}
    assert protected <= set(types), f"protected but not in the teardown guide: {protected - set(types)}"
    keys = prod_run.of_type("aws:kms/key:Key")
    assert {r.inputs["deletionWindowInDays"] for r in keys} == {KEY_DELETION_WINDOW_DAYS}
    assert f"{KEY_DELETION_WINDOW_DAYS}-day waiting period" in text
    windows = {r.inputs["recoveryWindowInDays"] for r in prod_run.of_type("aws:secretsmanager/secret:Secret")}
    assert windows == {30} and "recovery window (30 days in production)" in text


def test_each_troubleshooting_entry_shows_the_command_that_finds_the_cause():
    text = (DOCS_DIR / "troubleshooting.md").read_text()
    sections = {s.split("\n", 1)[0]: s for s in text.split("\n## ")[1:]}
    for topic in ("private API", "404", "S3", "OIDC", "ClickHouse disk", "Migrations"):
        title = next((t for t in sections if topic.lower() in t.lower()), None)
        assert title is not None, f"no troubleshooting entry for {topic}"
        assert code_blocks(sections[title]), f"the entry {title!r} shows no command"


def test_deploy_guide_walks_the_first_deploy():
    text = (DOCS_DIR / "deploy.md").read_text()
    for step in ("dig +short NS", "pulumi config set --secret licenseKey", "cluster.deployerAccessCidrs",
                 "python -m tools.preflight --stack prod", "/initial-admin-password", "aws eks update-kubeconfig"):
        assert step in text, step
    from tools.preview import EXIT_CONFIG, EXIT_VIOLATION
    assert f"The preview exits {EXIT_CONFIG} on an invalid config" in text
    assert f"and {EXIT_VIOLATION} on a policy violation" in text


def test_restore_guide_names_the_claim_volume_and_class_the_program_creates():
    from components.clickhouse_restore import RESTORED_VOLUME_NAME
    from components.cluster import CLICKHOUSE_STORAGE_CLASS
    text = (DOCS_DIR / "restore.md").read_text()
    for name in (f"`{CLICKHOUSE_DATA_CLAIM}`", f"`{RESTORED_VOLUME_NAME}`", f"`{CLICKHOUSE_STORAGE_CLASS}`"):
        assert name in text, name


def test_policy_rules_the_guides_name_exist_with_the_stated_enforcement():
    from tools.engine.policy_check import check_plan  # first: it puts the pack's root on sys.path
    from langsmith_policies import ALL_RULES
    assert check_plan
    rules = {r.name: r.enforcement for r in ALL_RULES}
    stated = re.findall(r"(mandatory|advisory) `([a-z0-9-]+)`", (DOCS_DIR / "teardown.md").read_text())
    assert stated, "the teardown guide names the policy it breaches"
    for enforcement, name in stated:
        assert rules.get(name) == enforcement, f"{name}: the guide says {enforcement}, the pack {rules.get(name)}"


# -- links and paths -------------------------------------------------------------------------------

def without_code_blocks(text: str) -> str:
    return re.sub(r"```.*?```", "", text, flags=re.S)


def heading_anchors(text: str) -> set[str]:
    """The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces to
    hyphens, `-1`, `-2`... for repeats (headings in code blocks are not headings)."""
    anchors: set[str] = set()
    for title in re.findall(r"^#{1,6} (.+)$", without_code_blocks(text), flags=re.M):
        anchor = re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")
        unique, n = anchor, 0
        while unique in anchors:
            n += 1
            unique = f"{anchor}-{n}"
        anchors.add(unique)
    return anchors


def links(text: str) -> list[str]:
    return re.findall(r"\]\(([^)\s]+)\)", without_code_blocks(text))


def test_every_link_between_pages_resolves():
    problems, checked = [], 0
    for page in pages():
        for target in links(page.read_text()):
            if re.match(r"[a-z]+:", target):
                continue  # https://, mailto:
            path, _, anchor = target.partition("#")
            resolved = (page.parent / path).resolve() if path else page
            checked += 1
            if not resolved.exists():
                problems.append(f"{page.name}: {target} (no such file)")
            elif anchor and (resolved.suffix != ".md" or anchor not in heading_anchors(resolved.read_text())):
                problems.append(f"{page.name}: {target} (no such heading)")
    assert not problems, "links that do not resolve:\n" + "\n".join(problems)
    assert checked >= 40


def test_the_link_check_reads_headings_and_links_as_github_does():
    assert heading_anchors("## Availability (what fails, how long)\n```bash\n# not a heading\n```\n### `dev`\n### `dev`\n") \
        == {"availability-what-fails-how-long", "dev", "dev-1"}
    assert links("[a](cost.md#dev) and [b](https://x.org)\n```\n[e](f.md)\n```\n") == ["cost.md#dev", "https://x.org"]


# Top-level entries of the repository: a code span starting with one of them is a path in it.
REPOSITORY_ROOTS = {p.name for p in PROJECT_ROOT.iterdir() if not p.name.startswith(".") or p.name in (".ci", ".github")}


def repository_paths(text: str) -> set[str]:
    """Paths of this repository a text names in code spans (`settings/profiles.py`, `data/charts/`);
    `<placeholder>` and `-N.` stand for any name."""
    found = set()
    for span in re.findall(r"`([^`\s]+)`", text):
        if "/" in span and span.split("/")[0] in REPOSITORY_ROOTS - {"README.md"} and ":" not in span:
            found.add(span)
    return found


def test_every_repository_path_a_page_names_exists():
    problems, checked = [], 0
    for page in pages():
        for path in sorted(repository_paths(page.read_text())):
            pattern = re.sub(r"<[^>]+>", "*", path).replace("-N.", "-*.")
            checked += 1
            if not any(PROJECT_ROOT.glob(pattern.rstrip("/"))):
                problems.append(f"{page.name}: {path}")
    assert not problems, "paths that do not exist:\n" + "\n".join(problems)
    assert checked >= 20


def test_the_readme_gives_the_test_command_ci_runs():
    entry = (PROJECT_ROOT / ".ci" / "run").read_text()
    (command,) = re.findall(r"^exec (\S+)", entry, flags=re.M)
    assert command in {line.split()[0] for line in command_lines(README.read_text())}, \
        f".ci/run runs {command}, which the README's code blocks do not show"


def test_the_readme_is_a_landing_page():
    text = README.read_text()
    assert len(text.splitlines()) <= 150, "the README is the landing page: the reference belongs in docs/"
    for shape in ("`self-hosted`", "`hybrid`", "`byoc`"):
        assert shape in text
    assert "bin/preview dev" in text and "pulumi up" in text


# -- generated sections (python -m tools.docs) -----------------------------------------------------

@pytest.fixture(scope="module")
def stack_plans(dev_run, prod_run) -> dict[str, dict[str, Any]]:
    return {"dev": build_plan(dev_run), "prod": build_plan(prod_run),
            **{stack: build_plan(run_stack(stack)) for stack in generator.STACKS if stack not in ("dev", "prod")}}


def test_generated_sections_are_fresh(stack_plans):
    files = generator.documents(stack_plans)
    assert {p.relative_to(PROJECT_ROOT).as_posix() for p in files} == {
        "README.md", "docs/configuration.md", "docs/architecture.md", "docs/cost.md", "docs/security.md"}
    stale = {p: (current, updated) for p, (current, updated) in files.items() if current != updated}
    assert not stale, "stale: run python -m tools.docs\n" + "\n".join(
        line for current, updated in stale.values()
        for line in difflib.unified_diff(current.splitlines(), updated.splitlines(), lineterm="", n=1))


def test_the_check_fails_on_a_stale_reference_and_leaves_it(stack_plans, tmp_path, monkeypatch, capsys):
    reference = tmp_path / "configuration.md"
    text = generator.GENERATED["config-reference"].read_text()
    stale = text.replace("| `clickhouse.cpu` | Kubernetes CPU quantity |",
                         "| `clickhouse.cpu` | ForwardRef('CpuQuantity') |")
    assert stale != text
    reference.write_text(stale)
    monkeypatch.setattr(generator, "GENERATED", {**generator.GENERATED, "config-reference": reference})
    assert generator.main(["--check"], plan_for=lambda stack: stack_plans[stack]) == 1
    assert "configuration.md is stale" in capsys.readouterr().err
    assert reference.read_text() == stale  # --check writes nothing
    assert generator.main([], plan_for=lambda stack: stack_plans[stack]) == 0
    assert reference.read_text() == text


def test_config_reference_lists_every_key_with_profile_defaults():
    reference = generator.config_reference()
    for key in ("network.cidr", "cluster.generalPool.instanceTypes", "postgres.instanceClass", "hybrid.listeners",
                "hybrid.listeners[].namespaces", "byocExternalId", "observability.rdsCpuPercent",
                "langsmith.components.backend.cpu", "aws:region"):
        assert f"| `{key}` |" in reference
    (line,) = [l for l in reference.splitlines() if l.startswith("| `network.natGateways` |")]
    assert "dev: `single`; production, production-large: `per-az`" in line
    (secret,) = [l for l in reference.splitlines() if l.startswith("| `licenseKey` |")]
    assert "| secret |" in secret and "pulumi config set --secret" in secret
    # The page names every key the model has: each key of the model resolves, and each is listed.
    assert all(resolve_key(k.key) for k in generator.config_keys() if ":" not in k.key)


# -- facts the architecture page states ------------------------------------------------------------

def availability_section() -> str:
    text = (DOCS_DIR / "architecture.md").read_text()
    match = re.search(r"^## Availability.*?(?=^## )", text, re.DOTALL | re.MULTILINE)
    assert match, "docs/architecture.md has no Availability section"
    return match.group(0)


def test_availability_table_matches_the_profiles():
    section = availability_section()
    production, large = PROFILE_DEFAULTS["production"], PROFILE_DEFAULTS["production-large"]
    # production: one RDS instance (single-AZ); production-large: Multi-AZ.
    assert production["postgres"]["multiAz"] is False and "one RDS instance (single-AZ)" in section
    assert large["postgres"]["multiAz"] is True and "`production-large` turns on RDS Multi-AZ" in section
    # ElastiCache: a replica to promote in production, three nodes in production-large.
    assert production["redis"]["nodes"] >= 2 and "a replica in another AZ is promoted automatically" in section
    assert large["redis"]["nodes"] == 3 and "(and 3 ElastiCache nodes)" in section


def test_clickhouse_is_one_replica_on_one_volume_as_the_architecture_page_says(prod_run):
    section = availability_section()
    assert "neither profile replicates\nClickHouse" in section or "neither profile replicates ClickHouse" in section
    release = prod_run.one("kubernetes:helm.sh/v3:Release", "langsmith-release")
    stateful_set = release.inputs["values"]["clickhouse"]["statefulSet"]
    assert stateful_set.get("replicas", 1) == 1
    # ... on a pool pinned to one AZ (the volume's): the node group spans exactly one subnet.
    node_group = prod_run.one("eks:index:ManagedNodeGroup", "cluster-clickhouse")
    assert len(node_group.inputs["subnetIds"]) == 1
