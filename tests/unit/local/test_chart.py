"""The dependency-free SVG chart."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from quirks.local.chart import line_chart_svg

SVG = "{http://www.w3.org/2000/svg}"


def test_one_line_and_legend_entry_per_series() -> None:
    svg = line_chart_svg("t <&>", {"b": [(0, 1), (2, 4)], "a": [(1, 2)], "empty": []})
    root = ET.fromstring(svg)
    assert len(root.findall(f"{SVG}polyline")) == 2
    texts = [t.text for t in root.findall(f"{SVG}text")]
    assert "t <&>" in texts
    assert {"a", "b", "empty"} <= set(texts)


def test_points_are_scaled_into_the_plot() -> None:
    root = ET.fromstring(line_chart_svg("t", {"s": [(0, 0), (10, 100)]}))
    (line,) = root.findall(f"{SVG}polyline")
    points = [tuple(map(float, p.split(","))) for p in line.get("points", "").split()]
    width, height = float(root.get("width", 0)), float(root.get("height", 0))
    assert all(0 <= x <= width and 0 <= y <= height for x, y in points)
    assert points[0][1] > points[1][1], "larger values are drawn higher"


def test_no_data_still_renders() -> None:
    assert ET.fromstring(line_chart_svg("nothing", {})).tag == f"{SVG}svg"


def test_a_series_of_one_point_is_still_visible() -> None:
    # `quirks demo --records 50` gives every series a single sample: it must not vanish.
    root = ET.fromstring(line_chart_svg("t", {"direct: billing": [(1.5, 300)], "x": [(0, 1)]}))
    dots = root.findall(f"{SVG}circle")
    assert len(dots) == 2
    width, height = float(root.get("width", 0)), float(root.get("height", 0))
    assert all(0 <= float(d.get("cx", -1)) <= width for d in dots)
    assert all(0 <= float(d.get("cy", -1)) <= height for d in dots)
