"""The operator's commands, each a thin module over a library:

- `preview`: the offline preview of a stack (`python -m tools.preview`, `bin/preview`).
- `preflight/`: the checks only the AWS account can answer (`python -m tools.preflight`, `bin/preflight`).
- `check_plan`: the policy pack over a plan file (`python -m tools.check_plan`).
- `deployer_policy`: writes iam/deployer-policy*.json from the plans, and the CI roles' iam/ci-*.json (`python -m tools.deployer_policy`).
- `diagnose/`: the redacted diagnostics bundle of a stack (`python -m tools.diagnose`, `bin/diagnose`).
- `ci_stacks`, `ci_summary`: the CI workflow's stack list and its job summary per stack.
- `docs`: regenerates the README's generated sections (`python -m tools.docs`).

`engine/` is the offline engine behind them (run the program under mocks, plan, diff, policy check,
timeline, diagram, IAM actions). The generators of our derived data live beside that data in
`data/`; the price files and their generators in `pricing/`.
"""
