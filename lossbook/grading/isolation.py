"""Operating-system isolation for students' code (Linux namespaces, via bubblewrap).

The sandbox's workers (:mod:`lossbook.grading.sandbox`) are forked from a *zygote*
process that :func:`zygote_command` starts inside ``bwrap``:

- its own user, PID, network, IPC, UTS and cgroup namespaces, no capabilities:
  no network at all (it cannot reach the grading kernel's ports), and it cannot
  see or signal the kernel, the grader or any process outside;
- a read-only view of the Python installation and of the ``lossbook`` package
  only: the instructor's key, the solutions, the submissions, the output
  folder, the home folder and the kernel's connection files do not exist
  there; a private scratch folder (``/scratch``: ``HOME`` and ``TMPDIR``) is
  the only writable place.

Each worker then enters namespaces of its own (:func:`enter_worker_namespaces`):
it is process 1 of a new PID namespace, so killing it kills every process the
student's code started, ``setsid()`` or not; ``/proc`` is hidden and the
scratch folder and ``/dev/shm`` are fresh, size-limited tmpfs (``/dev`` is
read-only), so nothing written by one student is seen by the next. Resource limits (:func:`limit_resources`) cap CPU time, memory, file
size and open files.
"""

import ctypes
import os
import resource
import shutil
import site
import subprocess
import sys
from pathlib import Path

CLONE_NEWNS, CLONE_NEWIPC = 0x00020000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID = 0x10000000, 0x20000000
MS_REC, MS_PRIVATE, MS_NOSUID, MS_NODEV = 0x4000, 1 << 18, 0x2, 0x4
PR_SET_DUMPABLE = 4

SANDBOX_UID = 65534  # "nobody" inside the namespaces
SYSTEM_PATHS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64")
ETC_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime", "/etc/alternatives")
PASSED_ENV = ("LOSSBOOK_SEED", "LOSSBOOK_TEST_SEED", "LANG", "LC_ALL")
SCRATCH = "/scratch"  # a worker's private, writable folder: its HOME, TMPDIR and working directory
SCRATCH_BYTES = 64 * 1024**2
SHARED_MEMORY_BYTES = 16 * 1024**2  # a worker's /dev/shm
FILE_SIZE_LIMIT = 32 * 1024**2
OPEN_FILES_LIMIT = 256
PROCESS_LIMIT = 512  # processes per user; the kernel does not apply it to root

_libc = None


def _c():
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    return _libc


def _check(result: int, what: str) -> None:
    if result != 0:
        raise OSError(ctypes.get_errno(), f"{what}: {os.strerror(ctypes.get_errno())}")


def readable_paths() -> list:
    """What a worker may read: the Python installation and the lossbook package, nothing else."""
    import lossbook

    wanted = {sys.prefix, sys.base_prefix, sys.exec_prefix, *site.getsitepackages(),
              str(Path(lossbook.__file__).resolve().parent)}
    wanted = sorted(str(Path(p).resolve()) for p in wanted if os.path.isdir(p))
    # Keep only the outermost of nested paths (binding a parent already shows the child).
    return [p for p in wanted if not any(p != q and p.startswith(q.rstrip("/") + "/") for q in wanted)]


def zygote_command(python_args: list) -> list:
    """The bwrap command line that runs ``python -I <python_args>`` in the sandbox."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise FileNotFoundError("bubblewrap (bwrap) is not installed")
    cmd = [bwrap, "--unshare-all", "--unshare-user", "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID),
           "--die-with-parent", "--new-session", "--cap-drop", "ALL", "--clearenv",
           "--setenv", "HOME", SCRATCH, "--setenv", "TMPDIR", SCRATCH, "--setenv", "PATH", "/usr/local/bin:/usr/bin:/bin",
           "--setenv", "MPLBACKEND", "Agg", "--setenv", "MPLCONFIGDIR", SCRATCH,
           # PyTorch's dispatch machinery asks for a cache folder when it first runs (in the zygote,
           # where the scratch folder exists but is not yet writable; nothing is written there).
           "--setenv", "TORCHINDUCTOR_CACHE_DIR", SCRATCH,
           "--setenv", "OMP_NUM_THREADS", "1", "--setenv", "PYTHONDONTWRITEBYTECODE", "1"]
    for name in PASSED_ENV:
        if name in os.environ:
            cmd += ["--setenv", name, os.environ[name]]
    # An empty /tmp first, so that what is bound below it (a checkout or a virtual environment
    # under /tmp) stays visible; it is made read-only at the end, like everything but the scratch folder.
    cmd += ["--tmpfs", "/tmp", "--dir", SCRATCH]
    for path in SYSTEM_PATHS:
        if os.path.islink(path):
            cmd += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            cmd += ["--ro-bind", path, path]
    for path in ETC_FILES:
        cmd += ["--ro-bind-try", path, path]
    for path in readable_paths():
        cmd += ["--ro-bind", path, path]
    # /dev read-only too (its device files still work): each worker mounts a /dev/shm of its own.
    cmd += ["--proc", "/proc", "--dev", "/dev", "--remount-ro", "/dev", "--remount-ro", "/tmp", "--remount-ro", "/",
            "--chdir", "/"]
    return cmd + [sys.executable, "-I", *python_args]


def isolation_problem() -> str | None:
    """Why students' code cannot be isolated on this machine, or None if it can."""
    if not sys.platform.startswith("linux"):
        return "isolating students' code needs Linux namespaces (this is not Linux)"
    try:
        # Finding torch is enough (importing it would add a second to every run).
        cmd = zygote_command(["-c", "import importlib.util, lossbook; assert importlib.util.find_spec('torch')"])
    except FileNotFoundError:
        return "bubblewrap (bwrap) is not installed; run: bash tools/setup-system.sh grade"
    try:
        probe = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as err:
        return f"bubblewrap could not start a sandbox ({err.__class__.__name__})"
    if probe.returncode != 0:
        lines = (probe.stderr or "").strip().splitlines() or ["no message"]
        return f"bubblewrap could not start a sandbox ({lines[-1][:200]}); are user namespaces enabled?"
    return None


def protect_from_ptrace() -> None:
    """Make this process non-dumpable: processes of the same user can neither trace it nor read its memory."""
    _c().prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)


def enter_worker_namespaces() -> None:
    """In a freshly forked child: new user, PID, mount and IPC namespaces (the next fork is PID 1)."""
    uid, gid = os.getuid(), os.getgid()
    _check(_c().unshare(CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC), "unshare")
    for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
        with open(f"/proc/self/{name}", "w") as handle:
            handle.write(text)


def private_mounts() -> None:
    """In the worker (PID 1 of its namespace): hide /proc, a fresh scratch folder and a fresh /dev/shm."""
    libc = _c()
    _check(libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None), "mount --make-rprivate /")
    options = f"size={SCRATCH_BYTES},mode=1777".encode()
    _check(libc.mount(b"tmpfs", SCRATCH.encode(), b"tmpfs", MS_NOSUID | MS_NODEV, options), "mount the scratch folder")
    options = f"size={SHARED_MEMORY_BYTES},mode=1777".encode()  # POSIX shared memory and semaphores
    _check(libc.mount(b"tmpfs", b"/dev/shm", b"tmpfs", MS_NOSUID | MS_NODEV, options), "mount /dev/shm")
    _check(libc.mount(b"tmpfs", b"/proc", b"tmpfs", MS_NOSUID | MS_NODEV, b"size=4096,mode=555"), "hide /proc")
    os.chdir(SCRATCH)


def limit_resources(memory_bytes: int, cpu_seconds: float) -> None:
    """Hard limits for the worker and everything it starts (they can be lowered, never raised)."""
    cpu = int(cpu_seconds) + 1
    for limit, value in ((resource.RLIMIT_AS, memory_bytes), (resource.RLIMIT_CPU, cpu),
                         (resource.RLIMIT_FSIZE, FILE_SIZE_LIMIT), (resource.RLIMIT_NOFILE, OPEN_FILES_LIMIT),
                         (resource.RLIMIT_NPROC, PROCESS_LIMIT), (resource.RLIMIT_CORE, 0)):
        try:
            resource.setrlimit(limit, (value, value))
        except (ValueError, OSError):
            pass
