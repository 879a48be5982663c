"""The manifest's build: assembles dist/rootfs, which the FROM scratch Dockerfile copies whole.

- /usr/local/bin/python3.11: this Python, the one running this script.
- /usr/local/lib/python3.11: its standard library, without tests, Tk, curses and the like, as
  bytecode, and lib-dynload/, the extension modules.
- /app/packages: the pinned requirements, installed into a virtualenv, as bytecode (extension
  modules as they are), without pydantic.v1.
- /app/users_api: the app, with its bytecode.
- the shared libraries ldd lists for the interpreter and every extension module, and the loader.

Bytecode only (no sources) keeps the image small and its file count low, which is what the
engine's build spends its time on; every module is compiled here, so a container starts without
compiling. Each module is a .pyc file where its source would be (Python's sourceless import), not
an entry in a zip: zipimport, Python code itself, cost every start about 0.1 s of CPU more. The
virtualenv is cached under ~/.cache/crud-conformance, keyed by this Python and requirements.txt.
Nothing is written into the folder but dist/, which the image hash leaves out; .python-version,
which it covers, names the Python the image is made of (pyenv reads it too).
Run with `python3 build.py`.
"""

import compileall
import hashlib
import importlib.util
import os
import py_compile
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
NAME = HERE.name
ROOTFS = HERE / "dist" / "rootfs"
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "crud-conformance" / NAME
VERSION = f"{sys.version_info.major}.{sys.version_info.minor}"
STDLIB = Path(sysconfig.get_paths()["stdlib"])
PREFIX = Path("usr/local")  # PYTHONHOME in the image
SCRATCH = Path(tempfile.mkdtemp(prefix=f"{NAME}-build."))

# Never imported by a server, or needing X11, curses, readline or NIS.
STDLIB_LEFT_OUT = {
    "test", "tests", "idle_test", "tkinter", "idlelib", "turtledemo", "turtle.py", "lib2to3", "ensurepip",
    "pydoc_data", "site-packages", "dist-packages", "distutils", "venv", "curses", "dbm", "sqlite3",
    "__phello__", "lib-dynload", f"config-{VERSION}-x86_64-linux-gnu",
}
EXTENSIONS_LEFT_OUT = ("_tkinter", "_curses", "readline", "nis", "_dbm", "_gdbm", "_sqlite3", "_test", "_ctypes_test", "xx")
PACKAGES_LEFT_OUT = {"pip", "setuptools", "_distutils_hack", "pkg_resources", "distutils-precedence.pth", "__pycache__"}
# pydantic v2's copy of the v1 API. FastAPI imports it while it declares routes, only to refuse v1
# models (fastapi/_compat/shared.py), and takes its absence for "no v1 model", as it will once
# pydantic drops it: 25 ms of CPU per start.
PACKAGE_PATHS_LEFT_OUT = frozenset({"pydantic/v1"})


def say(line: str) -> None:
    print(f"{NAME}: {line}", flush=True)


def check_python() -> None:
    want = (HERE / ".python-version").read_text().strip()
    have = ".".join(map(str, sys.version_info[:3]))
    if have != want:
        sys.exit(
            f"{NAME}: this Python ({sys.executable}) is {have} but .python-version says {want}; build with "
            f"Python {want}, or write {have} into .python-version (hashed, so the image is rebuilt from the new Python)"
        )


def site_packages() -> Path:
    """A virtualenv with the pinned requirements, made once per Python and requirements.txt."""
    requirements = (HERE / "requirements.txt").read_bytes()
    key = hashlib.sha256(f"{os.path.realpath(sys.executable)}\n{sys.version}\n".encode() + requirements).hexdigest()[:16]
    venv = CACHE / f"venv-{key}"
    if not (venv / "complete").exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=f"venv-{key}.", dir=CACHE))  # another build may be making it too
        install = ["install", "--quiet", "--disable-pip-version-check", "--no-input", "--no-compile",
                   # Every package pinned with its hash, dependencies included; wheels only.
                   "--require-hashes", "--no-deps", "--only-binary=:all:", "-r", str(HERE / "requirements.txt")]
        pinned = any(line.strip() and not line.lstrip().startswith(("#", "--")) for line in requirements.decode().splitlines())
        if not pinned:
            subprocess.run([sys.executable, "-m", "venv", "--without-pip", "--clear", str(scratch)], check=True)
        elif importlib.util.find_spec("pip"):  # this Python's pip installs into a venv made without one: faster
            subprocess.run([sys.executable, "-m", "venv", "--without-pip", "--clear", str(scratch)], check=True)
            subprocess.run([sys.executable, "-m", "pip", "--python", str(scratch / "bin" / "python"), *install], check=True)
        else:
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(scratch)], check=True)
            subprocess.run([str(scratch / "bin" / "python"), "-m", "pip", *install], check=True)
        (scratch / "complete").touch()
        try:
            scratch.rename(venv)
        except OSError:  # made meanwhile
            shutil.rmtree(scratch)
    return next((venv / "lib").glob("python3*/site-packages"))


def bytecode(source: Path, shown_as: str) -> bytes:
    """The .pyc of a module: this Python's own cached one when it is current, else compiled now."""
    cached = Path(importlib.util.cache_from_source(str(source)))
    stat = source.stat()
    try:
        data = cached.read_bytes()
        if (data[:4] == importlib.util.MAGIC_NUMBER and data[4:8] == b"\0\0\0\0"
                and int.from_bytes(data[8:12], "little") == int(stat.st_mtime) & 0xFFFFFFFF
                and int.from_bytes(data[12:16], "little") == stat.st_size & 0xFFFFFFFF):
            return data
    except OSError:
        pass
    out = SCRATCH / "module.pyc"
    py_compile.compile(str(source), cfile=str(out), dfile=shown_as, doraise=True)
    return out.read_bytes()


def bytecode_tree(
    root: Path, into: Path, shown_at: str, left_out: set[str], paths_left_out: frozenset[str] = frozenset()
) -> None:
    """Every module below root as bytecode where its source would be, and every data file as it is;
    `paths_left_out` are folders relative to root. No __pycache__: the bytecode is the module."""
    for folder, dirs, files in os.walk(root):
        rel_folder = Path(folder).relative_to(root)
        dirs[:] = sorted(
            d for d in dirs if d not in left_out | {"__pycache__"} and (rel_folder / d).as_posix() not in paths_left_out
        )
        (into / rel_folder).mkdir(parents=True, exist_ok=True)
        for name in sorted(files):
            if name in left_out:
                continue
            path = Path(folder) / name
            rel = rel_folder / name
            if name.endswith(".py"):
                (into / rel).with_suffix(".pyc").write_bytes(bytecode(path, f"{shown_at}/{rel}"))
            elif not name.endswith((".pyc", ".pyi")):
                shutil.copy2(path, into / rel)


def strip(*binaries: Path) -> None:
    """Debug symbols out: pyenv's build keeps them (13 of lib-dynload's 15 MB)."""
    if shutil.which("strip"):
        subprocess.run(["strip", "--strip-unneeded", *map(str, binaries)], check=False)


def libraries(binaries: list[Path]) -> set[Path]:
    """The shared libraries ldd resolves for these binaries, and the loader."""
    found: set[Path] = set()
    out = subprocess.run(["ldd", *map(str, binaries)], capture_output=True, text=True).stdout
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[1] == "=>" and parts[2].startswith("/"):
            found.add(Path(parts[2]))
        elif parts and parts[0].startswith("/") and "ld-linux" in parts[0]:
            found.add(Path(parts[0]))
    return found


def main() -> None:
    started = time.monotonic()
    check_python()
    packages = site_packages()
    say(f"requirements installed ({time.monotonic() - started:.1f} s)")

    shutil.rmtree(ROOTFS, ignore_errors=True)
    lib = ROOTFS / PREFIX / "lib"
    dynload = lib / f"python{VERSION}" / "lib-dynload"
    (ROOTFS / PREFIX / "bin").mkdir(parents=True)
    lib.mkdir()
    python = Path(os.path.realpath(sys.executable))
    shutil.copy2(python, ROOTFS / PREFIX / "bin" / f"python{VERSION}")
    # The Dockerfile's entry point, whatever version .python-version names (the scaffold copies both).
    (ROOTFS / PREFIX / "bin" / "python3").symlink_to(f"python{VERSION}")
    stdlib = lib / f"python{VERSION}"
    bytecode_tree(STDLIB, stdlib, f"/{PREFIX}/lib/python{VERSION}", STDLIB_LEFT_OUT)
    dynload.mkdir(parents=True)
    for so in (STDLIB / "lib-dynload").glob("*.so"):
        if not so.name.startswith(EXTENSIONS_LEFT_OUT):
            shutil.copy2(so, dynload / so.name)
    strip(*dynload.glob("*.so"))

    (ROOTFS / "app").mkdir()
    bytecode_tree(packages, ROOTFS / "app" / "packages", "/app/packages", PACKAGES_LEFT_OUT, PACKAGE_PATHS_LEFT_OUT)
    shutil.copytree(HERE / "users_api", ROOTFS / "app" / "users_api", ignore=shutil.ignore_patterns("__pycache__"))
    compileall.compile_dir(ROOTFS / "app", quiet=1, stripdir=str(ROOTFS), prependdir="/")

    # Every library in /lib/x86_64-linux-gnu, which the loader searches by default; libpython too,
    # whose place the interpreter's RUNPATH gives as the host's prefix.
    multiarch = ROOTFS / "lib" / "x86_64-linux-gnu"
    multiarch.mkdir(parents=True)
    for path in libraries([python, *ROOTFS.rglob("*.so")]):
        target = ROOTFS / "lib64" / path.name if "ld-linux" in path.name else multiarch / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path.resolve(), target)
        if path.name.startswith("libpython"):
            strip(target)
    files = [f for f in ROOTFS.rglob("*") if f.is_file()]
    size = sum(f.stat().st_size for f in files)
    python_version = sys.version.split()[0]
    say(f"dist/rootfs: {len(files)} files, {size / 2**20:.0f} MB (Python {python_version}) in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(SCRATCH, ignore_errors=True)
