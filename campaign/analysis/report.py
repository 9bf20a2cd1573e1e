"""An after-action report as Markdown or as one self-contained HTML page.

Both are written from the same blocks (heading, paragraph, list, table) built from an
:class:`~campaign.analysis.narrative.Account`, so they say the same thing. The report is
text, not a picture: it lives here rather than in :mod:`campaign.render` so that
``campaign report`` never imports matplotlib.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from campaign.analysis.differences import Differences, loss_sentence
from campaign.analysis.narrative import LOSS_KINDS, Account, long_date, men, ratio


@dataclass
class Block:
    kind: str  # h1 | h2 | h3 | p | ul | table
    text: str = ""
    items: list[str] = field(default_factory=list)  # ul items
    head: list[str] = field(default_factory=list)  # table header
    rows: list[list[str]] = field(default_factory=list)
    css: str = ""  # class of the list items (HTML), by line kind


def what_if_label(overrides: list[str]) -> str:
    """'what-if: --scale soviet=0.5 --remove x' or '' for a baseline run."""
    return ("what-if: " + " ".join(overrides)) if overrides else ""


def report_blocks(account: Account, diff: Differences | None = None) -> list[Block]:
    a = account
    side = a.side_name
    blocks = [Block("h1", f"After-action report: {a.title}")]
    run = f"Scenario `{a.scenario_id}`, seed {a.seed}, {long_date(a.start)} to {long_date(a.end)}."
    if a.overrides:
        run += f" **This is a what-if run** ({what_if_label(a.overrides)})."
    else:
        run += " Baseline run (no overrides)."
    blocks.append(Block("p", run))
    for note in a.notes:
        blocks.append(Block("p", f"*Note: {note}.*"))

    blocks.append(Block("h2", "Outcome"))
    if a.objectives:
        rows = [
            [
                side(o.side),
                f"{o.kind} {a.place_names.get(o.place, o.place)}",
                o.by,
                f"{o.weight:g}",
                "met" if o.met else "missed",
            ]
            for o in a.objectives
        ]
        blocks.append(
            Block("table", head=["side", "objective", "by", "weight", "result"], rows=rows)
        )
    if not a.objectives and not a.losses:
        blocks.append(Block("p", "The scenario sets no objectives, and no fight was fought."))
    if a.losses:
        rows = [[side(s)] + [men(row[k]) for k in LOSS_KINDS] for s, row in a.losses.items()]
        blocks.append(Block("p", "Losses in the fights, men:"))
        blocks.append(Block("table", head=["side", *LOSS_KINDS], rows=rows))

    if diff is not None:
        blocks += _difference_blocks(a, diff)

    blocks.append(Block("h2", "The campaign day by day"))
    for day, lines in a.days().items():
        blocks.append(Block("h3", long_date(day)))
        blocks.append(
            Block(
                "ul", items=[line.text for line in lines], css=" ".join(line.kind for line in lines)
            )
        )

    if a.fights:
        blocks.append(Block("h2", "Engagements"))
        rows = []
        for f in a.fights:
            att = " + ".join(f"{side(x.side)} {men(x.men)}" for x in f.attackers)
            dfn = " + ".join(f"{side(x.side)} {men(x.men)}" for x in f.defenders)
            lost = "; ".join(
                f"{side(s)} {men(sum(r.get(k, 0) for k in LOSS_KINDS))}"
                for s, r in f.losses.items()
            )
            rows.append(
                [
                    f.start,
                    f.place_name,
                    att,
                    dfn,
                    ratio(f.perceived_ratio),
                    ratio(f.true_ratio),
                    ratio(f.combat_ratio),
                    f.posture,
                    lost,
                    f.result,
                ]
            )
        blocks.append(
            Block(
                "table",
                head=[
                    "date",
                    "place",
                    "attackers (men)",
                    "defenders (men)",
                    "perceived",
                    "true",
                    "combat power",
                    "posture",
                    "losses (k+w+c)",
                    "result",
                ],
                rows=rows,
            )
        )

    blocks.append(Block("h2", "Units' fates"))
    rows = [
        [f.name, side(f.side), men(f.men_start), men(f.men_end), f.place, f.status] for f in a.fates
    ]
    blocks.append(
        Block(
            "table",
            head=["unit", "side", "men at start", "men at end", "where at the end", "fate"],
            rows=rows,
        )
    )

    if a.record:
        agree = sum(n.agree for n in a.record)
        blocks.append(Block("h2", "Against the historical record"))
        blocks.append(
            Block(
                "p",
                f"{agree} of {len(a.record)} recorded checkpoints agree with the "
                f"run (record: `{a.record_file}`).",
            )
        )
        rows = [
            [n.date, n.place, n.recorded, n.simulated, "agree" if n.agree else "DIFFER", n.event]
            for n in a.record
        ]
        blocks.append(
            Block("table", head=["date", "place", "recorded", "run", "", "the record"], rows=rows)
        )
    return blocks


def _difference_blocks(a: Account, d: Differences) -> list[Block]:
    blocks = [Block("h2", "Differences from the baseline")]
    this = what_if_label(d.overrides) or "no overrides"
    other = what_if_label(d.baseline_overrides) or "no overrides"
    blocks.append(Block("p", f"This run ({this}) against `{d.baseline}` ({other})."))
    if d.empty():
        blocks.append(Block("p", "No difference in control, fights, losses or objectives."))
        return blocks
    for title, items in (
        ("Objectives", d.objectives),
        ("Control at the end", d.control),
        ("Changes of hands", d.captures),
        ("Fights", d.fights),
    ):
        if items:
            blocks.append(Block("h3", title))
            blocks.append(Block("ul", items=items))
    changed = [(s, k, b, r) for s, k, b, r in d.losses if round(b) != round(r)]
    if changed:
        blocks.append(Block("h3", "Losses"))
        blocks.append(
            Block("ul", items=[loss_sentence(a.side_name(s), k, b, r) for s, k, b, r in changed])
        )
    return blocks


# ----------------------------------------------------------------------------- Markdown
def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(blocks: list[Block]) -> str:
    out: list[str] = []
    for b in blocks:
        if b.kind in ("h1", "h2", "h3"):
            out += ["#" * int(b.kind[1]) + " " + b.text, ""]
        elif b.kind == "p":
            out += [b.text, ""]
        elif b.kind == "ul":
            out += [f"- {item}" for item in b.items] + [""]
        elif b.kind == "table":
            out.append("| " + " | ".join(_md_cell(h) for h in b.head) + " |")
            out.append("|" + "---|" * len(b.head))
            out += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in b.rows]
            out.append("")
    return "\n".join(out).rstrip() + "\n"


# ----------------------------------------------------------------------------- HTML
_STYLE = """
body{font-family:Georgia,'Times New Roman',serif;max-width:62rem;margin:2rem auto;padding:0 1rem;
color:#222;line-height:1.45}
h1{font-size:1.6rem}h2{border-bottom:1px solid #ccc;margin-top:2rem}h3{margin-bottom:.3rem}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0 1rem}
th,td{border:1px solid #ccc;padding:.2rem .4rem;vertical-align:top;text-align:left}
th{background:#f3f1ea}code{background:#f3f1ea;padding:0 .2rem}
li{margin:.25rem 0}li.decision,li.march,li.order{color:#555;font-size:.92rem}
li.trigger{color:#7a4b00}li.fight{background:#fbf7ea}li.record{color:#2c5d8a;font-size:.92rem}
li.control{font-weight:bold}
"""


def _inline(text: str) -> str:
    text = html.escape(text, quote=False)
    text = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"<em>\1</em>", text)
    return re.sub(r"`(.+?)`", r"<code>\1</code>", text)


def to_html(blocks: list[Block], title: str) -> str:
    body: list[str] = []
    for b in blocks:
        if b.kind in ("h1", "h2", "h3"):
            body.append(f"<{b.kind}>{_inline(b.text)}</{b.kind}>")
        elif b.kind == "p":
            body.append(f"<p>{_inline(b.text)}</p>")
        elif b.kind == "ul":
            kinds = b.css.split() if b.css else [""] * len(b.items)
            body.append(
                "<ul>"
                + "".join(
                    f'<li class="{k}">{_inline(i)}</li>' if k else f"<li>{_inline(i)}</li>"
                    for i, k in zip(b.items, kinds, strict=True)
                )
                + "</ul>"
            )
        elif b.kind == "table":
            head = "".join(f"<th>{_inline(h)}</th>" for h in b.head)
            rows = "".join(
                "<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in row) + "</tr>" for row in b.rows
            )
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>\n<body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )
