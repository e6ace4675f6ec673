"""The Jinja2 sandbox letters run in, with a budget: time, size of values, size of the output.

Jinja2's sandbox stops a template from reaching Python's internals, not from spending the
machine: `{{ 'x' * 10**10 }}`, nested `range(100000)` loops or `lipsum(100000)` would run
for minutes or fill the memory. Every seam where a template computes (a filter, a call, an
operator, a loop's next item, a `~`, a printed value) goes through a check of the budget of
the letter being rendered, and of the size of what it is about to build. Text is measured
in characters, and a structure by the length of its text.
"""

from __future__ import annotations

import functools
import re
import string
import time
import types
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from jinja2 import StrictUndefined, nodes, pass_context
from jinja2.runtime import Context, Undefined
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import generate_lorem_ipsum
from jinja2.visitor import NodeTransformer

SECONDS = 3.0  # a letter renders in milliseconds
MAX_VALUE = 1_000_000  # characters in one value (a text, or the text of a list)
MAX_OUTPUT = 1_000_000  # characters printed by one letter (a long letter is 20,000)
MAX_COMPUTED = 10_000_000  # characters built by filters, calls and operators, in all
MAX_RANGE = 10_000  # items of a range()
MAX_LIPSUM_WORDS = 10_000

_REFUSED_TAGS = {
    nodes.Include: "include",
    nodes.Extends: "extends",
    nodes.Import: "import",
    nodes.FromImport: "from",
}
REFUSED = tuple(_REFUSED_TAGS)  # the nodes of those tags


def _n(number: int) -> str:
    return f"{number:,}".replace(",", "\u202f")  # 1 000 000, French style


class OverBudget(Exception):
    """The template asked for more than a letter may take; the text says what."""


class NotPrintable(Exception):
    """`{{ … }}` met an object that is not text: a Jinja2 internal, a function, a generator."""

    def __init__(self, value: Any) -> None:
        self.type_name = type(value).__name__ if not isinstance(value, type) else value.__name__
        super().__init__(self.type_name)


class RefusedTag(Exception):
    def __init__(self, tag: str, line: int) -> None:
        self.tag = tag
        self.line = line
        super().__init__(tag)


@dataclass
class _Budget:
    deadline: float
    printed: int = 0
    computed: int = 0


_BUDGET: ContextVar[_Budget | None] = ContextVar("lettres_template_budget", default=None)


def start_budget() -> object:
    """Open the budget of one rendering; pass the result to `end_budget` when it ends."""
    return _BUDGET.set(_Budget(time.monotonic() + SECONDS))


def end_budget(token: object) -> None:
    _BUDGET.reset(token)  # type: ignore[arg-type]


def _tick() -> _Budget | None:
    budget = _BUDGET.get()
    if budget is not None and time.monotonic() > budget.deadline:
        raise OverBudget(f"plus de {SECONDS:g} secondes de calcul")
    return budget


def text_size(value: Any, limit: int = MAX_VALUE) -> int:
    """The length of `value` as text, counted only until it passes `limit` (no walk is long)."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        value = [item for pair in value.items() for item in pair]
    if not isinstance(value, list | tuple | set | frozenset):
        return 8
    size = 2
    for item in value:
        size += 2 + text_size(item, limit - size)
        if size > limit:
            break
    return size


def _fits(value: Any, what: str = "une valeur") -> Any:
    if text_size(value) > MAX_VALUE:
        raise OverBudget(f"{what} de plus de {_n(MAX_VALUE)} caractères")
    return value


def _computed(value: Any) -> Any:
    """Count what a filter, call or operator built; a generator is counted as it is consumed."""
    size = text_size(_fits(value))
    budget = _BUDGET.get()
    if budget is not None:
        budget.computed += size
        if budget.computed > MAX_COMPUTED:
            raise OverBudget(f"plus de {_n(MAX_COMPUTED)} caractères calculés")
    return value


def _width(value: Any, what: str) -> None:
    if isinstance(value, int) and abs(value) > MAX_VALUE:
        raise OverBudget(f"{what} {value} : au plus {_n(MAX_VALUE)}")


_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?")


def _check_percent(form: Any, args: Any) -> None:
    """`'%9999999999d' % 1` would build the padding before anyone could count it."""
    if not isinstance(form, str):
        return
    for found in _PERCENT_SPEC.finditer(form):
        for number in found.groups():
            if number == "*":
                for arg in args if isinstance(args, tuple | list) else [args]:
                    _width(arg, "largeur")
            elif number is not None:
                _width(int(number), "largeur")


def _check_format(form: str) -> None:
    """The widths of `'{:>9999999999}'.format(x)`; a width from an argument is refused."""
    try:
        fields = list(string.Formatter().parse(form))
    except ValueError:
        return  # str.format says what is wrong
    for _, _, spec, _ in fields:
        if spec and "{" in spec:
            raise OverBudget("une largeur calculée dans format() n'est pas permise")
        for number in re.findall(r"\d+", spec or ""):
            _width(int(number), "largeur")


def _check_repeat(left: Any, right: Any) -> None:
    if isinstance(left, int) and not isinstance(right, int):
        left, right = right, left
    repeated = isinstance(left, str | list | tuple) and isinstance(right, int)
    if repeated and text_size(left) * right > MAX_VALUE:
        raise OverBudget(f"une répétition de plus de {_n(MAX_VALUE)} caractères")


def _check_power(base: Any, exponent: Any) -> None:
    integers = isinstance(base, int) and isinstance(exponent, int) and exponent > 0
    if integers and base.bit_length() * exponent > 100_000:
        raise OverBudget(f"le nombre {base}**{exponent} est trop grand")


def _check_replace(text: Any, old: Any, new: Any) -> None:
    if isinstance(text, str) and isinstance(old, str) and isinstance(new, str):
        count = text.count(old) if old else len(text) + 1
        if len(text) + count * len(new) > MAX_VALUE:
            raise OverBudget(f"un remplacement de plus de {_n(MAX_VALUE)} caractères")


def _materialized_join(separator: Any, items: Any) -> list[Any]:
    listed = list(items)
    sep = len(separator) if isinstance(separator, str) else 0
    if text_size(listed) + sep * len(listed) > MAX_VALUE:
        raise OverBudget(f"un texte joint de plus de {_n(MAX_VALUE)} caractères")
    return listed


def _check_str_method(method: Any, args: tuple[Any, ...]) -> tuple[Any, ...]:
    """The str methods that can build more than they are given."""
    text, name = method.__self__, method.__name__
    if name in {"center", "ljust", "rjust", "zfill"} and args:
        _width(args[0], "largeur")
    elif name == "expandtabs" and args and isinstance(args[0], int):
        if text.count("\t") * args[0] > MAX_VALUE:
            raise OverBudget("des tabulations trop larges")
    elif name == "replace" and len(args) >= 2:
        _check_replace(text, args[0], args[1])
    elif name == "join" and args:
        return (_materialized_join(text, args[0]), *args[1:])
    return args


def _check_filter(name: str, args: list[Any], kwargs: dict[str, Any]) -> None:
    """The built-in filters that can build more than they are given (see `_check_str_method`)."""
    value, rest = (args[0], args[1:]) if args else (None, [])
    if name == "center":
        _width(rest[0] if rest else kwargs.get("width"), "largeur")
    elif name == "indent":
        width = rest[0] if rest else kwargs.get("width", 4)
        size = len(width) if isinstance(width, str) else width
        if isinstance(value, str) and isinstance(size, int):
            _width((value.count("\n") + 1) * size, "indentation totale")
    elif name in {"batch", "slice"}:
        _width(rest[0] if rest else kwargs.get("linecount", kwargs.get("slices")), "nombre")
    elif name == "format":
        _check_percent(value, tuple(rest) or kwargs)
    elif name == "replace" and len(rest) >= 2:
        _check_replace(value, rest[0], rest[1])
    elif name == "join":
        separator = rest[0] if rest else kwargs.get("d", "")
        args[0] = _materialized_join(separator, value)


def _guarded_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    takes_context = getattr(func, "jinja_pass_arg", None) is not None

    @functools.wraps(func)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        _tick()
        head, values = (list(args[:1]), list(args[1:])) if takes_context else ([], list(args))
        for value in (*values, *kwargs.values()):
            _fits(value)
        _check_filter(name, values, kwargs)
        return _computed(func(*head, *values, **kwargs))

    return guarded


def _each_item(iterable: Iterable[Any]) -> Iterator[Any]:
    """A `{% for %}` loop's items, the budget checked before each one."""
    for item in iterable:
        _tick()
        yield item


def _bounded_range(*args: int) -> range:
    items = range(*args)
    if len(items) > MAX_RANGE:
        raise OverBudget(f"range() de {_n(len(items))} éléments ; au plus {_n(MAX_RANGE)}")
    return items


def _bounded_lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
    if not all(isinstance(x, int) for x in (n, min, max)) or n * max > MAX_LIPSUM_WORDS:
        raise OverBudget(f"lipsum() de plus de {_n(MAX_LIPSUM_WORDS)} mots")
    return str(generate_lorem_ipsum(n, html, min, max))


_DATA = (str, int, float, Decimal, date, type(None))


def printable(value: Any, depth: int = 0) -> None:
    """Data prints; a Jinja2 or Python object would print its repr (« <class … Cycler> »)."""
    if isinstance(value, Undefined):
        str(value)  # StrictUndefined raises the error that names what is missing
    if isinstance(value, _DATA):
        return
    if isinstance(value, list | tuple | dict) and depth < 20:
        items = [i for pair in value.items() for i in pair] if isinstance(value, dict) else value
        for item in items:
            printable(item, depth + 1)
        return
    raise NotPrintable(value)


@pass_context
def _finalize(context: Context, value: Any) -> str:
    """Every `{{ … }}` and every piece of the template's own text, before it is printed."""
    budget = _tick()
    printable(value)
    text = value if isinstance(value, str) else str(_fits(value, "un texte imprimé"))
    if budget is not None:
        budget.printed += len(text)
        if budget.printed > MAX_OUTPUT:
            raise OverBudget(f"un courrier de plus de {_n(MAX_OUTPUT)} caractères")
    return text


class BoundedSandbox(SandboxedEnvironment):
    """Jinja2's sandbox, with every computation counted (see the module's docstring)."""

    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self) -> None:
        super().__init__(
            undefined=StrictUndefined,
            autoescape=False,
            keep_trailing_newline=True,
            finalize=_finalize,
        )
        self.filters = {name: _guarded_filter(name, f) for name, f in self.filters.items()}
        self.filters["_each_item"] = _each_item
        self.filters["_bounded"] = _computed
        self.globals["range"] = _bounded_range
        self.globals["lipsum"] = _bounded_lipsum

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        _tick()
        _fits(left)
        _fits(right)
        if operator == "*":
            _check_repeat(left, right)
        elif operator == "**":
            _check_power(left, right)
        elif operator == "%":
            _check_percent(left, right)
        return _computed(super().call_binop(context, operator, left, right))

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _tick()
        for value in (*args, *kwargs.values()):
            _fits(value)
        if isinstance(__obj, types.BuiltinMethodType) and isinstance(__obj.__self__, str):
            args = _check_str_method(__obj, args)
        wrapped = getattr(getattr(__obj, "__wrapped__", None), "__self__", None)
        if isinstance(wrapped, str) and getattr(__obj, "__name__", "") in {"format", "format_map"}:
            _check_format(wrapped)
        result = _computed(super().call(__context, __obj, *args, **kwargs))
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, list | dict | set):
            _fits(owner, "une liste")  # append, extend, update: it grows in place
        return result

    def budgeted(self, template: nodes.Template) -> nodes.Template:
        """The parsed template, refused if it reads other files, with its loops and `~` counted."""
        for node in template.find_all(tuple(_REFUSED_TAGS)):
            raise RefusedTag(_REFUSED_TAGS[type(node)], node.lineno)
        budgeted = _Budgeting().visit(template)
        budgeted.set_environment(self)
        return budgeted  # type: ignore[no-any-return]


class _Budgeting(NodeTransformer):
    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = _filter(node.iter, "_each_item")
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        return _filter(self.generic_visit(node), "_bounded")

    def visit_TemplateData(self, node: nodes.TemplateData) -> nodes.Node:
        return nodes.Const(node.data, lineno=node.lineno)  # so that it is counted as printed


def _filter(node: nodes.Node, name: str) -> nodes.Filter:
    return nodes.Filter(node, name, [], [], None, None, lineno=node.lineno)
