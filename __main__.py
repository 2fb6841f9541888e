"""LangSmith on AWS: read the stack's settings, then build the stack's shape on a shared foundation.

Settings are validated before anything is registered: a bad config stops here, with one message.
"""

from __future__ import annotations

import pulumi

from pricing.engine import estimate
from pricing.from_settings import items_from_settings
from settings import Settings, Shape, load_settings
from shapes import agent_server, byoc, hybrid, self_hosted
from shapes.foundation import Foundation

settings: Settings = load_settings()
foundation = Foundation.build(settings)          # account lookups, tagging provider, KMS keys, VPC

SHAPES = {Shape.SELF_HOSTED: self_hosted.build, Shape.HYBRID: hybrid.build, Shape.BYOC: byoc.build,
          Shape.AGENT_SERVER: agent_server.build}
SHAPES[settings.shape](foundation)

network = foundation.built_network  # None: BYOC eks with a VPC LangChain builds
cost = estimate(items_from_settings(settings), settings.region)
# The offline preview's estimate, kept with the stack: `pulumi stack output monthlyCostEstimate`.
# A region or item without a price gives totalUsd None and status "partial"/"unpriced", never 0.
pulumi.export("monthlyCostEstimate", cost.stack_output())
pulumi.export("region", settings.region)
pulumi.export("shape", settings.shape.value)
pulumi.export("profile", settings.profile.value)
if network is not None:
    pulumi.export("vpcId", network.vpc_id)
    pulumi.export("publicSubnetIds", network.public_subnet_ids)
    pulumi.export("privateSubnetIds", network.private_subnet_ids)
    pulumi.export("dataSubnetIds", network.data_subnet_ids)
