"""A dependency-free SVG line chart: IteratorAge over time, one line per consumer (pure)."""

from __future__ import annotations

from html import escape

__all__ = ["line_chart_svg"]

_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf")


def line_chart_svg(
    title: str,
    series: dict[str, list[tuple[float, float]]],
    *,
    x_label: str = "seconds",
    y_label: str = "IteratorAge (ms)",
    width: int = 820,
    height: int = 320,
) -> str:
    """An SVG document with one polyline per series of (x, y) points."""
    left, right, top, bottom = 70, 230, 40, 45
    plot_w, plot_h = width - left - right, height - top - bottom
    points = [p for values in series.values() for p in values]
    x_max = max((x for x, _ in points), default=1.0) or 1.0
    y_max = max((y for _, y in points), default=1.0) or 1.0

    def sx(x: float) -> float:
        return left + plot_w * x / x_max

    def sy(y: float) -> float:
        return top + plot_h * (1 - y / y_max)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{width / 2}" y="22" text-anchor="middle" font-size="15">{escape(title)}</text>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="black"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="black"/>',
        f'<text x="{left + plot_w / 2}" y="{height - 10}" text-anchor="middle">{escape(x_label)}</text>',
        f'<text x="15" y="{top + plot_h / 2}" transform="rotate(-90 15 {top + plot_h / 2})" '
        f'text-anchor="middle">{escape(y_label)}</text>',
    ]
    for i in range(5):
        value = y_max * i / 4
        y = sy(value)
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{value:,.0f}</text>')
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#eee"/>'
        )
        x_value = x_max * i / 4
        x_text = f"{x_value:.0f}" if x_max >= 10 else f"{x_value:.1f}"
        parts.append(
            f'<text x="{sx(x_value):.1f}" y="{top + plot_h + 16}" text-anchor="middle">{x_text}</text>'
        )
    for index, (name, values) in enumerate(sorted(series.items())):
        colour = _COLOURS[index % len(_COLOURS)]
        if values:
            path = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in sorted(values))
            parts.append(
                f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{path}"/>'
            )
            # A marker per sample: a series of one point (a short demo) is a dot, not nothing.
            parts.extend(
                f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="3.5" fill="{colour}"/>'
                for x, y in values
            )
        legend_y = top + 18 * index
        parts.append(
            f'<rect x="{width - right + 15}" y="{legend_y}" width="12" height="12" fill="{colour}"/>'
        )
        parts.append(f'<text x="{width - right + 32}" y="{legend_y + 10}">{escape(name)}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
