"""Tables (mean ± std over seeds) and the speed ratio from run.sh's results.jsonl; prints Markdown."""
import json
import statistics
import sys
from collections import defaultdict

rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
groups = defaultdict(list)
for row in rows:
    groups[(row["scenario"], row["result"]["method"], row["impl"])].append(row["result"])


def ms(values, scale=100.0):
    values = [v for v in values if v is not None]
    if not values:
        return "—"
    mean = statistics.mean(values) * scale
    std = statistics.stdev(values) * scale if len(values) > 1 else 0.0
    return f"{mean:.1f} ± {std:.1f}"


def triple(results, key):
    return " / ".join(ms([r["levels"][lv][key] for r in results]) for lv in range(len(results[0]["levels"])))


order = ["arbor", "pl-fms", "er-hier-lb", "er-hier", "er", "ewc", "finetune", "joint"]
scenarios = []
for row in rows:
    if row["scenario"] not in scenarios:
        scenarios.append(row["scenario"])
out = []
for scenario in scenarios:
    seeds = sorted({r["seed"] for r in rows if r["scenario"] == scenario})
    out.append(f"### {scenario} (seeds {', '.join(map(str, seeds))}; memory 2,000; accuracies in %)\n")
    out.append("| method | impl | A_auc L1 / L2 / L3 | A_last L1 / L2 / L3 | F_last max | path acc | consistency | seconds |")
    out.append("|---|---|---|---|---|---|---|---|")
    for method in order:
        for impl in ("arbor", "python"):
            results = groups.get((scenario, method, impl))
            if not results:
                continue
            offline = method == "joint"
            fmax = [max((lv["F_last"] or 0) for lv in r["levels"]) for r in results]
            out.append(
                f"| {method} | {'Swift' if impl == 'arbor' else 'numpy ref'} | "
                f"{'—' if offline else triple(results, 'A_auc')} | {triple(results, 'A_last')} | "
                f"{'—' if offline else ms(fmax)} | {ms([r['path_accuracy'] for r in results])} | "
                f"{ms([r['consistency'] for r in results])} | {ms([r['seconds'] for r in results], 1.0)} |"
            )
    out.append("")
    # Speed: Arbor's default method and the same method in both implementations, whole stream incl. evals.
    ref = groups.get((scenario, "er-hier", "python"))
    if ref:
        ref_time = statistics.mean(r["seconds"] for r in ref)
        lines = []
        for method in ("arbor", "er-hier", "er", "finetune"):
            mine = groups.get((scenario, method, "arbor"))
            if mine:
                t = statistics.mean(r["seconds"] for r in mine)
                lines.append(f"Swift {method} {t:.2f} s")
        same = groups.get((scenario, "er-hier", "arbor"))
        mine = groups.get((scenario, "arbor", "arbor"))
        ratio_default = statistics.mean(r["seconds"] for r in mine) / ref_time if mine else float("nan")
        ratio_same = statistics.mean(r["seconds"] for r in same) / ref_time if same else float("nan")
        out.append(
            f"Speed ({scenario}, whole stream with evaluations, mean over seeds): numpy reference er-hier "
            f"{ref_time:.2f} s; {'; '.join(lines)}. Ratio Arbor default / reference = {ratio_default:.2f}×, "
            f"Swift er-hier / numpy er-hier = {ratio_same:.2f}× (goal ≤ 0.5×).\n"
        )
    if scenario == "multi-depth":
        mine = groups.get((scenario, "arbor", "arbor"))
        if mine:
            auc = [statistics.mean(r["levels"][lv]["A_auc"] for r in mine) * 100 for lv in range(3)]
            last3 = statistics.mean(r["levels"][2]["A_last"] for r in mine) * 100
            path = statistics.mean(r["path_accuracy"] for r in mine) * 100
            fmax = max(max(lv["F_last"] or 0 for lv in r["levels"]) for r in mine) * 100
            cons = min(r["consistency"] for r in mine) * 100
            checks = [
                ("A_auc ≥ 74 / 64 / 55", auc[0] >= 74 and auc[1] >= 64 and auc[2] >= 55,
                 " / ".join(f"{a:.1f}" for a in auc)),
                ("A_last L3 ≥ 60", last3 >= 60, f"{last3:.1f}"),
                ("path accuracy ≥ 55", path >= 55, f"{path:.1f}"),
                ("F_last ≤ 3 at every level", fmax <= 3, f"max {fmax:.1f}"),
                ("consistency 100%", cons >= 100, f"min {cons:.1f}"),
            ]
            out.append("Goals (multi-depth, Arbor's default method, mean of seeds): " + "; ".join(
                f"{name}: {value} {'met' if ok else 'NOT met'}" for name, ok, value in checks) + ".\n")
print("\n".join(out))
