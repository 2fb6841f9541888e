"""The AWS catalogue: what RDS and ElastiCache offer per region (catalogue.json, from cfn-lint's data)."""
