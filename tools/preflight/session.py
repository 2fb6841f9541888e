"""Who the checks read as: the stack's own AWS identity, the one `pulumi up` will deploy with."""

from __future__ import annotations

import json
from typing import Any, Mapping


def stack_session(values: Mapping[str, str], region: str, session: Any = None) -> Any:
    """A boto3 session that is who `pulumi up` will be: the stack's `aws:profile` (else the
    environment's credentials), then each role of `aws:assumeRoles` in turn, as the AWS provider
    chains them. Without this the checks would read another principal, perhaps another account."""
    import boto3  # imported here: the offline tools never need it

    if session is None:
        profile = values.get("aws:profile")
        session = boto3.Session(region_name=region, profile_name=profile or None)
    raw_roles = values.get("aws:assumeRoles")
    roles = json.loads(raw_roles) if isinstance(raw_roles, str) and raw_roles.startswith("[") else []
    for role in roles:
        if not isinstance(role, dict) or not role.get("roleArn"):
            continue
        kwargs: dict[str, Any] = {"RoleArn": str(role["roleArn"]),
                                  "RoleSessionName": str(role.get("sessionName") or "langsmith-preflight")}
        if role.get("externalId"):
            kwargs["ExternalId"] = str(role["externalId"])
        credentials = session.client("sts", region_name=region).assume_role(**kwargs)["Credentials"]
        session = boto3.Session(region_name=region,
                                aws_access_key_id=credentials["AccessKeyId"],
                                aws_secret_access_key=credentials["SecretAccessKey"],
                                aws_session_token=credentials["SessionToken"])
    return session
