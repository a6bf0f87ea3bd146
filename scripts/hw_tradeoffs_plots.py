"""The figures of scripts/hw_tradeoffs.py: one plot per trade-off study, drawn from its figure data
(hw_tradeoffs.figure_data), saved as PNG and SVG without timestamps."""
import os


def plt_module():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    plt.rcParams.update({"font.size": 9, "axes.grid": True, "grid.alpha": 0.3,
                         "svg.hashsalt": "ssnn-hw", "figure.dpi": 110})
    return plt


def save(fig, img_dir, name):
    os.makedirs(img_dir, exist_ok=True)
    out = []
    for ext in ("png", "svg"):
        path = os.path.join(img_dir, f"{name}.{ext}")
        meta = {"Date": None} if ext == "svg" else {"Software": None}
        fig.savefig(path, bbox_inches="tight", metadata=meta)
        out.append(path)
    return out


def title_of(data):
    return data["setup"]


def energy_lines(ax, x, pts, markers=("o", "s")):
    """Energy per training and inference sample under each energy model the reports carry (the digital
    SRAM array solid, the analog RPU array dashed)."""
    models = sorted(pts[0].get("energy_test_models_uj", {})) or [None]
    for m in models:
        style = "--" if m == "analog" else "-"
        for ph, mk, what in (("train", markers[0], "training"), ("test", markers[1], "inference")):
            ys = [q[f"energy_{ph}_models_uj"][m] if m else q[f"energy_{ph}_uj"] for q in pts]
            ax.plot(x, ys, mk + style, color="C0" if ph == "train" else "C1",
                    label=f"{what}" + (f", {m} array" if m else ""))


def plot_timesteps(plt, data, img_dir, name):
    pts = sorted(data["points"], key=lambda q: q["x"])
    x = [q["x"] for q in pts]
    fig, ax = plt.subplots(1, 3, figsize=(11.5, 3.4))
    ax[0].plot(x, [100 * q["test_accuracy"] for q in pts], "o-", label="test (seed 1)")
    if pts[0].get("validation_accuracy") is not None:
        ax[0].plot(x, [100 * q["validation_accuracy"] for q in pts], "^:", label="validation (held out)")
    ax[0].plot(x, [100 * q["train_accuracy_while_presented"] for q in pts], "s--", alpha=0.7,
               label="training samples, while presented")
    sp = data.get("seed_spread")
    if sp and sp.get("std") is not None:
        t = sp["options"]["timesteps"]
        ax[0].errorbar([t], [100 * sp["mean"]], yerr=[100 * sp["std"]], fmt="k_", capsize=4,
                       label=f"test, mean +/- std over seeds {','.join(map(str, sp['seeds']))}")
    ax[0].set_ylabel("accuracy (%)")
    ax[0].legend(fontsize=7)
    energy_lines(ax[1], x, pts)
    ax[1].set_ylabel("energy per sample (uJ)")
    ax[1].set_yscale("log")
    ax[1].legend(fontsize=7)
    ax[2].plot(x, [q["latency_train_us"] for q in pts], "o-", label="training sample")
    ax[2].plot(x, [q["latency_test_us"] for q in pts], "s-", label="inference sample")
    ax[2].set_ylabel("latency per sample at 200 MHz (us)")
    ax[2].set_yscale("log")
    ax[2].legend(fontsize=7)
    from matplotlib.ticker import FixedLocator, NullFormatter, ScalarFormatter
    for a in ax[1:]:
        lo, hi = a.get_ylim()
        ticks = [v for v in (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000)
                 if lo <= v <= hi]
        a.yaxis.set_major_locator(FixedLocator(ticks))
        a.yaxis.set_major_formatter(ScalarFormatter())
        a.yaxis.set_minor_formatter(NullFormatter())
    for a in ax:
        a.set_xscale("log", base=2)
        a.set_xticks(x)
        a.set_xticklabels([str(v) for v in x])
        a.set_xlabel("timesteps T (pulse x T constant)")
    fig.suptitle("Timesteps per sample: " + title_of(data), fontsize=9)
    fig.tight_layout()
    return save(fig, img_dir, name)


def sram_scaled(q, bits):
    """Energy per sample if the cross-point reads cost in proportion to the weight width (16 bits = table)."""
    out = {}
    for ph in ("train", "test"):
        br = q[f"energy_{ph}_breakdown_uj"]
        reads = br.get("forward_reads", 0) + br.get("transposed_reads", 0)
        out[ph] = q[f"energy_{ph}_uj"] - reads + reads * bits / 16.0
    return out


def plot_weight_bits(plt, data, img_dir, name):
    main = sorted([q for q in data["points"] if q["series"].startswith("b-bit")], key=lambda q: q["x"])
    ctrl = sorted([q for q in data["points"] if not q["series"].startswith("b-bit")], key=lambda q: q["x"])
    x = [q["x"] for q in main]
    fig, ax = plt.subplots(1, 2, figsize=(9.5, 3.4))
    ax[0].plot(x, [100 * q["test_accuracy"] for q in main], "o-", label=main[0]["series"])
    if ctrl:
        ax[0].plot([q["x"] for q in ctrl], [100 * q["test_accuracy"] for q in ctrl], "^:", label=ctrl[0]["series"])
    ax[0].set_ylabel("test accuracy (%)")
    ax[0].legend(fontsize=7)
    energy_lines(ax[1], x, main)
    ax[1].plot(x, [sram_scaled(q, q["x"])["train"] for q in main], "o:", alpha=0.7,
               label="training, digital, reads x b/16")
    ax[1].plot(x, [sram_scaled(q, q["x"])["test"] for q in main], "s:", alpha=0.7,
               label="inference, digital, reads x b/16")
    ax[1].set_ylabel("energy per sample (uJ)")
    ax[1].set_ylim(bottom=0)
    ax[1].legend(fontsize=7, loc="lower right")
    for a in ax:
        a.set_xticks(x)
        a.set_xlabel("weight bits")
    fig.suptitle(f"Weight bits (T = {data['points'][0]['options'].get('timesteps', '')}): " + title_of(data),
                 fontsize=9)
    fig.tight_layout()
    return save(fig, img_dir, name)


def tile_label(s):
    return "whole layer" if s == 0 else f"{s}x{s}"


def plot_tile_size(plt, data, img_dir, name):
    pts = sorted(data["points"], key=lambda q: (q["x"] == 0, q["x"]))
    labels = [f"{tile_label(q['x'])}\n({q['tiles']} tiles)" for q in pts]
    xs = list(range(len(pts)))
    fig, ax = plt.subplots(1, 3, figsize=(11.5, 3.4))
    ax[0].plot(xs, [100 * q["test_accuracy"] for q in pts], "o-")
    ax[0].set_ylabel("test accuracy (%)")
    energy_lines(ax[1], xs, pts)
    ax[1].set_ylabel("energy per sample (uJ)")
    ax[1].set_ylim(0, 1.2 * max(q["energy_train_uj"] for q in pts))
    ax[1].legend(fontsize=7, loc="lower left")
    ax1b = ax[1].twinx()
    ax1b.plot(xs, [q["aer_deliveries_train"] for q in pts], "d:", color="gray", label="AER deliveries / training sample")
    ax1b.set_ylabel("AER deliveries per training sample (dotted)", color="gray")
    ax1b.set_ylim(bottom=0)
    ax1b.grid(False)
    ax[2].plot(xs, [q["cycles_train"] for q in pts], "o-", label="training sample")
    ax[2].plot(xs, [q["cycles_test"] for q in pts], "s-", label="inference sample")
    ax[2].set_ylabel("cycles per sample")
    ax[2].legend(fontsize=7)
    for a in ax:
        a.set_xticks(xs)
        a.set_xticklabels(labels, fontsize=7)
        a.set_xlabel("crossbar tile size")
    fig.suptitle(f"Crossbar tile size (T = {pts[0]['options'].get('timesteps', '')}): " + title_of(data), fontsize=9)
    fig.tight_layout()
    return save(fig, img_dir, name)


def plot_router_bandwidth(plt, data, img_dir, name):
    series = []
    for q in data["points"]:
        if q["series"] not in series:
            series.append(q["series"])
    fig, ax = plt.subplots(1, 3, figsize=(11.5, 3.4))
    allx = sorted({q["x"] for q in data["points"]})
    for i, s in enumerate(series):
        c = f"C{i}"
        pts = sorted([q for q in data["points"] if q["series"] == s], key=lambda q: q["x"])
        x = [q["x"] for q in pts]
        blocks = pts[0]["aer_blocks"]
        ax[0].plot(x, [q["cycles_train"] for q in pts], "o-", color=c, label=f"{s} ({blocks} AER inputs), training")
        ax[0].plot(x, [q["cycles_test"] for q in pts], "s--", color=c, label=f"{s}, inference")
        ax[1].plot(x, [q["router_stall_cycles_train"] for q in pts], "o-", color=c, label=f"{s}, training")
        ax[1].plot(x, [q["router_stall_cycles_test"] for q in pts], "s--", color=c, label=f"{s}, inference")
        ax[2].plot(x, [q["fifo_high_water_train_max"] for q in pts], "o-", color=c, label=f"{s}, deepest FIFO")
        ax[2].plot(x, [sum(q["fifo_high_water_train"]) / len(q["fifo_high_water_train"]) for q in pts], "s--",
                   color=c, label=f"{s}, mean over inputs")
    ax[0].set_ylabel("cycles per sample")
    ax[1].set_ylabel("router stall cycles per sample")
    ax[1].set_yscale("symlog", linthresh=1)
    ax[2].set_ylabel("FIFO high water (entries)")
    for a in ax:
        a.set_xscale("log", base=2)
        a.set_xticks(allx)
        a.set_xticklabels([("%d\n(unlimited)" % v) if v == max(allx) else str(v) for v in allx])
        a.set_xlabel("router bandwidth (events per cycle)")
        a.legend(fontsize=6)
    fig.suptitle("AER router bandwidth: " + title_of(data), fontsize=9)
    fig.tight_layout()
    return save(fig, img_dir, name)


PLOTTERS = {"timesteps": plot_timesteps, "weight_bits": plot_weight_bits, "tile_size": plot_tile_size,
            "router_bandwidth": plot_router_bandwidth}
