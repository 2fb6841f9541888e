"""Which components each OpenTelemetry Collector distribution is built with, at the pinned release.

The events collector (components/observability.py) runs the contrib distribution's image and
configures components by type; a type the image was not built with stops the collector at start.
This reads each distribution's builder manifest (`distributions/<name>/manifest.yaml`) and the
image names and platforms its release publishes (`.goreleaser.yaml`, `docker_manifests`) at the
tag of EVENTS_COLLECTOR_IMAGE, and writes them to `data/upstream/otelcol-<tag>.json`;
tests/test_observability.py holds the collector's configuration and image to that file, so a pin
bump without regenerating fails.

    .venv/bin/python -m data.upstream.otelcol --repo <git dir of open-telemetry/opentelemetry-collector-releases>
"""

from __future__ import annotations

import argparse
import json
import re
from typing import Any

import yaml

from components.versions import EVENTS_COLLECTOR_IMAGE
from data.upstream import UPSTREAM_DIR, read_facts
from data.upstream.generate import git

REPOSITORY = "open-telemetry/opentelemetry-collector-releases"
DISTRIBUTIONS = ("otelcol-contrib", "otelcol-k8s")
KINDS = ("receivers", "processors", "exporters", "extensions", "connectors")
# `docker_manifests` entries name `image:{{ .Version }}` over one image per platform `...-<arch>`.
_VERSION_TEMPLATE = "{{ .Version }}"


def collector_tag(image: str = EVENTS_COLLECTOR_IMAGE) -> str:
    """The release tag of the pinned image (images carry `0.159.0`, the repository tags `v0.159.0`)."""
    return "v" + image.rsplit(":", 1)[1]


def modules(manifest: dict[str, Any]) -> dict[str, list[str]]:
    """kind -> the Go module names the distribution is built with (the last path element, which
    names the component: `k8sobjectsreceiver`, `awscloudwatchlogsexporter`...)."""
    return {kind: sorted(entry["gomod"].split()[0].rsplit("/", 1)[1] for entry in manifest.get(kind) or [])
            for kind in KINDS}


def published_images(goreleaser: dict[str, Any]) -> dict[str, list[str]]:
    """Image name (without the version) -> the platforms of its multi-arch manifest."""
    images: dict[str, list[str]] = {}
    for entry in goreleaser.get("docker_manifests") or []:
        name = entry["name_template"]
        if not name.endswith(":" + _VERSION_TEMPLATE):
            continue  # the ephemeral tags
        platforms = [re.sub(r"^.*" + re.escape(_VERSION_TEMPLATE) + "-", "", i) for i in entry["image_templates"]]
        images[name.removesuffix(":" + _VERSION_TEMPLATE)] = sorted(platforms)
    return images


def facts(repo: str, tag: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for distribution in DISTRIBUTIONS:
        base = f"distributions/{distribution}"
        manifest = yaml.safe_load(git(repo, "show", f"{tag}:{base}/manifest.yaml"))
        goreleaser = yaml.safe_load(git(repo, "show", f"{tag}:{base}/.goreleaser.yaml"))
        out[distribution] = {"version": str(manifest["dist"]["version"]), "modules": modules(manifest),
                             "images": published_images(goreleaser)}
    return out


def otelcol_facts(tag: str) -> dict[str, Any]:
    """The data file for `tag` (written by this module)."""
    return read_facts(f"otelcol-{tag}.json", f"the collector pin moved to {tag}",
                      f"data.upstream.otelcol --repo <git dir of {REPOSITORY}>")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data.upstream.otelcol", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repo", required=True, help=f"git directory of {REPOSITORY}")
    args = parser.parse_args(argv)
    tag = collector_tag()
    data = {
        "source": {"repository": REPOSITORY, "tag": tag,
                   "commit": git(args.repo, "rev-parse", f"{tag}^{{commit}}").strip(),
                   "paths": [f"distributions/{d}/{f}" for d in DISTRIBUTIONS for f in ("manifest.yaml", ".goreleaser.yaml")]},
        "distributions": facts(args.repo, tag),
        "generator": f"python -m data.upstream.otelcol --repo <git dir of {REPOSITORY}>",
    }
    path = UPSTREAM_DIR / f"otelcol-{tag}.json"
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
