"""The project's own cfn-lint rules, one per module, loaded with cfn-lint's append_rules."""
