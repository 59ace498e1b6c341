"""The JSON Schema of the scenario format, shipped beside this module as scenario.schema.json.
Run `python -m budgetopt.optimizer.scenario.schema` to rewrite it after changing the models."""
from __future__ import annotations

from pathlib import Path


from budgetopt.optimizer.scenario.spec import Scenario


SCHEMA_FILE = Path(__file__).with_name("scenario.schema.json")


def json_schema() -> dict:
    """JSON Schema of the scenario format (shipped as optimizer/scenario.schema.json)."""
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "budgetopt scenario"
    return schema


if __name__ == "__main__":
    import json
    SCHEMA_FILE.write_text(json.dumps(json_schema(), indent=2, sort_keys=True) + "\n")
