#!/usr/bin/env python3
"""Render folded stacks ("a;b;c 123" per line) as a flame graph SVG.

A small, dependency-free stand-in for flamegraph.pl / inferno, for the files
`leaktrace --folded-file=FILE` writes (any folded file works):

  scripts/flamegraph.py leaks.folded -o leaks.svg
  scripts/flamegraph.py --title "Leaked bytes" --width 1000 leaks.folded > leaks.svg

Each box is a frame, its width the bytes leaked below it; the root is at the
bottom (--inverted puts it at the top, an icicle graph). Identical stacks
are added up, siblings are sorted by name (as flamegraph.pl does), boxes
narrower than --min-width pixels are dropped, hovering shows the full name,
bytes and share (an SVG <title>). Colours come from a hash of the name, so a
function keeps its colour across graphs; the first frame of a leaktrace
folded file is the leak kind and gets a fixed colour per kind.
"""
import argparse
import html
import sys
import zlib

KIND_COLOURS = {
    "definitely lost": (220, 80, 60),
    "indirectly lost": (230, 150, 60),
    "possibly lost": (225, 200, 70),
    "still reachable": (120, 170, 220),
}


def parse(lines):
    """Folded lines -> {stack tuple: count}; malformed lines are skipped."""
    stacks = {}
    for line in lines:
        line = line.rstrip("\n")
        if not line.strip():
            continue
        stack, _, count = line.rpartition(" ")
        try:
            n = float(count) if "." in count else int(count)
        except ValueError:
            continue
        if not stack or n <= 0:
            continue
        key = tuple(stack.split(";"))
        stacks[key] = stacks.get(key, 0) + n
    return stacks


class Node:
    __slots__ = ("name", "total", "children")

    def __init__(self, name):
        self.name = name
        self.total = 0
        self.children = {}


def build(stacks):
    root = Node("all")
    for stack, n in stacks.items():
        root.total += n
        node = root
        for name in stack:
            node = node.children.setdefault(name, Node(name))
            node.total += n
    return root


def colour(name, depth):
    if depth == 1 and name in KIND_COLOURS:
        return "rgb(%d,%d,%d)" % KIND_COLOURS[name]
    h = zlib.crc32(name.encode("utf-8", "replace"))
    # A warm palette, as flamegraph.pl's default "hot".
    r = 205 + (h & 0x31)
    g = 80 + ((h >> 8) % 150)
    b = 40 + ((h >> 16) % 55)
    return "rgb(%d,%d,%d)" % (min(r, 255), g, b)


def fmt(n):
    return format(int(n), ",") if float(n).is_integer() else "%.2f" % n


def render(root, title, width, frame_h, font, min_width, countname, inverted, subtitle):
    pad_x, top, bottom = 10, 44 if subtitle else 34, 10
    depth = [0]

    def measure(node, d):
        depth[0] = max(depth[0], d)
        for c in node.children.values():
            measure(c, d + 1)

    measure(root, 0)
    height = top + (depth[0] + 1) * frame_h + bottom
    usable = width - 2 * pad_x
    scale = usable / root.total if root.total else 0
    char_w = font * 0.59
    out = []
    out.append('<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n')
    out.append('<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="%d" height="%d" '
               'viewBox="0 0 %d %d" font-family="Verdana, DejaVu Sans, sans-serif" font-size="%d">\n'
               % (width, height, width, height, font))
    out.append('<rect x="0" y="0" width="%d" height="%d" fill="#f8f8f8"/>\n' % (width, height))
    out.append('<text x="%d" y="22" text-anchor="middle" font-size="%d">%s</text>\n'
               % (width // 2, font + 5, html.escape(title)))
    if subtitle:
        out.append('<text x="%d" y="38" text-anchor="middle" fill="#555">%s</text>\n'
                   % (width // 2, html.escape(subtitle)))

    def y_of(d):
        if inverted:
            return top + d * frame_h
        return height - bottom - (d + 1) * frame_h

    def draw(node, d, x):
        w = node.total * scale
        if w < min_width:
            return
        y = y_of(d)
        share = 100.0 * node.total / root.total if root.total else 0
        label = "%s (%s %s, %.2f%%)" % (node.name, fmt(node.total), countname, share)
        out.append('<g><title>%s</title><rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s" '
                   'rx="2" ry="2"/>' % (html.escape(label), x, y, w, frame_h - 1,
                                        "rgb(230,230,230)" if d == 0 else colour(node.name, d)))
        room = int((w - 6) / char_w)
        if room >= 3:
            text = node.name if len(node.name) <= room else node.name[:room - 2] + ".."
            out.append('<text x="%.1f" y="%d">%s</text>' % (x + 3, y + frame_h - 5, html.escape(text)))
        out.append("</g>\n")
        cx = x
        for name in sorted(node.children):
            child = node.children[name]
            draw(child, d + 1, cx)
            cx += child.total * scale

    root.name = "all"
    draw(root, 0, pad_x)
    out.append("</svg>\n")
    return "".join(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("input", nargs="?", default="-", help="folded file ('-' or none: standard input)")
    ap.add_argument("-o", "--output", default="-", help="SVG file ('-': standard output)")
    ap.add_argument("--title", default="Leaked bytes")
    ap.add_argument("--subtitle", default="")
    ap.add_argument("--width", type=int, default=1200)
    ap.add_argument("--height", type=int, default=18, help="height of one frame in pixels")
    ap.add_argument("--font-size", type=int, default=11)
    ap.add_argument("--min-width", type=float, default=0.1, help="drop boxes narrower than this (pixels)")
    ap.add_argument("--countname", default="bytes")
    ap.add_argument("--inverted", action="store_true", help="root at the top (icicle graph)")
    a = ap.parse_args(argv)
    if a.input == "-":
        lines = sys.stdin.read().splitlines()
    else:
        with open(a.input, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    root = build(parse(lines))
    if not root.total:
        print("flamegraph.py: no stacks in the input", file=sys.stderr)
    svg = render(root, a.title, a.width, a.height, a.font_size, a.min_width, a.countname, a.inverted,
                 a.subtitle)
    if a.output == "-":
        sys.stdout.write(svg)
    else:
        with open(a.output, "w", encoding="utf-8") as f:
            f.write(svg)
    return 0


if __name__ == "__main__":
    sys.exit(main())
