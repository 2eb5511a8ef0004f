"""Run every benchmark on SQLite and PostgreSQL and write bench/RESULTS.md (and print it).

    .venv/bin/python -m bench.run_all            # everything (about 15 minutes on 2 cores)
    .venv/bin/python -m bench.run_all --quick    # smaller data, for a smoke run
"""
from __future__ import annotations

import json
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench import pages, reminders, report, rush

OUT = Path(__file__).resolve().parent / "RESULTS.md"


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = next((int(line.split()[1]) // 1024 // 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), 0)
    return f"{os.cpu_count()} cores ({cpu}), {memory} GiB, Python {platform.python_version()}, {platform.system()}"


def main(quick: bool) -> str:
    kinds = ("sqlite", "postgresql")
    lines = ["# Benchmark results\n", f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}.",
             "Produced by `.venv/bin/python -m bench.run_all`; every figure beside its baseline from the same run.\n"]
    raw = {}

    lines += ["## 1. Deadline rush: 193 focal points submit (16 clients at a time)\n",
              "| database | Missiva submits/s | p50 ms | p95 ms | baseline inserts/s | baseline p50 ms | baseline p95 ms | ratio (goal >= 0.5) |",
              "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for kind in kinds:
        r = raw[f"rush-{kind}"] = rush.run(kind, 16)
        m, b = r["missiva"], r["baseline"]
        lines.append(f"| {kind} | {m['throughput']:.1f} | {m['p50_ms']:.0f} | {m['p95_ms']:.0f} | {b['throughput']:.1f} | "
                     f"{b['p50_ms']:.0f} | {b['p95_ms']:.0f} | {r['ratio']:.2f} |")

    states, calls = (193, 10) if quick else (193, 50)
    lines += [f"\n## 2. Status board and review queue: {states} states x {calls} calls x 10 experts (30 requests each)\n",
              "| database | page | p50 ms | p95 ms | SQL queries |", "| --- | --- | --- | --- | --- |"]
    for kind in kinds:
        r = raw[f"pages-{kind}"] = pages.run(kind, states=states, calls=calls)
        for name, figures in r.items():
            if not name.startswith("_"):
                lines.append(f"| {kind} | {name} | {figures['p50_ms']:.1f} | {figures['p95_ms']:.1f} | {figures['queries']} |")

    lines += ["\n## 3. Reminders end to end (193 missions x 3 focal points = 579 mails) and the sweep\n",
              "| database | sweep queued | delivered | pipeline mails/s | raw smtplib mails/s | ratio (goal >= 0.5) |",
              "| --- | --- | --- | --- | --- | --- |"]
    for kind in kinds:
        r = raw[f"reminders-{kind}"] = reminders.end_to_end(kind)
        lines.append(f"| {kind} | {r['reminders']} | {r['delivered']} | {r['pipeline_per_s']:.1f} | "
                     f"{r['raw_per_s']:.1f} | {r['ratio']:.2f} |")
    lines += ["\n| database | addressee rows | quiet sweep s (goal < 1) | burst sweep s | reminders queued | same sweep again s | queued again |",
              "| --- | --- | --- | --- | --- | --- | --- |"]
    for kind in kinds:
        r = raw[f"sweep-{kind}"] = reminders.sweep_10000(kind)
        lines.append(f"| {kind} | {r['rows']} | {r['quiet_s']:.2f} | {r['burst_s']:.2f} | {r['burst_reminders']} | "
                     f"{r['again_s']:.2f} | {r['again_reminders']} |")

    lines += ["\n## 4. Consolidated report for 193 full answers\n",
              "| database | experts | build s | DOCX s | XLSX s (goal: DOCX+XLSX < 2) | PDF s (goal < 3) | worker compile s | worker idle MB | worker peak MB (goal < 200) |",
              "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for kind in kinds:
        r = raw[f"report-{kind}"] = report.run(kind)
        lines.append(f"| {kind} | {r['experts']} | {r['build_s']:.2f} | {r['docx_s']:.2f} | {r['xlsx_s']:.2f} | "
                     f"{r['pdf_s']:.2f} | {r['worker_s']:.2f} | {r['worker_idle_mb']:.0f} | {r['worker_peak_mb']:.0f} |")
    lines += ["\n<details><summary>Raw figures</summary>\n", "```json", json.dumps(raw, indent=1, default=str), "```",
              "</details>\n"]
    text = "\n".join(lines) + "\n"
    notes = OUT.read_text().split("<!-- notes -->", 1)[1] if OUT.exists() and "<!-- notes -->" in OUT.read_text() else ""
    OUT.write_text(text + "<!-- notes -->" + notes)
    return text


if __name__ == "__main__":
    print(main("--quick" in sys.argv))
