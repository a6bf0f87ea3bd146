#!/usr/bin/python3
"""Sweep runner: run a grid of configurations x seeds of the golden model or the chip, on a local
process pool or across MPI ranks, and gather one results table (mean +/- std over seeds).

Usage:
  scripts/sweep.py SWEEP.json|SWEEP.toml [--out DIR] [-j N] [--bin-dir DIR]
                   [--dry-run] [--table-only] [--no-progress] [--no-mpi]
  mpirun -np 4 scripts/sweep.py SWEEP.json          (each rank runs its share; rank 0 writes the table)

The sweep file format, output layout and examples: docs/sweeps.md.
Exit status: 0 all points finished, 1 some points failed, 2 bad sweep file or usage, 130 interrupted.

Debian's python3 (/usr/bin/python3) is used on purpose: the MPI binding is Debian's python3-mpi4py.

The parts (sweeplib/ beside this script): spec.py reads the sweep file into configurations and
points, pool.py runs points as child processes, mpi.py shares them between ranks, table.py writes
the results table, common.py holds what they share.  Copy the script together with sweeplib/.
"""
import argparse
import os
import signal
import sys
import time

from sweeplib.common import SweepError, one_line, read_report, write_atomically
from sweeplib.mpi import RankMessages, get_comm, mpi_requested, run_worker
from sweeplib.pool import Progress, default_jobs, run_share
from sweeplib import spec  # noqa: F401  (tb/sweep/fuzz_sweep_files.py replaces spec.program_options)
from sweeplib.spec import TOP_KEYS, Sweep, load_sweep, write_config_files  # noqa: F401  (and the fuzzer)
from sweeplib.table import TABLE_FILES, write_table

PROG = "sweep.py"
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Interrupted(Exception):
    pass


def _on_signal(signum, _frame):
    raise Interrupted(signum)


def main(argv=None):
    ap = argparse.ArgumentParser(prog=PROG, description="Run a sweep file (docs/sweeps.md).")
    ap.add_argument("sweep", help="sweep file, .json or .toml")
    ap.add_argument("--out", help="output folder (default: the file's 'output', else out/NAME beside it)")
    ap.add_argument("-j", "--jobs", type=int, default=0,
                    help="points at once per process (default: cores, shared between the MPI ranks of a machine)")
    ap.add_argument("--bin-dir", default=os.environ.get("SSNN_BIN_DIR", os.path.join(REPO, "build", "bin")),
                    help="folder of ssnn_golden and ssnn_chip_tb (default $SSNN_BIN_DIR or <repo>/build/bin)")
    ap.add_argument("--validation", type=int, default=0, metavar="N",
                    help="hold out the last N training images in every point (the programs' --validation N), "
                         "unless the sweep file sets 'validation'")
    ap.add_argument("--dry-run", action="store_true", help="list the points and whether each is finished")
    ap.add_argument("--table-only", action="store_true", help="write the table from the finished points; run none (also beside a running sweep)")
    ap.add_argument("--no-progress", action="store_true", help="no progress display")
    ap.add_argument("--no-mpi", action="store_true", help="do not use MPI even under mpirun")
    args = ap.parse_args(argv)
    if args.jobs < 0:
        ap.error("--jobs must be at least 0")
    if args.validation < 0:
        ap.error("--validation must be at least 0")

    comm = None
    rank, size, local_size = 0, 1, 1
    if not args.no_mpi and mpi_requested():
        try:
            MPI = get_comm()
        except SweepError as e:
            print(f"{PROG}: error: {e}", file=sys.stderr)
            return 2
        comm = MPI.COMM_WORLD
        rank, size = comm.Get_rank(), comm.Get_size()
        local_size = comm.Split_type(MPI.COMM_TYPE_SHARED).Get_size()
        if size == 1:
            comm = None
    jobs = args.jobs or default_jobs(local_size)

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    try:
        if rank == 0:
            return run_root(args, comm, size, jobs)
        return run_worker(comm, jobs)
    except Interrupted:
        print(f"\n{PROG}: interrupted; finished points are kept, rerun to continue", file=sys.stderr)
        return 130
    except Exception as e:
        if comm is None and isinstance(e, OSError):  # an output that cannot be written: a device, a full disk
            where = os.fsdecode(e.filename) if e.filename is not None else "output"
            print(one_line(f"{PROG}: error: {where}: {e.strerror or e}"), file=sys.stderr)
            return 2
        if comm is None:
            raise
        # Under MPI an exception on one rank would leave the others waiting: end the whole job.
        import traceback
        traceback.print_exc()
        print(f"{PROG}: rank {rank}: unexpected error, aborting all ranks", file=sys.stderr, flush=True)
        comm.Abort(1)


def run_root(args, comm, size, jobs):
    try:
        s = load_sweep(args.sweep, os.path.abspath(args.bin_dir), args.out, validation=args.validation)
    except SweepError as e:
        if comm:
            comm.bcast(("stop", 2))
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 2
    lock = None
    if not args.dry_run:
        for name in TABLE_FILES:  # checked before any point runs, not after
            path = os.path.join(s.out, name)
            if os.path.lexists(path) and not os.path.isfile(path):
                print(one_line(f"{PROG}: error: {path}: exists and is not a regular file (refusing to replace it)"),
                      file=sys.stderr)
                return 2
        write_config_files(s)
        # --table-only reads finished reports and replaces the table atomically, so it may run beside a
        # running sweep (which rewrites the table when it ends).
        lock = take_lock(s.out)
        if lock is None and not args.table_only:
            if comm:
                comm.bcast(("stop", 2))
            print(f"{PROG}: error: {s.out}: another sweep is running in this folder", file=sys.stderr)
            return 2
    finished = [p for p in s.points if read_report(p["report"], p["seed"]) is not None]
    pending = [p for p in s.points if read_report(p["report"], p["seed"]) is None]
    nconf, nseed = len(s.configs), len(s.seeds)
    print(f"[sweep] {s.name}: {nconf} configurations x {nseed} seeds = {len(s.points)} points; "
          f"{len(finished)} finished, {len(pending)} to run"
          + ("" if args.dry_run or args.table_only else
             f" on {size} rank{'s' if size > 1 else ''} x {jobs} jobs") + f"; output {s.out}",
          file=sys.stderr, flush=True)
    if args.dry_run or args.table_only:
        if comm:
            comm.bcast(("stop", 0))
        if args.dry_run:
            todo = {(p["key"], p["seed"]) for p in pending}
            for p in s.points:
                state = "pending" if (p["key"], p["seed"]) in todo else "finished"
                print(f"{p['key']} seed {p['seed']:<4} {state:8} {p['label']}")
            return 0
        _, _, md = write_table(s)
        print(md, end="")
        return 0

    progress = Progress(len(pending), enabled=not args.no_progress)
    failures = []

    def on_start(i):
        progress.running += 1
        progress.draw()

    def on_done(i, rec, report_text=None, log_text=None):
        p = pending[i]
        if report_text is not None and read_report(p["report"], p["seed"]) is None:
            os.makedirs(p["dir"], exist_ok=True)  # a rank on another machine: keep its report here
            write_atomically(p["report"], report_text)
            if log_text is not None:
                write_atomically(p["log"], log_text)
        progress.running = max(0, progress.running - 1)
        if rec["status"] != "ok":
            failures.append((p, rec))
        progress.point_done(p, rec, read_report(p["report"], p["seed"]) if rec["status"] == "ok" else None)
        progress.draw()

    ranks = None
    if comm:
        comm.bcast(("plan", [dict(p) for p in pending], args.jobs))
        ranks = RankMessages(comm, on_start, on_done)

    def service():
        if ranks:
            ranks.serve()
        progress.draw()

    try:
        share = range(0, len(pending), size)
        run_share(pending, share, jobs, on_start, on_done, service)
        while ranks and ranks.workers_left > 0:
            service()
            time.sleep(0.05)
    finally:
        progress.finish()
    rows, records, md = write_table(s)
    print(md, end="")
    print(f"[sweep] table: {os.path.join(s.out, 'results.csv')} (and .json, .md; per point: points.csv)",
          file=sys.stderr)
    if failures:
        print(f"[sweep] {len(failures)} point(s) failed; rerun the same command to retry them:", file=sys.stderr)
        for p, rec in failures:
            print(f"  {p['label']} seed {p['seed']}: {rec.get('error')} (log {p['log']})", file=sys.stderr)
        return 1
    return 0


def take_lock(out):
    """An exclusive lock on OUT/.lock for this process, or None when another runner holds it."""
    import fcntl
    os.makedirs(out, exist_ok=True)
    f = open(os.path.join(out, ".lock"), "w")
    try:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        f.close()
        return None
    return f


if __name__ == "__main__":
    sys.exit(main())