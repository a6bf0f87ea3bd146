"""Running points: a pool of child processes (one per point, polled, no threads), the share of
points one process runs, and the progress display."""
import os
import signal
import socket
import subprocess
import sys
import time

from sweeplib.common import fmt_duration, read_report

def _die_with_parent():
    """Child side of fork: get SIGKILL when the runner dies (Linux), so no point outlives it."""
    try:
        import ctypes
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:
        pass


class Pool:
    """Up to `jobs` points running at once as child processes; polled, no threads."""

    def __init__(self, jobs, where=""):
        self.jobs = jobs
        self.where = where  # "rank R on HOST", written at the top of each log
        self.running = {}  # index -> (Popen, start time, log file, point)

    def free(self):
        return self.jobs - len(self.running)

    def start(self, index, point):
        os.makedirs(point["dir"], exist_ok=True)
        for stale in (point["report"],):
            if os.path.exists(stale):  # a partial or corrupt report: remove before the rerun
                os.remove(stale)
        log = open(point["log"], "w", encoding="utf-8", errors="surrogateescape")
        log.write(f"# sweep point {point['key']} seed {point['seed']}, {self.where}\n")
        log.write("$ " + " ".join(point["argv"]) + "\n")
        log.flush()
        env = dict(os.environ, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1", OMP_NUM_THREADS="1")
        try:
            p = subprocess.Popen(point["argv"], stdout=log, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL, env=env, preexec_fn=_die_with_parent)
        except OSError as e:
            log.write(f"cannot start: {e}\n")
            log.close()
            return {"status": "failed", "seconds": 0.0, "error": f"cannot start: {e.strerror}"}
        self.running[index] = (p, time.monotonic(), log, point)
        return None

    def poll(self):
        """[(index, record)] of the points that ended since the last call."""
        ended = []
        for index, (p, t0, log, point) in list(self.running.items()):
            rc = p.poll()
            elapsed = time.monotonic() - t0
            if rc is None and point["timeout"] and elapsed > point["timeout"]:
                p.kill()
                rc = p.wait()
                log.write(f"\n[sweep] killed after the {point['timeout']} s timeout\n")
                error = f"timeout after {point['timeout']} s"
            elif rc is None:
                continue
            else:
                error = None
            log.close()
            del self.running[index]
            report = read_report(point["report"], point["seed"])
            if rc == 0 and report is not None:
                ended.append((index, {"status": "ok", "seconds": elapsed}))
            else:
                if error is None:
                    error = (f"exit status {rc}" if rc != 0 else "no complete report written")
                ended.append((index, {"status": "failed", "seconds": elapsed, "error": error,
                                      "log_tail": tail(point["log"])}))
        return ended

    def stop(self):
        for p, _, log, _ in self.running.values():
            if p.poll() is None:
                p.terminate()
        deadline = time.monotonic() + 3
        for p, _, log, _ in self.running.values():
            try:
                p.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
            log.close()
        self.running.clear()


def tail(path, lines=3):
    """The last lines a point's program printed (its log less the runner's two header lines)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            out = f.read().strip().splitlines()[2:]
            return " | ".join(x.strip() for x in out[-lines:]) or "(no output)"
    except OSError:
        return ""


def default_jobs(local_ranks):
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    return max(1, cores // max(1, local_ranks))


def run_share(points, share, jobs, on_start, on_done, service=None, rank=0):
    """Run points[i] for i in share on a pool of `jobs`; callbacks on start and end of each."""
    pool = Pool(jobs, f"rank {rank} on {socket.gethostname()}")
    queue = list(share)
    try:
        while queue or pool.running:
            while queue and pool.free() > 0:
                i = queue.pop(0)
                rec = pool.start(i, points[i])
                if rec is not None:
                    on_done(i, rec)
                else:
                    on_start(i)
            for i, rec in pool.poll():
                on_done(i, rec)
            if service:
                service()
            time.sleep(0.05)
    finally:
        pool.stop()


class Progress:
    """A status line redrawn in place on a terminal; plain lines, one per finished point, otherwise."""

    def __init__(self, total, enabled=True, stream=sys.stderr):
        self.total = total
        self.done = 0
        self.failed = 0
        self.running = 0
        self.enabled = enabled
        self.stream = stream
        self.tty = enabled and stream.isatty()
        self.t0 = time.monotonic()
        self.last_draw = 0.0

    def eta(self):
        if self.done == 0:
            return None
        elapsed = time.monotonic() - self.t0
        return elapsed / self.done * (self.total - self.done)

    def status(self):
        elapsed = time.monotonic() - self.t0
        return (f"{self.done}/{self.total} done, {self.running} running, {self.failed} failed, "
                f"{fmt_duration(elapsed)} elapsed, ETA {fmt_duration(self.eta()) if self.done < self.total else '0:00'}")

    def line(self, text):
        if not self.enabled:
            return
        if self.tty:
            self.stream.write("\r\x1b[K" + text + "\n")
            self.draw(force=True)
        else:
            self.stream.write(text + "\n")
            self.stream.flush()

    def point_done(self, point, rec, report):
        self.done += 1
        if rec["status"] == "ok":
            acc = report.get("test_accuracy") if report else None
            what = f"test {100 * acc:.2f} %" if isinstance(acc, (int, float)) else "ok"
            text = f"{point['label']} seed {point['seed']}: {what} ({rec['seconds']:.1f} s)"
        else:
            self.failed += 1
            text = (f"{point['label']} seed {point['seed']}: FAILED ({rec.get('error')}); "
                    f"log {point['log']}: {rec.get('log_tail', '')}")
        self.line(f"[sweep] {text}" if self.tty else f"[sweep] {self.status()} | {text}")

    def draw(self, force=False):
        if not self.tty:
            return
        now = time.monotonic()
        if force or now - self.last_draw > 0.5:
            self.last_draw = now
            self.stream.write("\r\x1b[K[sweep] " + self.status())
            self.stream.flush()

    def finish(self):
        if self.tty:
            self.stream.write("\r\x1b[K[sweep] " + self.status() + "\n")
            self.stream.flush()
