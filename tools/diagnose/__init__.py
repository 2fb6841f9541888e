"""The diagnostics bundle support asks for (`bin/diagnose STACK [--since 1h]`): one archive of the
stack outputs, nodes and pods, events, the logs of failing and restarting pods, Helm releases'
status and history, target group health, alarm states, and the add-on and chart versions, with
every secret redacted.

Standard library only, so it runs with any python3 on a machine inside the VPC.

- `runner`: runs a command (`SubprocessRunner`) or replays recorded outputs (`RecordedRunner`, tests).
- `redact`: the secret patterns and the stack's own secret values, replaced everywhere.
- `collect`: what each collector runs and which files it writes.
- `bundle`: the archive and its table of contents (MANIFEST.md).
"""
