"""The results table of a sweep: per configuration the mean and sample standard deviation over seeds
of each metric, written as CSV, JSON and Markdown, and one row per point."""
import csv
import io
import math
import os
import statistics

from sweeplib.common import dumps, read_report, write_atomically

TABLE_FILES = ("results.csv", "points.csv", "results.json", "results.md")


def _history_last(r, field):
    h = r.get("history")
    if isinstance(h, list) and h and isinstance(h[-1], dict):
        return h[-1].get(field)
    return None


def _history_best(r, field):
    h = r.get("history")
    vals = [e.get(field) for e in h if isinstance(e, dict)] if isinstance(h, list) else []
    vals = [v for v in vals if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return max(vals) if vals else None


def get_path(r, path):
    """Value at a dotted path ('hardware_train.cycles_per_sample', 'history.-1.train_accuracy')."""
    cur = r
    for part in path.split("."):
        if isinstance(cur, dict):
            cur = cur.get(part)
        elif isinstance(cur, list):
            try:
                cur = cur[int(part)]
            except (ValueError, IndexError):
                return None
        else:
            return None
    return cur


# Columns of the table, in order: name -> value of a report (None when absent).
BUILTIN_METRICS = [
    ("test_accuracy", lambda r: r.get("test_accuracy")),
    ("validation_accuracy", lambda r: r.get("validation_accuracy")),
    ("selected_epoch", lambda r: get_path(r, "selection.epoch")),
    ("final_train_accuracy", lambda r: _history_last(r, "train_accuracy")),
    ("best_test_accuracy", lambda r: _history_best(r, "test_accuracy")),
    ("wall_seconds", lambda r: r.get("wall_seconds")),
    ("train_samples_per_s", lambda r: r.get("train_samples_per_s")),
    ("test_samples_per_s", lambda r: r.get("test_samples_per_s")),
    ("train_energy_j_per_sample", lambda r: get_path(r, "hardware_train.energy_total_j_per_sample")),
    ("test_energy_j_per_sample", lambda r: get_path(r, "hardware_test.energy_total_j_per_sample")),
    ("train_cycles_per_sample", lambda r: get_path(r, "hardware_train.cycles_per_sample")),
    ("test_cycles_per_sample", lambda r: get_path(r, "hardware_test.cycles_per_sample")),
    ("test_latency_s_per_sample", lambda r: get_path(r, "hardware_test.latency_s_per_sample")),
]


def point_metrics(s, report):
    out = {}
    for name, fn in BUILTIN_METRICS:
        out[name] = fn(report)
    for name, path in s.extra_metrics.items():
        out[name] = get_path(report, path)
    return {k: v for k, v in out.items()
            if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)}


def build_table(s):
    """(rows, point records, metric names) from the reports in the output folder."""
    records = []
    per_config = {c.key: [] for c in s.configs}
    for p in s.points:
        r = read_report(p["report"], p["seed"])
        rec = {"key": p["key"], "seed": p["seed"], "label": p["label"],
               "report": os.path.relpath(p["report"], s.out), "status": "ok" if r else "missing"}
        if r:
            rec["metrics"] = point_metrics(s, r)
            rec["command"] = r.get("command")
            per_config[p["key"]].append(rec)
        records.append(rec)
    metric_names = [n for n, _ in BUILTIN_METRICS] + list(s.extra_metrics)
    present = {m for rec in records for m in rec.get("metrics", {})}
    metric_names = [m for m in metric_names if m in present]
    rows = []
    for c in s.configs:
        recs = per_config[c.key]
        row = {"config": c.key, "label": c.label}
        row.update(c.varying)
        row["n"] = len(recs)
        row["seeds"] = [r["seed"] for r in recs]
        for m in metric_names:
            vals = [r["metrics"][m] for r in recs if m in r["metrics"]]
            row[f"{m}_mean"] = statistics.fmean(vals) if vals else None
            row[f"{m}_std"] = statistics.stdev(vals) if len(vals) >= 2 else None
        row["options"] = c.options
        rows.append(row)
    return rows, records, metric_names


def _cell(v):
    if v is None:
        return ""
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, list):
        return " ".join(str(x) for x in v)
    return str(v)


def _pm(mean, std, scale=1.0, digits=None):
    if mean is None:
        return "-"
    if digits is None:
        text = f"{mean * scale:.4g}"
        return text if std is None else f"{text} +/- {std * scale:.2g}"
    text = f"{mean * scale:.{digits}f}"
    return text if std is None else f"{text} +/- {std * scale:.{digits}f}"


def markdown_table(s, rows, metric_names):
    pct = {"test_accuracy", "validation_accuracy", "final_train_accuracy", "best_test_accuracy"}
    heads = ["configuration", "n"] + [m + (" %" if m in pct else "") for m in metric_names]
    lines = ["| " + " | ".join(heads) + " |", "|" + " --- |" * len(heads)]
    for r in rows:
        cells = [r["label"], str(r["n"])]
        for m in metric_names:
            if m in pct:
                cells.append(_pm(r[f"{m}_mean"], r[f"{m}_std"], 100.0, 2))
            else:
                cells.append(_pm(r[f"{m}_mean"], r[f"{m}_std"]))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def write_table(s):
    rows, records, metric_names = build_table(s)
    head = ["config", "label"] + s.varying + ["n", "seeds"]
    for m in metric_names:
        head += [f"{m}_mean", f"{m}_std"]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(head)
    for r in rows:
        w.writerow([_cell(r.get(h)) for h in head])
    write_atomically(os.path.join(s.out, "results.csv"), buf.getvalue())

    phead = ["config", "label"] + s.varying + ["seed", "status"] + metric_names
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(phead)
    cfg = {c.key: c for c in s.configs}
    for rec in records:
        vals = {"config": rec["key"], "label": rec["label"], "seed": rec["seed"], "status": rec["status"]}
        vals.update(cfg[rec["key"]].varying)
        vals.update(rec.get("metrics", {}))
        w.writerow([_cell(vals.get(h)) for h in phead])
    write_atomically(os.path.join(s.out, "points.csv"), buf.getvalue())

    doc = {"sweep": s.name, "file": os.path.abspath(s.path), "description": s.description,
           "program": s.program_id, "seeds": s.seeds, "varying": s.varying, "metrics": metric_names,
           "std": "sample standard deviation over seeds (n - 1); null for n < 2",
           "rows": rows, "points": records}
    write_atomically(os.path.join(s.out, "results.json"), dumps(doc))
    md = markdown_table(s, rows, metric_names)
    write_atomically(os.path.join(s.out, "results.md"), md)
    return rows, records, md
