"""The one YAML reader for scenario files: PyYAML's safe loader, made planner-proof. `1:4` stays
text, a key written twice is an error, only the plain YAML types may appear (no tags), and the
document's size with every alias and merge key (`<<:`) expanded is counted on the parsed node
graph, before anything is built, so a small file that expands without bound is refused at once.
Problems are one-line `InputError`s."""
from __future__ import annotations

import re
import typing

import yaml

from budgetopt.error_codes import error_text
from budgetopt.errors import InputError
from budgetopt.messages import Msg, N_

#: The most values (scalars, lists and mappings, aliases and merges counted as often as they
#: are expanded) a scenario may hold: a plan of 10,000 channels with five rules each fits.
MAX_VALUES = 200_000

_CORE = "tag:yaml.org,2002:"
#: The tags the plain types resolve to; any other tag (`!!python/…`, `!!binary`, `!custom`)
#: can only have been written on purpose and is refused.
ALLOWED_TAGS = {_CORE + t for t in ("str", "int", "float", "bool", "null", "timestamp", "seq",
                                    "map", "merge")}


class ScenarioLoader(yaml.SafeLoader):
    """Safe YAML loading with planner-proofings: `1:4` stays text (YAML 1.1 would read it as
    the base-60 number 64) and a key written twice is an error, not a silent overwrite."""

    def get_single_data(self):
        node = self.get_single_node()
        if node is None:
            return None
        check_nodes(node)
        return self.construct_document(node)

    def construct_mapping(self, node, deep=False):
        seen: dict = {}
        for key_node, _ in node.value if isinstance(node, yaml.MappingNode) else ():
            if key_node.tag == _CORE + "merge":
                continue  # `<<: *defaults` merges are fine; the keys written here win
            key = self.construct_object(key_node, deep=deep)
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    None, None, N_("a list or mapping is used as a key"), key_node.start_mark) from None
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, Msg("key '{key}' appears twice (first on line {line})",
                                    key=key, line=seen[key]), key_node.start_mark)
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.value!r} is not a calendar date", node.start_mark) from None


ScenarioLoader.add_constructor(_CORE + "timestamp", ScenarioLoader.construct_yaml_timestamp)


ScenarioLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers
            if tag not in (_CORE + "int", _CORE + "float")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
ScenarioLoader.add_implicit_resolver(
    _CORE + "int", re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$"), list("-+0123456789"))


ScenarioLoader.add_implicit_resolver(
    _CORE + "float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?|\.[0-9_]+"
               r"|[0-9][0-9_]*[eE][-+]?[0-9]+|\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+0123456789."))


#: The unquoted words YAML 1.1 reads as false and as true.
BOOLEAN_WORDS = {False: ("n", "no", "off", "false"), True: ("y", "yes", "on", "true")}


def booleans_as_words(fields: dict, data: object) -> object:
    """Where a key takes one of a few words and YAML turned the word into true/false (an
    unquoted `guard: off`), put back the one word of that key the boolean can stand for;
    with none or two such words the value is left for validation to refuse."""
    if not isinstance(data, dict):
        return data
    out = data
    for key, value in data.items():
        field = fields.get(key) if isinstance(key, str) else None
        if field is None or not isinstance(value, bool):
            continue
        choices = [c for arg in (field.annotation, *typing.get_args(field.annotation))
                   if typing.get_origin(arg) is typing.Literal for c in typing.get_args(arg)]
        match = [w for w in BOOLEAN_WORDS[value] if w in choices]
        if len(match) == 1:
            out = {**out, key: match[0]}
    return out


class _Refused(yaml.MarkedYAMLError):
    """A node the scenario reader will not build: the error `code` and the values its wording
    needs (besides the position); `problem` is its English sentence."""

    def __init__(self, code: str, mark, **values):
        super().__init__(problem=Msg(error_text(code).what, at="", **values), problem_mark=mark)
        self.code, self.values = code, values


def _children(node) -> list:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def check_nodes(root, limit: int = MAX_VALUES) -> None:
    """Refuse, before construction, a tag outside the plain types, an alias inside its own
    value, or a document whose expanded size exceeds `limit`. Each distinct node is visited
    once (an alias is the same node object again), so the check takes time in proportion to
    the file, however large the expansion."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        key = id(node)
        if leaving:
            open_nodes.discard(key)
            size = 1 + sum(sizes[id(c)] for c in _children(node))
            if size > limit:
                raise _Refused("E0119", node.start_mark, limit=f"{limit:,}")
            sizes[key] = size
            continue
        if key in sizes:
            continue
        if key in open_nodes:
            raise _Refused("E0120", node.start_mark)
        if node.tag not in ALLOWED_TAGS:
            raise _Refused("E0118", node.start_mark, tag=node.tag.replace(_CORE, "!!"))
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in _children(node))


def _refusal(exc: _Refused, at, where: str) -> InputError:
    if exc.code == "E0118":
        return InputError("E0118", at=at, tag=exc.values["tag"], where=where)
    if exc.code == "E0119":
        return InputError("E0119", at=at, limit=exc.values["limit"], where=where)
    return InputError("E0120", at=at, where=where)


def load_yaml(text: str, where: str) -> object:
    """The YAML document in `text` as plain Python values; any problem is one InputError."""
    try:
        return yaml.load(text, Loader=ScenarioLoader)  # a SafeLoader: no Python objects
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = Msg("line {line}, column {column}: ", line=mark.line + 1,
                 column=mark.column + 1) if mark else ""
        if isinstance(exc, _Refused):     # refused by this reader (tags, expansion, aliases)
            raise _refusal(exc, at, where) from None
        problem = getattr(exc, "problem", None) or N_("malformed YAML")
        raise InputError("E0105" if "calendar date" in problem else "E0104", at=at,
                         problem=problem, where=where) from None
    except RecursionError:
        raise InputError("E0106", where=where) from None
