"""What every check gets (the stack's settings and file, and the AWS session it reads with) and what
it gives back (one `Check` per line of the checklist)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from typing import Any, Callable

from settings import Settings
from tools.engine.stack_config import StackConfig

PASS, FAIL, WARN, UNCHECKED = "PASS", "FAIL", "WARN", "COULD NOT CHECK"


@dataclass(frozen=True)
class Check:
    """One line of the checklist: its verdict, what was found and, when it did not pass, the fix."""

    name: str
    verdict: str
    detail: str
    fix: str = ""


class Checks(list[Check]):
    """The lines one check function reports, in order."""

    def add(self, name: str, verdict: str, detail: str, fix: str = "") -> None:
        self.append(Check(name, verdict, detail, fix))


@dataclass
class Context:
    """The stack under check and the AWS account it is checked against (only read, never changed)."""

    settings: Settings
    config: StackConfig
    session: Any  # a boto3 session: who `pulumi up` will be (session.stack_session)
    egress_ip: str | None = None  # this machine's public address, for the API endpoint's allow list
    which: Callable[[str], str | None] = shutil.which  # finds a command on PATH
    clients: dict[str, Any] = field(default_factory=dict)  # one boto3 client per service, made on first use

    def client(self, service: str) -> Any:
        if service not in self.clients:
            self.clients[service] = self.session.client(service, region_name=self.settings.region)
        return self.clients[service]

    def every(self, service: str, operation: str, key: str, **kwargs: Any) -> list[Any]:
        """All items of a listing call, following its pages (an account can hold more than one)."""
        client = self.client(service)
        if client.can_paginate(operation):
            return [item for page in client.get_paginator(operation).paginate(**kwargs) for item in page[key]]
        return list(getattr(client, operation)(**kwargs)[key])
