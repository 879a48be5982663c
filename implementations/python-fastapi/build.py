"""The manifest's build: installs the pinned requirements into a virtualenv and assembles
dist/rootfs, which the FROM scratch Dockerfile copies whole: this Python (the one running this
script), its standard library without tests, Tk and the like, the installed packages, the app, the
shared libraries ldd lists for the interpreter and every extension module, and the dynamic
loader. Everything is precompiled to .pyc, so a container imports without compiling.

Nothing is written outside dist/, which the image hash leaves out; .python-version, which it
covers, names the Python the image is made of (pyenv also reads it). Run with `python3 build.py`.
"""

import compileall
import os
import shutil
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DIST = HERE / "dist"
VENV = DIST / "venv"  # kept between builds while requirements.txt and the Python stay the same
ROOTFS = DIST / "rootfs"
VERSION = f"{sys.version_info.major}.{sys.version_info.minor}"
STDLIB = Path(sysconfig.get_paths()["stdlib"])  # e.g. /usr/local/lib/python3.11
IMAGE_PREFIX = Path("/usr/local")  # PYTHONHOME in the image

# Parts of the standard library a server never imports (or that need X11, curses or readline).
STDLIB_LEFT_OUT = {
    "test", "tkinter", "idlelib", "turtledemo", "turtle.py", "lib2to3", "ensurepip", "pydoc_data",
    "site-packages", "dist-packages", "distutils", "venv", "curses", "dbm", "sqlite3", "__phello__",
    f"config-{VERSION}-x86_64-linux-gnu",
}
EXTENSIONS_LEFT_OUT = ("_tkinter", "_curses", "readline", "nis", "_dbm", "_gdbm", "_sqlite3", "_test", "_ctypes_test", "xx", "_xxtestfuzz")
PACKAGES_LEFT_OUT = {"pip", "setuptools", "_distutils_hack", "pkg_resources", "distutils-precedence.pth"}


def say(line: str) -> None:
    print(f"python-fastapi: {line}", flush=True)


def check_python() -> None:
    want = (HERE / ".python-version").read_text().strip()
    have = ".".join(map(str, sys.version_info[:3]))
    if have != want:
        sys.exit(
            f"python-fastapi: this Python ({sys.executable}) is {have} but .python-version says {want}; run the build "
            f"with Python {want}, or write {have} into .python-version (hashed, so the image is rebuilt from the new Python)"
        )


def ensure_venv() -> Path:
    """The virtualenv with the pinned requirements; made again when they or the Python change."""
    stamp = VENV / "crud-conformance.stamp"
    wanted = f"{sys.executable} {sys.version}\n{(HERE / 'requirements.txt').read_text()}"
    if stamp.exists() and stamp.read_text() == wanted:
        return next((VENV / "lib").glob("python3*/site-packages"))
    shutil.rmtree(VENV, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    pip = [str(VENV / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-input"]
    # Every package is pinned with its hash, dependencies included; wheels only, nothing is built.
    subprocess.run([*pip, "--require-hashes", "--no-deps", "--only-binary=:all:", "-r", str(HERE / "requirements.txt")], check=True)
    stamp.write_text(wanted)
    return next((VENV / "lib").glob("python3*/site-packages"))


def copy_tree(src: Path, dst: Path, left_out: set[str] | tuple[str, ...] = ()) -> None:
    """.py, .so and data files, with each module's own .pyc (not the -O ones); modification times
    kept, so the copied .pyc files stay valid for their sources."""

    def ignore(folder: str, names: list[str]) -> set[str]:
        skip = {n for n in names if n in left_out or n.endswith((".opt-1.pyc", ".opt-2.pyc", ".exe"))}
        if Path(folder).name == "__pycache__":
            skip |= {n for n in names if not n.endswith(f".{sys.implementation.cache_tag}.pyc")}
        return skip

    shutil.copytree(src, dst, ignore=ignore, symlinks=False)


def libraries(binaries: list[Path]) -> set[Path]:
    """The shared libraries ldd resolves for these binaries, and the loader."""
    found: set[Path] = set()
    for chunk in (binaries[i : i + 200] for i in range(0, len(binaries), 200)):
        out = subprocess.run(["ldd", *map(str, chunk)], capture_output=True, text=True).stdout
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
    site_packages = ensure_venv()

    shutil.rmtree(ROOTFS, ignore_errors=True)
    lib = ROOTFS / IMAGE_PREFIX.relative_to("/") / "lib"
    stdlib = lib / f"python{VERSION}"
    (ROOTFS / "usr/local/bin").mkdir(parents=True)
    python = Path(os.path.realpath(sys.executable))
    shutil.copy2(python, ROOTFS / f"usr/local/bin/python{VERSION}")
    copy_tree(STDLIB, stdlib, STDLIB_LEFT_OUT)
    dynload = stdlib / "lib-dynload"
    for so in dynload.glob("*.so"):
        if so.name.startswith(EXTENSIONS_LEFT_OUT):
            so.unlink()
    copy_tree(site_packages, ROOTFS / "app/packages", PACKAGES_LEFT_OUT)
    copy_tree(HERE / "users_api", ROOTFS / "app/users_api", {"__pycache__"})
    # What has no .pyc yet (the app; anything the host never compiled), with image paths in it.
    for tree in (stdlib, ROOTFS / "app"):
        compileall.compile_dir(tree, quiet=1, workers=0, stripdir=str(ROOTFS), prependdir="/")

    # Every library at /lib/x86_64-linux-gnu, which the loader searches by default (libpython
    # included: the interpreter's RUNPATH names the host's prefix, absent in the image).
    elves = [python, *ROOTFS.rglob("*.so"), *ROOTFS.rglob("*.so.*")]
    multiarch = ROOTFS / "lib/x86_64-linux-gnu"
    multiarch.mkdir(parents=True)
    for path in libraries(elves):
        target = ROOTFS / "lib64" / path.name if "ld-linux" in path.name else multiarch / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path.resolve(), target)
        if target.name.startswith("libpython") and shutil.which("strip"):  # pyenv keeps its debug symbols
            subprocess.run(["strip", "--strip-unneeded", str(target)], check=False)
    size = sum(f.stat().st_size for f in ROOTFS.rglob("*") if f.is_file())
    say(f"dist/rootfs is {size / 2**20:.0f} MB (Python {sys.version.split()[0]}) after {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
