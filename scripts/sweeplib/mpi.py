"""MPI: each rank runs its share of the points on its own pool; rank 0 plans, gathers the other ranks'
reports (a rank may be on another machine) and writes the table.

Messages, tag 1, to rank 0: ("start", i), ("done", i, record, report text, log tail), ("finished",).
Broadcast from rank 0: ("plan", points, jobs) or ("stop", exit status).
"""
import os
import sys

from sweeplib.common import SweepError
from sweeplib.pool import run_share


def mpi_requested():
    return any(v in os.environ for v in ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"))


def get_comm():
    try:
        from mpi4py import MPI
    except ImportError:
        raise SweepError(f"started under mpirun, but {sys.executable} cannot import mpi4py: install "
                         f"python3-mpi4py (scripts/setup.sh) and run with /usr/bin/python3")
    return MPI


class RankMessages:
    """Rank 0's side: the other ranks' messages, handed to the same callbacks as its own points'."""

    def __init__(self, comm, on_start, on_done):
        self.comm = comm
        self.on_start = on_start
        self.on_done = on_done
        self.workers_left = comm.Get_size() - 1

    def serve(self):
        while self.comm.iprobe(source=-1, tag=1):
            msg = self.comm.recv(source=-1, tag=1)
            if msg[0] == "start":
                self.on_start(msg[1])
            elif msg[0] == "done":
                self.on_done(msg[1], msg[2], msg[3], msg[4])
            elif msg[0] == "finished":
                self.workers_left -= 1


def run_worker(comm, jobs):
    """A rank other than 0: runs its share of rank 0's plan and sends each point's end to rank 0."""
    msg = comm.bcast(None)
    if msg[0] == "stop":
        return msg[1]
    pending, explicit_jobs = msg[1], msg[2]
    rank, size = comm.Get_rank(), comm.Get_size()
    jobs = explicit_jobs or jobs

    def on_start(i):
        comm.send(("start", i), dest=0, tag=1)

    def on_done(i, rec):
        p = pending[i]
        report_text = log_text = None
        if rec["status"] == "ok":
            with open(p["report"], encoding="utf-8", errors="surrogateescape") as f:
                report_text = f.read()
            try:
                with open(p["log"], encoding="utf-8", errors="replace") as f:
                    log_text = f.read()[-65536:]
            except OSError:
                log_text = None
        comm.send(("done", i, rec, report_text, log_text), dest=0, tag=1)

    run_share(pending, range(rank, len(pending), size), jobs, on_start, on_done, rank=rank)
    comm.send(("finished",), dest=0, tag=1)
    return 0
