# zcc hook for PlatformIO: routes every C/C++/assembler compile of every build environment
# (project, libraries, framework) through zcc, the compiler cache.
#
# Written by `zcc platformio-script`. Use it as a pre: extra script, either in platformio.ini
#     extra_scripts = pre:zcc_pio.py
# or, for a project you do not want to edit,
#     PLATFORMIO_EXTRA_SCRIPTS=pre:/path/to/zcc_pio.py pio run
#
# It wraps SCons' SPAWN, which runs every command of the build: a command whose program is a
# GCC- or Clang-family driver (avr-gcc, arm-none-eabi-g++, clang, cc, ...) runs as
# `zcc <driver> <args>`. zcc caches the compiles and runs everything else (links, @response
# file calls it cannot cache, probes) untouched.
#
# The environment variable ZCC names another zcc to use; ZCC_DISABLE=1 (or true/yes/on)
# turns the hook off. If zcc cannot be found, the build runs without it.
import os
import re
import shlex
import shutil
import sys

Import("env")  # noqa: F821 (provided by SCons)

# The zcc that wrote this script (replaced by `zcc platformio-script`).
ZCC_PATH = "@ZCC_PATH@"

_DRIVER = re.compile(r"^(?:.+-)?(?:gcc|g\+\+|cc|c\+\+|clang|clang\+\+)(?:-[0-9][0-9.]*)?$")


def _program_name(cmd):
    """The file name of SCons' (escaped, maybe quoted) program, without quotes or .exe."""
    name = os.path.basename(str(cmd).strip("\"'"))
    if name.lower().endswith(".exe"):
        name = name[:-4]
    return name


def _is_driver(cmd):
    return _DRIVER.match(_program_name(cmd)) is not None


def _disabled(environ):
    value = str(environ.get("ZCC_DISABLE", "")).strip().lower()
    return value in ("1", "true", "yes", "on")


def _find_zcc():
    zcc = os.environ.get("ZCC") or ZCC_PATH
    if os.sep in zcc or (os.altsep and os.altsep in zcc):
        return zcc if os.path.isfile(zcc) and os.access(zcc, os.X_OK) else None
    return shutil.which(zcc)


def _install(env):
    previous = env["SPAWN"]
    if getattr(previous, "zcc_hook", False):
        return  # already installed (the script was given twice)
    if _disabled(os.environ):
        return
    zcc = _find_zcc()
    if zcc is None:
        sys.stderr.write(
            "zcc: %s is not an executable; building without the cache\n"
            % (os.environ.get("ZCC") or ZCC_PATH)
        )
        return
    # SCons joins the arguments with spaces and runs them with `sh -c` (POSIX) or `cmd /C`.
    quoted_zcc = shlex.quote(zcc) if os.name == "posix" else env["ESCAPE"](zcc)

    def zcc_spawn(sh, escape, cmd, args, child_env):
        # A command already prefixed with zcc (or ccache) names that program, not a driver.
        if args and _is_driver(cmd) and not _disabled(child_env):
            return previous(sh, escape, quoted_zcc, [quoted_zcc] + list(args), child_env)
        return previous(sh, escape, cmd, args, child_env)

    zcc_spawn.zcc_hook = True
    env.Replace(SPAWN=zcc_spawn)


_install(env)  # noqa: F821
