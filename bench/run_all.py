"""Run every benchmark on SQLite and PostgreSQL and write bench/RESULTS.md (and print it).

    .venv/bin/python -m bench.run_all            # everything (about 30 minutes on 2 cores)
    .venv/bin/python -m bench.run_all --quick    # SQLite only, small data: a smoke run of every script
"""
from __future__ import annotations

import json
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench import mixed, pages, reminders, report, rush, scale
from bench.stack import web_processes

OUT = Path(__file__).resolve().parent / "RESULTS.md"


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = next((int(line.split()[1]) // 1024 // 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), 0)
    return f"{os.cpu_count()} cores ({cpu}), {memory} GiB, Python {platform.python_version()}, {platform.system()}"


def main(quick: bool) -> str:
    kinds = ("sqlite",) if quick else ("sqlite", "postgresql")
    lines = ["# Benchmark results\n", f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}.",
             "Produced by `.venv/bin/python -m bench.run_all" + (" --quick" if quick else "") +
             "`; every figure beside its baseline from the same run.\n"]
    raw = {}
    rush_states = 48 if quick else 193

    lines += [f"## 1. Deadline rush: {rush_states} focal points submit (16 clients at a time)\n",
              "| database | Missiva submits/s | p50 ms | p95 ms | baseline inserts/s | baseline p50 ms | baseline p95 ms | ratio (goal >= 0.5) |",
              "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for kind in kinds:
        r = raw[f"rush-{kind}"] = rush.run(kind, 16, rush_states)
        m, b = r["missiva"], r["baseline"]
        lines.append(f"| {kind} | {m['throughput']:.1f} | {m['p50_ms']:.0f} | {m['p95_ms']:.0f} | {b['throughput']:.1f} | "
                     f"{b['p50_ms']:.0f} | {b['p95_ms']:.0f} | {r['ratio']:.2f} |")
    parts = ("web", "baseline web", "worker", "mail sink", "database server", "redis", "load generator")
    lines += ["\nCPU a request took in each part of the machine (ms, from /proc), and what the cores offered a "
              "request (cores x wall time / requests). The worker runs at a lower priority and sends most "
              "receipts once the rush is over.\n",
              "| database | while | " + " | ".join(parts) + " | all parts | cores x wall |",
              "| --- | --- |" + " --- |" * (len(parts) + 2)]
    for kind in kinds:
        cpu = raw[f"rush-{kind}"]["cpu_ms"]
        for label, key, offered in (("Missiva's rush", "missiva", cpu["cores x wall, missiva"]),
                                    ("its receipts, after", "missiva receipts after the rush", None),
                                    ("the baseline's", "baseline", cpu["cores x wall, baseline"])):
            used = cpu[key]
            lines.append(f"| {kind} | {label} | " + " | ".join(f"{used.get(p, 0):.1f}" for p in parts) +
                         f" | {sum(used.values()):.1f} | {'' if offered is None else f'{offered:.1f}'} |")

    states, calls = (193, 5) if quick else (193, 50)
    lines += [f"\n## 2. Status board and review queue: {states} states x {calls} calls x 10 experts (30 requests each)\n",
              "| database | page | p50 ms | p95 ms (goal < 100) | SQL queries |", "| --- | --- | --- | --- | --- |"]
    for kind in kinds:
        r = raw[f"pages-{kind}"] = pages.run(kind, states=states, calls=calls)
        for name, figures in r.items():
            if not name.startswith("_"):
                lines.append(f"| {kind} | {name} | {figures['p50_ms']:.1f} | {figures['p95_ms']:.1f} | {figures['queries']} |")

    mail_states = 50 if quick else 193
    lines += [f"\n## 3. Reminders end to end ({mail_states} missions x 3 focal points = {mail_states * 3} mails) and the sweep\n",
              "Pipeline: the sweep, the outbox, a Celery worker of 4 processes, Flask-Mail, the SMTP sink. Baseline: "
              "the same messages, written out beforehand, sent by a bare smtplib loop on one connection into the same sink.\n",
              "| database | sweep queued | delivered | KB a mail | pipeline mails/s | raw smtplib mails/s | ratio (goal >= 0.5) |",
              "| --- | --- | --- | --- | --- | --- | --- |"]
    for kind in kinds:
        r = raw[f"reminders-{kind}"] = reminders.end_to_end(kind, mail_states)
        lines.append(f"| {kind} | {r['reminders']} | {r['delivered']} | {r['mail_kb']:.1f} | {r['pipeline_per_s']:.1f} | "
                     f"{r['raw_per_s']:.1f} | {r['ratio']:.2f} |")
    if not quick:
        lines += ["\n| database | addressee rows | first look at 50 changed calls s | quiet sweep s (goal < 0.1) | burst sweep s (goal < 5) | reminders queued | same sweep again s | queued again |",
                  "| --- | --- | --- | --- | --- | --- | --- | --- |"]
        for kind in kinds:
            r = raw[f"sweep-{kind}"] = reminders.sweep_10000(kind)
            lines.append(f"| {kind} | {r['rows']} | {r['first_s']:.2f} | {r['quiet_s']:.3f} | {r['burst_s']:.2f} | {r['burst_reminders']} | "
                         f"{r['again_s']:.2f} | {r['again_reminders']} |")

    report_states = 48 if quick else 193
    lines += [f"\n## 4. Consolidated report for {report_states} full answers\n",
              "| database | experts | build s | DOCX s | XLSX s (goal: DOCX+XLSX < 2) | PDF s (goal < 3) | worker compile s | worker idle MB | worker peak MB (goal < 200) | PDF typesetting process peak MB |",
              "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for kind in kinds:
        r = raw[f"report-{kind}"] = report.run(kind, report_states)
        lines.append(f"| {kind} | {r['experts']} | {r['build_s']:.2f} | {r['docx_s']:.2f} | {r['xlsx_s']:.2f} | "
                     f"{r['pdf_s']:.2f} | {r['worker_s']:.2f} | {r['worker_idle_mb']:.0f} | {r['worker_peak_mb']:.0f} | "
                     f"{r['typeset_peak_mb']:.0f} |")

    seconds = 8 if quick else 30
    lines += [f"\n## 5. Mixed load: 20 clients for {seconds} s, 13 reading and 7 saving drafts (gunicorn.conf.py: {web_processes()} processes)\n",
              "| database | request | Missiva n | p50 ms | p95 ms | baseline request | baseline n | baseline p50 ms | baseline p95 ms |",
              "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    pairs = [("call list", "form page"), ("answer page", "form page"), ("status board", "form page"),
             ("draft save", "insert"), ("all reads", "all reads")]
    for kind in kinds:
        r = raw[f"mixed-{kind}"] = mixed.run(kind, seconds)
        for ours, theirs in pairs:
            m, b = r["missiva"].get(ours), r["baseline"].get(theirs)
            if m and b:
                goal = " (goal <= 250)" if ours == "all reads" else ""
                lines.append(f"| {kind} | {ours} | {m['n']} | {m['p50_ms']:.0f} | {m['p95_ms']:.0f}{goal} | {theirs} | "
                             f"{b['n']} | {b['p50_ms']:.0f} | {b['p95_ms']:.0f} |")
        lines.append(f"| {kind} | errors | {r['failures']} |  |  |  | {r['baseline_failures']} |  |  |")

    sizes = (50, 500) if quick else (50, 500, 5000)
    lines += ["\n## 6. Growth: the quiet sweep as open calls grow (193 addressees each)\n",
              "| database | open calls | addressee rows | quiet sweep s (goal < 1 at 100,000) | bulk load s |",
              "| --- | --- | --- | --- | --- |"]
    for kind in kinds:
        for r in raw.setdefault(f"sweep-growth-{kind}", scale.sweep_growth(kind, sizes)):
            lines.append(f"| {kind} | {r['open calls']} | {r['rows']} | {r['quiet_s']:.3f} | {r['load_s']:.1f} |")

    scale_kind = kinds[-1]
    lines += [f"\nTen years of a UN-sized secretariat on {scale_kind}: 193 states, calls spread over ten years (a dozen "
              "open), answers mostly accepted, with their versions and audit events (30 requests each).\n",
              "| calls | submissions | versions | audit events | page | p50 ms | p95 ms (goal < 150) | SQL queries | quiet sweep s |",
              "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in raw.setdefault(f"scale-{scale_kind}", scale.run(scale_kind, sizes)):
        for name, figures in r["pages"].items():
            lines.append(f"| {r['calls']} | {r['submissions']} | {r['versions']} | {r['audit events']} | {name} | "
                         f"{figures['p50_ms']:.1f} | {figures['p95_ms']:.1f} | {figures['queries']} | {r['sweep_s']:.3f} |")
    lines += ["\n<details><summary>Raw figures</summary>\n", "```json", json.dumps(raw, indent=1, default=str), "```",
              "</details>\n"]
    text = "\n".join(lines) + "\n"
    if quick:  # a smoke run leaves the full run's figures where they are
        return text
    notes = OUT.read_text().split("<!-- notes -->", 1)[1] if OUT.exists() and "<!-- notes -->" in OUT.read_text() else ""
    OUT.write_text(text + "<!-- notes -->" + notes)
    return text


if __name__ == "__main__":
    print(main("--quick" in sys.argv))
