"""The example workspace reaches a user whole: from a checkout without symbolic links (Git
for Windows' default), from a wheel, from an sdist, and `init` refuses a damaged one."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from lettres import initialise
from tests.helpers import REPO, Invoke, lettres_process

EXAMPLE = REPO / "src" / "lettres" / "exemple"
GIT = shutil.which("git")
needs_checkout = pytest.mark.skipif(
    GIT is None or not (REPO / ".git").exists(), reason="needs git and a git checkout"
)


def workspace_files(root: Path) -> dict[str, bytes]:
    """The files an example is made of: the directory and everything under modeles/."""
    files = {"destinataires.yaml": (root / "destinataires.yaml").read_bytes()}
    for path in sorted((root / "modeles").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            files[path.relative_to(root).as_posix()] = path.read_bytes()
    return files


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository cloned as Git for Windows does by default (what is committed)."""
    target = tmp_path_factory.mktemp("clone") / "lettres"
    subprocess.run(
        [GIT or "git", "-c", "core.symlinks=false", "clone", "-q", str(REPO), str(target)],
        check=True,
        capture_output=True,
    )
    return target


def init_and_check(pythonpath: Path, tmp_path: Path) -> Path:
    """`lettres init` then `lettres check` with the package found at `pythonpath`."""
    origin = subprocess.run(
        [sys.executable, "-c", "import lettres; print(lettres.__file__)"],
        env={"PYTHONPATH": str(pythonpath), "PATH": ""},
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert Path(origin.stdout.strip()).is_relative_to(pythonpath), origin.stdout
    target = tmp_path / "espace"
    created = lettres_process("init", target, pythonpath=pythonpath, cwd=tmp_path)
    assert created.returncode == 0, created.stderr.decode()
    checked = lettres_process("--workspace", target, "check", pythonpath=pythonpath)
    assert checked.returncode == 0, checked.stderr.decode()
    assert "Espace de travail valide" in checked.stdout.decode()
    assert not any(path.is_symlink() for path in target.rglob("*"))
    assert workspace_files(target) == workspace_files(REPO)
    return target


@needs_checkout
def test_no_symbolic_link_is_committed() -> None:
    listing = subprocess.run(
        ["git", "ls-files", "-s"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout
    links = [line.split("\t")[1] for line in listing.splitlines() if line.startswith("120000")]
    assert links == []


def test_the_packaged_example_is_the_repository_workspace() -> None:
    """The example lives in the package; the repository's own workspace must be the same."""
    example, workspace = workspace_files(EXAMPLE), workspace_files(REPO)
    different = sorted(
        name
        for name in example.keys() | workspace.keys()
        if example.get(name) != workspace.get(name)
    )
    assert different == [], (
        f"{different} : l'exemple du paquet (src/lettres/exemple) et l'espace de travail du "
        "dépôt diffèrent ; recopiez l'un sur l'autre (cp destinataires.yaml src/lettres/exemple/ "
        "&& cp -r modeles src/lettres/exemple/)"
    )


@needs_checkout
def test_init_from_a_checkout_without_symbolic_links(clone: Path, tmp_path: Path) -> None:
    init_and_check(clone / "src", tmp_path)


def build_wheel(source: Path, dist: Path) -> Path:
    """A wheel built by pip from `source`, offline: the build back end is the one installed."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "-w", str(dist), str(source)],
        check=True, capture_output=True,
    )  # fmt: skip
    (wheel,) = dist.glob("lettres-*.whl")
    return wheel


def build_sdist(source: Path, dist: Path) -> Path:
    dist.mkdir(parents=True, exist_ok=True)
    code = f"from setuptools import build_meta; print(build_meta.build_sdist({str(dist)!r}))"
    subprocess.run([sys.executable, "-c", code], cwd=source, check=True, capture_output=True)
    (sdist,) = dist.glob("lettres-*.tar.gz")
    return sdist


@needs_checkout
@pytest.mark.parametrize("route", ["wheel", "sdist"])
def test_init_from_a_package_built_from_that_checkout(
    clone: Path, tmp_path: Path, route: str
) -> None:
    """What `pip install lettres` would install, built from a checkout without links:
    the wheel directly, or the sdist unpacked and built into a wheel as pip does."""
    source = shutil.copytree(clone, tmp_path / "source", ignore=shutil.ignore_patterns(".git"))
    if route == "sdist":
        sdist = build_sdist(source, tmp_path / "sdist")
        with tarfile.open(sdist) as archive:
            archive.extractall(tmp_path / "unpacked", filter="data")
        (source,) = (tmp_path / "unpacked").iterdir()
    wheel = build_wheel(source, tmp_path / "dist")
    installed = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        assert "lettres/exemple/modeles/lettre.typ" in archive.namelist()
        assert "lettres/skeleton.docx" in archive.namelist()  # every DOCX starts from it
        archive.extractall(installed)
    init_and_check(installed, tmp_path)


def test_init_refuses_a_damaged_example(
    tmp_path: Path, run: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The example as a checkout without symbolic links used to leave it: two one-line files."""
    placeholders = [
        (Path("destinataires.yaml"), b"../../../destinataires.yaml"),
        (Path("modeles"), b"../../../modeles"),
    ]
    monkeypatch.setattr(initialise, "example_files", lambda: placeholders)
    target = tmp_path / "nouveau"
    result = run("init", str(target))
    assert result.exit_code == 1
    assert "l'exemple fourni avec lettres est abîmé" in result.stderr
    assert "destinataires.yaml" in result.stderr
    assert "Traceback" not in result.output
    assert list(target.iterdir()) == []


def code_blocks(language: str) -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    return [block.strip() for block in re.findall(rf"```{language}\n(.*?)```", readme, re.S)]


def in_powershell(command: str) -> str:
    """A POSIX command of the README as PowerShell says it: py, `;`, .venv\\Scripts, `\\`."""
    return (
        command.replace("python3 ", "py ")
        .replace(" && ", "; ")
        .replace(".venv/bin/", ".venv/Scripts/")
        .replace("/", "\\")
    )


def test_the_readme_gives_its_first_two_commands_for_powershell_too() -> None:
    posix, powershell = code_blocks("sh")[:2], code_blocks("powershell")[:2]
    assert posix[1] in (REPO / ".ci" / "run").read_text(encoding="utf-8")  # CI runs it as is
    assert powershell == [in_powershell(command) for command in posix]
