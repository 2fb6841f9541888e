"""The offline engine: run the real program under mocks and make a plan of what it registers.

- `harness`: runs `__main__.py` under Pulumi's mocks and records every registration (`run_program`).
- `mocks`: what the mocks answer, shaped like AWS (IDs, ARNs, endpoints).
- `stack_config`: reads a stack file the way the Pulumi CLI hands it to a program.
- `plan`: the plan JSON (the documented contract) from a run; `plan_diff`: two plans compared.
- `policy_check`: the policy pack's rules over a plan.
- `timeline`: the first deploy's critical path; `diagram`: a Mermaid picture of the stack.
- `summary`: the preview's text report (resources, components, cost, timeline).
- `deployer_policy`, `iam_actions`: the deploying principal's IAM policy, derived from the plans.
- `tf_plan`: a plan as `terraform show -json` prints it, for scanners that read Terraform plans (checkov).

The cost of a plan is priced by the `pricing` package (`pricing.from_plan`, `pricing.engine`).
"""
