"""The function rows of a callgrind_annotate listing (scripts/profile_golden.sh, scripts/profile_chip.sh)."""
import re


def read(path):
    """(all instructions, [(instructions, function) per row]), the function without its file and object."""
    total, found = 0, []
    for line in open(path):
        m = re.match(r"\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*)", line)
        if not m:
            continue
        n = int(m.group(1).replace(",", ""))
        if "PROGRAM TOTALS" in m.group(2):
            total = n
            continue
        name = m.group(2).split(":", 1)[1] if ":" in m.group(2) else m.group(2)
        found.append((n, re.sub(r"\s*\[.*$", "", name)))  # without the object file
    return total, found
