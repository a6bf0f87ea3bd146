#!/usr/bin/python3
"""Tests of scripts/sweep.py (docs/sweeps.md), run by CTest one test case per CTest test:

  test_sweep.py SweepTest.test_local_pool

Environment: SSNN_BIN_DIR (folder of ssnn_golden, ssnn_chip_tb), SSNN_REPO_DIR (the repository).
The golden-model points are tiny (784-32-10, T = 10, 200 training and 100 test samples of the
shipped subset), so every case takes a second or two.
"""
import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

REPO = os.environ.get("SSNN_REPO_DIR") or os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("SSNN_BIN_DIR") or os.path.join(REPO, "build", "bin")
SWEEP = os.path.join(REPO, "scripts", "sweep.py")
FAKE = os.path.join(REPO, "tb", "sweep", "fake_program.py")

TINY = {"hidden": 32, "timesteps": 10, "train-samples": 200, "test-samples": 100, "epochs": 1}
ACCURACY_COLUMNS = ["test_accuracy_mean", "test_accuracy_std", "final_train_accuracy_mean",
                    "final_train_accuracy_std", "best_test_accuracy_mean", "best_test_accuracy_std"]


def read(path):
    with open(path) as f:
        return f.read()


def stat_is_fifo(path):
    import stat
    return stat.S_ISFIFO(os.lstat(path).st_mode)


def mpi_env():
    env = dict(os.environ)
    # mpirun refuses to run as root (CI) unless told; harmless otherwise.
    env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMPI_MCA_rmaps_base_oversubscribe="1")
    return env


class SweepTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="ssnn_sweep_test.")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    # -- helpers ---------------------------------------------------------------------------------

    def write_sweep(self, data, name="tiny.json", raw=None):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(raw if raw is not None else json.dumps(data, indent=2))
        return path

    def tiny_sweep(self, **extra):
        data = {"name": "tiny", "program": "golden", "base": dict(TINY),
                "grid": {"mode": ["stochastic", "rate"]}, "seeds": [1, 2]}
        data.update(extra)
        return self.write_sweep(data)

    def fake_sweep(self, **extra):
        data = {"name": "fake", "program": [FAKE], "grid": {"value": [0.25, 0.5]}, "seeds": [1, 2]}
        data.update(extra)
        return self.write_sweep(data, "fake.json")

    def run_sweep(self, path, out, *args, expect=0, env=None, mpi_ranks=0, timeout=120):
        cmd = [SWEEP, path, "--out", out, "--bin-dir", BIN, *args]
        if mpi_ranks:
            cmd = ["mpirun", "--oversubscribe", "-np", str(mpi_ranks)] + cmd
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env or os.environ,
                           stdin=subprocess.DEVNULL)
        if expect is not None:
            self.assertEqual(p.returncode, expect, f"{' '.join(cmd)}\nstdout:\n{p.stdout}\nstderr:\n{p.stderr}")
        return p

    @staticmethod
    def table(out):
        with open(os.path.join(out, "results.csv")) as f:
            return list(csv.DictReader(f))

    @staticmethod
    def reports(out):
        found = []
        for root, _, files in os.walk(os.path.join(out, "runs")):
            found += [os.path.join(root, f) for f in files if re.fullmatch(r"seed-\d+\.json", f)]
        return sorted(found)

    def accuracies(self, out):
        return [{k: r[k] for k in ["config", "label", "n", "seeds"] + ACCURACY_COLUMNS} for r in self.table(out)]

    # -- the local pool ----------------------------------------------------------------------------

    def test_local_pool(self):
        out = os.path.join(self.dir, "out")
        p = self.run_sweep(self.tiny_sweep(), out, "-j", "2")
        self.assertIn("2 configurations x 2 seeds = 4 points; 0 finished, 4 to run", p.stderr)
        self.assertIn("4/4 done", p.stderr)  # plain progress lines (stderr is not a terminal)
        self.assertNotIn("\x1b[", p.stderr)
        self.assertEqual(len(self.reports(out)), 4)
        rows = self.table(out)
        self.assertEqual([r["label"] for r in rows], ["mode=stochastic", "mode=rate"])
        for row in rows:
            self.assertEqual(row["n"], "2")
            self.assertEqual(row["seeds"], "1 2")
            accs = []
            for seed in (1, 2):
                with open(os.path.join(out, "runs", row["config"], f"seed-{seed}.json")) as f:
                    r = json.load(f)
                self.assertEqual(r["seed"], seed)
                self.assertEqual(r["config"]["update_mode"], row["mode"])
                self.assertEqual(r["config"]["hidden"], [32])
                accs.append(r["test_accuracy"])
            mean = (accs[0] + accs[1]) / 2
            std = abs(accs[0] - accs[1]) / 2 ** 0.5  # sample std of two values
            self.assertAlmostEqual(float(row["test_accuracy_mean"]), mean, places=12)
            self.assertAlmostEqual(float(row["test_accuracy_std"]), std, places=12)
            for col in ("wall_seconds_mean", "train_samples_per_s_mean", "final_train_accuracy_mean"):
                self.assertNotEqual(row[col], "", col)
        with open(os.path.join(out, "results.json")) as f:
            doc = json.load(f)
        self.assertEqual(len(doc["rows"]), 2)
        self.assertEqual(len(doc["points"]), 4)
        self.assertTrue(all(pt["status"] == "ok" and "test_accuracy" in pt["metrics"] for pt in doc["points"]))
        self.assertEqual(doc["rows"][0]["options"]["mode"], "stochastic")
        with open(os.path.join(out, "results.md")) as f:
            md = f.read()
        self.assertIn("| mode=stochastic | 2 |", md)
        self.assertIn(" +/- ", md)
        self.assertEqual(len(self.table(out)), 2)
        with open(os.path.join(out, "points.csv")) as f:
            self.assertEqual(len(list(csv.DictReader(f))), 4)

    def test_rerun_skips_finished_points(self):
        out = os.path.join(self.dir, "out")
        path = self.tiny_sweep()
        self.run_sweep(path, out, "-j", "2")
        before = {r: os.stat(r).st_mtime_ns for r in self.reports(out)}
        table = self.accuracies(out)
        p = self.run_sweep(path, out, "-j", "2")
        self.assertIn("4 finished, 0 to run", p.stderr)
        self.assertEqual({r: os.stat(r).st_mtime_ns for r in self.reports(out)}, before)
        self.assertEqual(self.accuracies(out), table)
        # A new grid value adds points; the finished ones keep their folders and are skipped.
        data = json.loads(read(path))
        data["grid"]["mode"].append("noise")
        p = self.run_sweep(self.write_sweep(data), out, "-j", "2")
        self.assertIn("3 configurations x 2 seeds = 6 points; 4 finished, 2 to run", p.stderr)
        self.assertEqual({r: os.stat(r).st_mtime_ns for r in self.reports(out) if r in before}, before)
        self.assertEqual(self.accuracies(out)[:2], table)

    def test_partial_reports_are_rerun(self):
        out = os.path.join(self.dir, "out")
        path = self.tiny_sweep()
        self.run_sweep(path, out, "-j", "2")
        table = self.accuracies(out)
        reps = self.reports(out)
        with open(reps[0]) as f:
            text = f.read()
        with open(reps[0], "w") as f:  # cut off mid-write
            f.write(text[: len(text) // 3])
        with open(reps[1], "w") as f:  # valid JSON but no result
            json.dump({"seed": 1, "history": []}, f)
        os.remove(reps[2])
        with open(reps[2] + ".tmp123", "w") as f:  # a temporary file left by a kill
            f.write("{")
        untouched = os.stat(reps[3]).st_mtime_ns
        p = self.run_sweep(path, out, "-j", "2")
        self.assertIn("1 finished, 3 to run", p.stderr)
        self.assertEqual(os.stat(reps[3]).st_mtime_ns, untouched)
        self.assertEqual(self.accuracies(out), table)  # deterministic per seed: same numbers

    def test_killed_runner_leaves_no_orphans_and_resumes(self):
        out = os.path.join(self.dir, "out")
        path = self.fake_sweep()
        for sig, code in ((signal.SIGTERM, 130), (signal.SIGKILL, -signal.SIGKILL)):
            env = dict(os.environ, FAKE_SLEEP="60", FAKE_PARTIAL="1")
            runner = subprocess.Popen([SWEEP, path, "--out", out, "-j", "2"], env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            pids = []
            deadline = time.monotonic() + 20
            while len(pids) < 2 and time.monotonic() < deadline:  # two points running, partial reports
                time.sleep(0.1)
                pids = []
                for r in self.reports(out):
                    m = re.search(r'"pid": (\d+)', read(r))
                    if m:
                        pids.append(int(m.group(1)))
            self.assertEqual(len(pids), 2, "the two first points did not start")
            runner.send_signal(sig)
            runner.wait(timeout=20)
            self.assertEqual(runner.returncode, code, runner.stderr.read())
            runner.stderr.close()
            for pid in pids:  # the points die with the runner
                deadline = time.monotonic() + 10
                while time.monotonic() < deadline:
                    try:
                        os.kill(pid, 0)
                        if read(f"/proc/{pid}/stat").split()[2] == "Z":
                            break
                    except (ProcessLookupError, FileNotFoundError):
                        break
                    time.sleep(0.1)
                else:
                    self.fail(f"point process {pid} outlived the runner ({sig})")
            for r in self.reports(out):
                self.assertRaises(ValueError, json.loads, read(r))  # partial
            for r in self.reports(out):
                os.remove(r)
        p = self.run_sweep(path, out, "-j", "2")
        self.assertIn("0 finished, 4 to run", p.stderr)
        rows = self.table(out)
        self.assertEqual([r["n"] for r in rows], ["2", "2"])
        self.assertAlmostEqual(float(rows[0]["test_accuracy_mean"]), 0.265, places=9)

    def test_partial_report_from_a_killed_point_is_rerun(self):
        out = os.path.join(self.dir, "out")
        path = self.fake_sweep()
        env = dict(os.environ, FAKE_SLEEP="60", FAKE_PARTIAL="1")
        runner = subprocess.Popen([SWEEP, path, "--out", out, "-j", "2"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while len(self.reports(out)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        runner.kill()
        runner.wait()
        time.sleep(0.3)
        self.assertEqual(len(self.reports(out)), 2)
        p = self.run_sweep(path, out, "-j", "2")
        self.assertIn("0 finished, 4 to run", p.stderr)
        self.assertEqual([r["n"] for r in self.table(out)], ["2", "2"])

    def test_failed_point_and_timeout(self):
        out = os.path.join(self.dir, "out")
        path = self.fake_sweep()
        p = self.run_sweep(path, out, "-j", "2", expect=1, env=dict(os.environ, FAKE_FAIL_SEED="2"))
        self.assertIn("2 point(s) failed", p.stderr)
        self.assertIn("exit status 3", p.stderr)
        self.assertIn("failing on purpose", p.stderr)  # the log's last lines
        self.assertEqual([r["n"] for r in self.table(out)], ["1", "1"])
        self.assertEqual(self.table(out)[0]["test_accuracy_std"], "")  # one seed: no std
        p = self.run_sweep(path, out, "-j", "2")  # the failed points are retried
        self.assertIn("2 finished, 2 to run", p.stderr)
        self.assertEqual([r["n"] for r in self.table(out)], ["2", "2"])
        out2 = os.path.join(self.dir, "out2")
        p = self.run_sweep(self.fake_sweep(timeout=0.5), out2, "-j", "2", expect=1,
                           env=dict(os.environ, FAKE_SLEEP="30"))
        self.assertIn("timeout after 0.5 s", p.stderr)

    def test_flags_lists_and_points(self):
        out = os.path.join(self.dir, "out")
        path = self.fake_sweep(grid={"value": [0.25]}, points=[{"value": 0.25, "flag": True}, {"value": 0.25}],
                               seeds=3)
        p = self.run_sweep(path, out, "-j", "2")
        self.assertIn("2 configurations x 3 seeds = 6 points", p.stderr)  # the duplicate point is merged
        rows = self.table(out)
        self.assertEqual([r["label"] for r in rows], ["flag=off", "flag=on"])
        self.assertAlmostEqual(float(rows[1]["test_accuracy_mean"]) - float(rows[0]["test_accuracy_mean"]), 0.1)
        self.assertAlmostEqual(float(rows[0]["test_accuracy_std"]), 0.01, places=9)

    def test_epoch_weights(self):
        out = os.path.join(self.dir, "out")
        base = dict(TINY, epochs=2)
        path = self.write_sweep({"name": "ew", "program": "golden", "base": base, "points": [{}], "seeds": [3],
                                 "epoch_weights": True})
        self.run_sweep(path, out)
        [report] = self.reports(out)
        folder = report[:-len(".json")] + "-epochs"
        self.assertEqual(sorted(os.listdir(folder)), ["epoch-001.ckpt", "epoch-002.ckpt"])
        self.assertIn("--epoch-weights", json.loads(read(report))["command"])
        # scripts/polyak_average.py: the mean of both epochs, evaluated, in the results format.
        polyak = os.path.join(REPO, "scripts", "polyak_average.py")
        record_path = os.path.join(self.dir, "polyak.json")
        base_cmd = [polyak, folder, "--dataset", "subset", "--test-samples", "100", "--threads", "1",
                    "--bin-dir", BIN, "--report", record_path]
        p = subprocess.run(base_cmd + ["--first", "1", "--last", "2"], capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        record = json.loads(read(record_path))
        self.assertEqual(record["averaged_epochs"], [1, 2])
        self.assertEqual(sorted(record["epoch_test_accuracy"]), ["1", "2"])
        self.assertEqual((record["dataset"], record["level"], record["epochs"], record["train_samples"], record["test_samples"]),
                         ("subset", "golden", 2, 200, 100))
        self.assertTrue(0 <= record["test_accuracy"] <= 1)
        self.assertTrue(os.path.isfile(os.path.join(folder, "mean-001-002.ckpt")))
        self.assertNotIn("inference_seed_accuracy", record)
        # Inferred at another window and with two more stream seeds: the trained seed's record at that
        # T, plus the accuracy of each extra seed (seed 3, the trained one, repeats it exactly).
        p = subprocess.run(base_cmd + ["--first", "1", "--last", "2", "-T", "12", "--tau-divisor", "4", "--seeds", "3", "8"],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        longer = json.loads(read(record_path))
        self.assertEqual((longer["timesteps"], longer["config"]["tau_divisor"]), (12, 4.0))
        self.assertEqual(sorted(longer["inference_seed_accuracy"]), ["3", "8"])
        self.assertEqual(longer["inference_seed_accuracy"]["3"], longer["test_accuracy"])
        self.assertAlmostEqual(longer["inference_seed_mean_accuracy"], sum(longer["inference_seed_accuracy"].values()) / 2)
        self.assertIn("-T 12", longer["command"])
        p = subprocess.run(base_cmd + ["--first", "1", "--last", "2", "--seeds", "-1"], capture_output=True, text=True, timeout=60)
        self.assertEqual((p.returncode, len(p.stderr.strip().splitlines())), (2, 1), p.stderr)
        self.assertIn("--seeds", p.stderr)
        # Two windows (of one folder here) average together: epoch 2 counted twice.
        two = subprocess.run([polyak, folder + ":1-2", folder + ":2-2", "--dataset", "subset", "--test-samples", "100",
                              "--threads", "1", "--bin-dir", BIN, "--report", record_path],
                             capture_output=True, text=True, timeout=120)
        self.assertEqual(two.returncode, 0, two.stderr)
        record = json.loads(read(record_path))
        self.assertEqual(len(record["averaged_epochs"]), 2)
        self.assertEqual(len(record["epoch_test_accuracy"]), 2)  # one folder twice: its epoch 2 is one entry
        self.assertTrue(os.path.isfile(os.path.join(folder, "mean-of-3.ckpt")))
        base_cmd[1] = folder + ":x-2"
        p = subprocess.run(base_cmd, capture_output=True, text=True, timeout=60)
        self.assertEqual((p.returncode, len(p.stderr.strip().splitlines())), (2, 1), p.stderr)
        self.assertIn("FIRST-LAST", p.stderr)
        base_cmd[1] = folder
        for bad, message in ((["--first", "1", "--last", "3"], "epoch-003.ckpt"), (["--first", "2", "--last", "1"], "need 1 <= first"),
                             ([], "--first")):
            p = subprocess.run(base_cmd + bad, capture_output=True, text=True, timeout=60)
            self.assertEqual(p.returncode, 2)
            self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)
            self.assertIn(message, p.stderr)
        self.check_bad("ew_chip.json", json.dumps({"program": "chip", "points": [{}], "epoch_weights": True}),
                       "'epoch_weights' works with the golden program only")
        self.check_bad("ew_bad.json", json.dumps({"program": "golden", "base": TINY, "points": [{}], "epoch_weights": 1}),
                       "'epoch_weights' must be true or false")

    # -- MPI ---------------------------------------------------------------------------------------

    def test_mpi_two_ranks_equal_single_process(self):
        path = self.tiny_sweep()
        single = os.path.join(self.dir, "single")
        self.run_sweep(path, single, "-j", "2")
        two = os.path.join(self.dir, "mpi")
        p = self.run_sweep(path, two, env=mpi_env(), mpi_ranks=2)
        self.assertIn("4 to run on 2 ranks x 1 jobs", p.stderr)
        self.assertEqual(self.accuracies(two), self.accuracies(single))
        ranks = set()
        for r in self.reports(two):
            with open(r[: -len(".json")] + ".log") as f:
                ranks.add(re.search(r"rank (\d+) on ", f.readline()).group(1))
        self.assertEqual(ranks, {"0", "1"})
        # rerun under MPI: nothing left to do
        p = self.run_sweep(path, two, env=mpi_env(), mpi_ranks=2)
        self.assertIn("4 finished, 0 to run", p.stderr)

    def test_mpi_bad_file_exits_cleanly(self):
        path = self.write_sweep({"program": "golden", "grid": {}}, "empty.json")
        p = self.run_sweep(path, os.path.join(self.dir, "o"), env=mpi_env(), mpi_ranks=2, expect=None, timeout=60)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(f"{path}: empty grid", p.stderr)

    # -- bad sweep files ---------------------------------------------------------------------------

    def check_bad(self, name, text, message):
        path = self.write_sweep(None, name, raw=text)
        p = self.run_sweep(path, os.path.join(self.dir, "o"), expect=2)
        lines = p.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, p.stderr)
        self.assertTrue(lines[0].startswith(f"sweep.py: error: {path}: "), lines[0])
        self.assertIn(message, lines[0])
        self.assertFalse(os.path.exists(os.path.join(self.dir, "o", "runs")))

    def test_bad_sweep_files(self):
        good = {"program": "golden", "base": TINY, "grid": {"mode": ["rate"]}, "seeds": [1]}

        def variant(**kw):
            d = json.loads(json.dumps(good))
            for k, v in kw.items():
                if v is None:
                    d.pop(k)
                else:
                    d[k] = v
            return json.dumps(d)

        self.check_bad("invalid.json", '{"program": "golden", "grid": {"mode": ["rate"],}}', "invalid JSON: ")
        self.check_bad("invalid2.json", "", "invalid JSON: ")
        self.check_bad("unknown_key.json", variant(gird={"mode": ["rate"]}), "unknown key 'gird' (did you mean 'grid'?")
        self.check_bad("empty_grid.json", variant(grid={}), "empty grid")
        self.check_bad("empty_axis.json", variant(grid={"mode": []}), "grid axis 'mode' is empty")
        self.check_bad("no_program.json", variant(program=None), "missing key 'program'")
        self.check_bad("bad_program.json", variant(program="goldne"), "unknown program 'goldne'")
        self.check_bad("bad_option.json", variant(base={"hiden": 32}), "'hiden' is not an option of the program (did you mean 'hidden'?)")
        self.check_bad("reserved.json", variant(base={"seed": 3}), "option 'seed' is set by the runner")
        self.check_bad("bad_seeds.json", variant(seeds=[1, 1]), "'seeds' must be")
        self.check_bad("bad_value.json", variant(base={"hidden": [[32]]}), "option 'hidden'")
        self.check_bad("not_object.json", "[1, 2]", "must be an object")
        self.check_bad("bad.toml", 'program = "golden"\n[grid\nmode = ["rate"]\n', "invalid TOML: ")
        path = os.path.join(self.dir, "missing.json")
        p = self.run_sweep(path, os.path.join(self.dir, "o"), expect=2)
        self.assertEqual(p.stderr.strip(), f"sweep.py: error: {path}: cannot read: No such file or directory")

    def test_hostile_outputs(self):
        """Output paths an attacker or a careless user gives: one line, no traceback, nothing lost."""
        def one_line_error(p, *fragments):
            lines = p.stderr.strip().splitlines()
            self.assertEqual(len(lines), 1, p.stderr)
            self.assertNotIn("Traceback", p.stderr)
            for frag in fragments:
                self.assertIn(frag, p.stderr)

        # A name that would put the output folder elsewhere.
        for name in ("../escape", "a/b", "..", "."):
            path = self.fake_sweep(name=name)
            one_line_error(self.run_sweep(path, os.path.join(self.dir, "o"), "--dry-run", expect=2), "'name'")
            os.remove(path)
        # Special or unwritable output folders and files.
        fake = self.fake_sweep()
        one_line_error(self.run_sweep(fake, "/dev/null", expect=2), "/dev/null")
        one_line_error(self.run_sweep(fake, "/proc/no-such-folder/out", expect=2), "/proc/no-such-folder")
        out = os.path.join(self.dir, "special")
        os.makedirs(out)
        os.mkfifo(os.path.join(out, "results.csv"))
        one_line_error(self.run_sweep(fake, out, "--no-progress", expect=2, timeout=60), "results.csv", "regular file")
        self.assertTrue(stat_is_fifo(os.path.join(out, "results.csv")))
        # A folder that is not UTF-8: the points run and the table is written.
        odd = os.path.join(self.dir.encode(), b"out-\xff")
        p = subprocess.run([SWEEP.encode(), fake.encode(), b"--out", odd, b"--no-progress", b"--bin-dir", BIN.encode()],
                           capture_output=True, timeout=120, stdin=subprocess.DEVNULL)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(os.path.exists(os.path.join(odd, b"results.csv")))
        # A full disk while the table is written: the old table stays, no temporary file is left.
        sys.path.insert(0, os.path.dirname(SWEEP))
        import sweep as runner
        target = os.path.join(self.dir, "table.csv")
        with open(target, "w") as f:
            f.write("old\n")
        real_fsync = os.fsync

        def full(fd):
            raise OSError(28, "No space left on device")
        os.fsync = full
        try:
            with self.assertRaises(OSError):
                runner.write_atomically(target, "new\n")
        finally:
            os.fsync = real_fsync
        self.assertEqual(read(target), "old\n")
        self.assertEqual(os.listdir(self.dir).count("table.csv"), 1)
        self.assertEqual([n for n in os.listdir(self.dir) if n.startswith("table.csv.tmp")], [])

    def test_toml_equals_json(self):
        toml = ('name = "tiny"\nprogram = "golden"\nseeds = [1, 2]\n'
                '[base]\nhidden = 32\ntimesteps = 10\ntrain-samples = 200\ntest-samples = 100\nepochs = 1\n'
                '[grid]\nmode = ["stochastic", "rate"]\n')
        a = os.path.join(self.dir, "a")
        b = os.path.join(self.dir, "b")
        self.run_sweep(self.tiny_sweep(), a, "-j", "2")
        p = self.run_sweep(self.write_sweep(None, "tiny.toml", raw=toml), b, "--dry-run")
        self.assertIn("0 finished, 4 to run", p.stderr)
        shutil.copytree(os.path.join(a, "runs"), os.path.join(b, "runs"))
        p = self.run_sweep(self.write_sweep(None, "tiny.toml", raw=toml), b)
        self.assertIn("4 finished, 0 to run", p.stderr)  # same options, same point names
        self.assertEqual(self.accuracies(a), self.accuracies(b))

    def test_example_sweeps_are_valid(self):
        folder = os.path.join(REPO, "sweeps")
        files = sorted(f for f in os.listdir(folder) if f.endswith((".json", ".toml")))
        self.assertTrue(files)
        checked = 0
        for f in files:
            if f.endswith(".json"):  # a program of the project's own that this build lacks: not checkable
                prog = json.loads(read(os.path.join(folder, f))).get("program")
                if (isinstance(prog, list) and prog and "/" not in prog[0]
                        and not os.access(os.path.join(BIN, prog[0]), os.X_OK)):
                    print(f"{f}: {prog[0]} not built, not checked", file=sys.stderr)
                    continue
            p = self.run_sweep(os.path.join(folder, f), os.path.join(self.dir, f), "--dry-run")
            self.assertIn("points;", p.stderr)
            checked += 1
        self.assertGreaterEqual(checked, 2)  # at least the two examples

    # -- the chip ----------------------------------------------------------------------------------

    def test_chip_sweep(self):
        if not os.access(os.path.join(BIN, "ssnn_chip_tb"), os.X_OK):
            self.skipTest("ssnn_chip_tb not built")
        path = self.write_sweep({"program": "chip", "seeds": [1, 2],
                                 "base": {"hidden": 32, "timesteps": 8, "train-samples": 30, "test-samples": 20},
                                 "grid": {"events-per-cycle": [1, 2]},
                                 "metrics": {"router_stalls": "hardware_train.router_stall_cycles_per_sample"}},
                                "chip.json")
        out = os.path.join(self.dir, "out")
        self.run_sweep(path, out, "-j", "2")
        rows = self.table(out)
        self.assertEqual([r["events-per-cycle"] for r in rows], ["1", "2"])
        for r in rows:
            self.assertEqual(r["n"], "2")
            for col in ("train_energy_j_per_sample_mean", "test_cycles_per_sample_mean"):
                self.assertGreater(float(r[col]), 0, col)
        self.assertGreater(float(rows[0]["router_stalls_mean"]), float(rows[1]["router_stalls_mean"]))


if __name__ == "__main__":
    unittest.main()
