"""The stages of a plan, run in order by `plan_with` (docs/architecture.md)."""
