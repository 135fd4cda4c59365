"""Package, plan (nested change-set review), execute, watch, outputs, status, destroy.

Knows nothing of troposphere or click: it reads the compiled build folder (templates, parameters.json,
manifest.json) and talks to CloudFormation and S3 through `session.Aws`. `review` is pure.
"""
