"""Loading YAML with the line of every key, and the checks PyYAML does not make.

PyYAML silently keeps the last of two equal keys and forgets where each value came from;
both matter to a user who must be told which line of the file to fix.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from lettres.errors import DataError
from lettres.oserrors import reason
from lettres.text import excerpt

# The coalition's files nest five levels deep; a value nested deeper is a mistake or an attack,
# and the constructors below (and pydantic after them) recurse once per level.
MAX_DEPTH = 32
_TOO_DEEP = (
    f"valeur imbriquée trop profondément (plus de {MAX_DEPTH} niveaux de listes ou de tables) : "
    "simplifiez-la"
)
_ALIAS = (
    "les alias YAML (« *nom », « <<: *nom ») ne sont pas acceptés : recopiez la valeur "
    "à la place de l'alias"
)


class LineDict(dict[Any, Any]):
    """A mapping that remembers its own line and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[Any, int]


class LineList(list[Any]):
    """A sequence that remembers its own line and the line of each item (1-based)."""

    line: int = 0
    item_lines: list[int]


# libyaml parses five times faster; the constructors below stay ours, in Python.
_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[valid-type,misc]
    _depth = 0

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        """Each node once, and not too deep: an alias would let 417 bytes expand to gigabytes."""
        if node in self.constructed_objects or node in self.recursive_objects:
            raise _AliasFound
        if isinstance(node, yaml.ScalarNode):
            return super().construct_object(node, deep)
        if self._depth >= MAX_DEPTH:
            raise _located(node.start_mark.line + 1, _TOO_DEEP)
        self._depth += 1
        try:
            return super().construct_object(node, deep)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> LineDict:
        mapping = LineDict()
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {}
        self.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if not isinstance(key, str | int | bool) and key is not None:
                raise _located(line, "une clé doit être un texte simple")
            if key in mapping:
                first = mapping.key_lines[key]
                raise _located(
                    line,
                    f"la clé « {excerpt(key)} » est définie deux fois (déjà ligne {first}) : "
                    "supprimez ou renommez l'une des deux",
                )
            mapping[key] = self.construct_object(value_node, deep=True)
            mapping.key_lines[key] = line
        return mapping

    def construct_sequence(self, node: yaml.SequenceNode, deep: bool = False) -> LineList:
        items = LineList(self.construct_object(child, deep=True) for child in node.value)
        items.line = node.start_mark.line + 1
        items.item_lines = [child.start_mark.line + 1 for child in node.value]
        return items

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            raise _located(
                node.start_mark.line + 1,
                f"« {node.value} » n'est pas une date valide : écrivez-la AAAA-MM-JJ",
            ) from None


def _dict_constructor(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    return loader.construct_mapping(node)


def _list_constructor(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    return loader.construct_sequence(node)


_Loader.add_constructor("tag:yaml.org,2002:map", _dict_constructor)
_Loader.add_constructor("tag:yaml.org,2002:seq", _list_constructor)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


class _AliasFound(Exception):
    """Raised where the constructor meets a node the second time; its line is in the events."""


class _LocatedError(Exception):
    def __init__(self, line: int, message: str) -> None:
        self.line = line
        self.message = message


def _located(line: int, message: str) -> _LocatedError:
    return _LocatedError(line, message)


def read_text(path: Path) -> str:
    """Read a UTF-8 file, or say which byte is wrong and how to fix it."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DataError.at(path, None, "fichier introuvable") from None
    except OSError as error:
        raise DataError.at(path, None, reason(error, path, "read")) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise DataError.at(
            path,
            line,
            f"le fichier n'est pas en UTF-8 (octet 0x{data[error.start]:02x}) : "
            "réenregistrez-le en UTF-8 dans votre éditeur",
        ) from None


def parse_yaml(text: str, path: Path, first_line: int = 1) -> Any:
    """Parse YAML text that starts at `first_line` of `path` (front matter starts below line 1)."""
    try:
        return yaml.load(text, Loader=_Loader)
    except _AliasFound:
        raise DataError.at(path, _alias_line(text) + first_line - 1, _ALIAS) from None
    except RecursionError:  # only without libyaml, whose parser stops at 1,000 levels
        raise DataError.at(path, None, _TOO_DEEP) from None
    except _LocatedError as error:
        raise DataError.at(path, error.line + first_line - 1, error.message) from None
    except yaml.reader.ReaderError as error:
        raise DataError.at(
            path,
            text[: error.position].count("\n") + first_line,
            f"caractère interdit (U+{error.character:04X}) : supprimez-le",
        ) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        if "nesting depth" in (error.problem or error.context or ""):
            raise DataError.at(path, mark.line + first_line if mark else None, _TOO_DEEP) from None
        line, column, message = explain_syntax_error(error, text)
        raise DataError.at(
            path, line + first_line - 1, f"YAML invalide, colonne {column} : {message}"
        ) from None
    except yaml.YAMLError:
        raise DataError.at(path, None, f"YAML invalide : {SYNTAX_HINT}") from None


# A top-level entry of a front matter: a plain key at the start of a line, then « : ».
_ENTRY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?: |$)")
# An entry parsed once, by its text and first line: its key and value. A mail merge's
# letters share all their entries but one or two (reference, destinataire).
_entries: dict[tuple[str, int], tuple[str, Any]] = {}
_MAX_ENTRIES = 20_000


def parse_front(text: str, path: Path) -> Any:
    """Parse a front matter (`text` starts with one blank line for the opening `---`), each
    top-level entry parsed once per process whatever the number of letters that share it.

    A letter of a mail merge differs from the others by one line or two: the rest is found
    already parsed. Anything unusual (an entry that does not start with a plain key, an
    error, a repeated key) goes through parse_yaml on the whole text, whose messages and
    lines are the only ones ever reported; its result is what the entries add up to.
    """
    entries = split_entries(text)
    if entries is None:
        return parse_yaml(text, path)
    missing = [entry for entry in entries if entry[:2] not in _entries]
    if len(missing) > 1:
        return remember_entries(parse_yaml(text, path), entries)
    if missing and not parse_entry(*missing[0]):
        return parse_yaml(text, path)
    mapping = LineDict()
    mapping.key_lines = {}
    for chunk, line, _ in entries:
        key, value = _entries[chunk, line]
        if key in mapping:  # parse_yaml says where the first one is
            return parse_yaml(text, path)
        mapping[key] = value
        mapping.key_lines[key] = line
    mapping.line = entries[0][1]
    return mapping


def split_entries(text: str) -> list[tuple[str, int, str]] | None:
    """(text, first line, key) of each top-level entry; blank, comment, indented and `-`
    lines go with the entry above them; None when a line is anything else."""
    starts: list[tuple[int, str]] = []  # (index of the line, key)
    lines = text.split("\n")
    for index, line in enumerate(lines):
        match = _ENTRY.match(line)
        if match:
            starts.append((index, match[1]))
        elif line[:1] not in ("", "#") and (not starts or line[:1] not in (" ", "-")):
            return None
    if not starts:
        return None
    ends = [index for index, _ in starts[1:]] + [len(lines)]
    return [
        ("\n".join(lines[index:end]) + ("\n" if end < len(lines) else ""), index + 1, key)
        for (index, key), end in zip(starts, ends, strict=True)
    ]


def parse_entry(chunk: str, line: int, key: str) -> bool:
    """One entry alone, at its own line; False when it does not parse on its own."""
    try:
        data = yaml.load("\n" * (line - 1) + chunk, Loader=_Loader)
    except (yaml.YAMLError, _AliasFound, _LocatedError, RecursionError):
        return False
    if not isinstance(data, LineDict) or len(data) != 1:
        return False
    [(found, value)] = data.items()
    if found != key or not isinstance(found, str) or data.key_lines[found] != line:
        return False
    store(chunk, line, key, value)
    return True


def remember_entries(data: Any, entries: list[tuple[str, int, str]]) -> Any:
    """Keep each entry of a front matter parsed whole, when they are the entries it has."""
    if isinstance(data, LineDict) and [(k, data.key_lines[k]) for k in data] == [
        (key, line) for _, line, key in entries
    ]:
        for chunk, line, key in entries:
            store(chunk, line, key, data[key])
    return data


def store(chunk: str, line: int, key: str, value: Any) -> None:
    if len(_entries) >= _MAX_ENTRIES:
        _entries.clear()
    _entries[chunk, line] = (key, value)


SYNTAX_HINT = (
    "vérifiez l'indentation (des espaces, jamais de tabulation), les deux-points "
    "après chaque clé et les guillemets"
)
CLOSERS = {"[": "le crochet « [ » ouvert", "{": "l'accolade « { » ouverte"}


def explain_syntax_error(error: yaml.MarkedYAMLError, text: str) -> tuple[int, int, str]:
    """The 1-based line and column to fix, and what to do there, in French.

    PyYAML reports where it noticed the problem, often the line after the mistake (a key
    without its colon is found out on the next line); the context mark is the mistake.
    """
    problem = error.problem or ""
    at_problem = error.problem_mark or error.context_mark
    at_context = error.context_mark or error.problem_mark
    if at_problem is None or at_context is None:
        return 1, 1, SYNTAX_HINT
    here = (at_problem.line + 1, at_problem.column + 1)
    there = (at_context.line + 1, at_context.column + 1)
    found = character_at(text, at_problem.line, at_problem.column)
    if "tab" in problem or found == "\t":
        return *here, "une tabulation sert d'indentation : remplacez-la par des espaces"
    if "could not find expected ':'" in problem:
        return *there, "il manque « : » après la clé (écrivez « clé: valeur »)"
    opener = unclosed_bracket(text, at_problem.line)
    if opener and ("did not find expected ',' or" in problem or "node content" in problem):
        line, column, bracket = opener
        return (
            line,
            column,
            f"{CLOSERS[bracket]} ici n'est jamais refermé(e), ou une virgule manque",
        )
    if "end of stream" in problem and "quoted" in (error.context or ""):
        return *there, "le guillemet ouvert ici n'est jamais fermé"
    if "mapping values are not allowed" in problem:
        return *here, (
            "« : » suivi d'une espace au milieu d'une valeur : "
            "mettez toute la valeur entre guillemets"
        )
    if "did not find expected key" in problem or "expected '-' indicator" in problem:
        return *here, "cette ligne n'est pas alignée sur les clés de même niveau : " + SYNTAX_HINT
    if "undefined alias" in problem:
        return *here, "« * » commence un alias YAML : mettez la valeur entre guillemets"
    if "cannot start any token" in problem and found:
        return (
            *here,
            f"une valeur ne peut pas commencer par « {found} » : mettez-la entre guillemets",
        )
    return *here, SYNTAX_HINT


def unclosed_bracket(text: str, last_line: int) -> tuple[int, int, str] | None:
    """The last `[` or `{` still open at the end of `last_line` (0-based), outside quotes."""
    open_brackets: list[tuple[int, int, str]] = []
    for number, line in enumerate(text.splitlines()[: last_line + 1]):
        quote = ""
        for column, char in enumerate(line):
            if quote:
                quote = "" if char == quote else quote
            elif char in "'\"":
                quote = char
            elif char == "#" and (column == 0 or line[column - 1] == " "):
                break
            elif char in "[{":
                open_brackets.append((number + 1, column + 1, char))
            elif char in "]}" and open_brackets:
                open_brackets.pop()
    return open_brackets[-1] if open_brackets else None


def character_at(text: str, line: int, column: int) -> str:
    lines = text.splitlines()
    if 0 <= line < len(lines) and 0 <= column < len(lines[line]):
        return lines[line][column]
    return ""


def _alias_line(text: str) -> int:
    """The line of the first alias (an alias always follows its anchor, so the text parses)."""
    for event in yaml.parse(text, Loader=_Base):
        if isinstance(event, yaml.AliasEvent) and event.start_mark is not None:
            return int(event.start_mark.line) + 1
    return 1


def load_mapping(path: Path) -> LineDict:
    """Load a YAML file whose top level must be a mapping."""
    data = parse_yaml(read_text(path), path)
    if data is None:
        raise DataError.at(
            path, 1, "le fichier est vide : il doit contenir des entrées « clé: valeur »"
        )
    if not isinstance(data, LineDict):
        raise DataError.at(path, 1, "le fichier doit contenir des entrées « clé: valeur »")
    return data


def line_of(data: Any, loc: tuple[int | str, ...]) -> int | None:
    """The line of the deepest element of `loc` that exists in `data`."""
    line: int | None = getattr(data, "line", None)
    node = data
    for part in loc:
        if isinstance(node, LineDict) and part in node:
            line = node.key_lines[part]
            node = node[part]
        elif isinstance(node, LineList) and isinstance(part, int) and 0 <= part < len(node):
            line = node.item_lines[part]
            node = node[part]
        elif isinstance(part, str) and not isinstance(node, LineDict | LineList):
            continue  # a union member's name in a pydantic location
        else:
            break
    return line
