"""The chart of a topic's figures over time, one line per counted thing (matplotlib, Agg)."""

from __future__ import annotations

import datetime as dt
import io

import matplotlib

matplotlib.use("Agg")  # no display: the chart is a file or an attachment
import matplotlib.dates as mdates
import matplotlib.pyplot as plt

from index import FigureReport


def _day(date: dt.date) -> float:
    """A day as matplotlib's date axis counts them."""
    return float(mdates.date2num(date))


def figure_chart(report: FigureReport) -> bytes:
    """A PNG: each figure at the middle of its period, a bar across the period it covers."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    try:
        for thing in report.things:
            points = [(g.period, f) for g in thing.groups if g.period for f in g.figures]
            if not points:
                continue
            points.sort(key=lambda pf: pf[0].start)
            xs = [(_day(p.start) + _day(p.end)) / 2 for p, _ in points]
            ys = [f.value.number for _, f in points]
            (line,) = ax.plot(xs, ys, "o-", label=thing.thing)
            for (p, f), x, y in zip(points, xs, ys, strict=True):
                ax.hlines(y, _day(p.start), _day(p.end), colors=line.get_color(), alpha=0.35, linewidth=4)
                ax.annotate(f.value.text, (x, y), textcoords="offset points", xytext=(4, 6), fontsize=8)
        ax.set_title(f"Figures about {report.topic!r} over the periods they cover")
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
        ax.set_xlabel("period covered")
        ax.grid(True, alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=8)
        fig.autofmt_xdate()
        out = io.BytesIO()
        fig.savefig(out, format="png", dpi=110, bbox_inches="tight")
        return out.getvalue()
    finally:
        plt.close(fig)
