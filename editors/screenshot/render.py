#!/usr/bin/env python3
"""Renders the output of `tmux capture-pane -e -p` (text with ANSI SGR colours) to a PNG.

Usage: render.py CAPTURE.ansi OUT.png
Needs Pillow (Debian: python3-pil) and the DejaVu Sans Mono font (fonts-dejavu-core).
"""

import re
import sys

from PIL import Image, ImageDraw, ImageFont

FONT_DIR = "/usr/share/fonts/truetype/dejavu/"
SIZE = 16
# The xterm palette for the 16 basic colours.
BASIC = [
    (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
    (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
]
FOREGROUND, BACKGROUND = (229, 229, 229), (24, 24, 24)


def xterm256(n):
    """The RGB of colour `n` of the 256-colour palette."""
    if n < 16:
        return BASIC[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return steps[n // 36], steps[(n // 6) % 6], steps[n % 6]
    level = 8 + (n - 232) * 10
    return level, level, level


def apply_sgr(params, state):
    """Updates `state` (fg, bg, bold) for one SGR sequence's parameters."""
    codes = [int(p) if p else 0 for p in params.split(";")] if params else [0]
    i = 0
    while i < len(codes):
        code = codes[i]
        if code == 0:
            state.update(fg=None, bg=None, bold=False)
        elif code == 1:
            state["bold"] = True
        elif code == 22:
            state["bold"] = False
        elif 30 <= code <= 37:
            state["fg"] = BASIC[code - 30]
        elif 90 <= code <= 97:
            state["fg"] = BASIC[code - 90 + 8]
        elif 40 <= code <= 47:
            state["bg"] = BASIC[code - 40]
        elif 100 <= code <= 107:
            state["bg"] = BASIC[code - 100 + 8]
        elif code == 39:
            state["fg"] = None
        elif code == 49:
            state["bg"] = None
        elif code in (38, 48) and i + 1 < len(codes):
            if codes[i + 1] == 5 and i + 2 < len(codes):
                colour, i = xterm256(codes[i + 2]), i + 2
            elif codes[i + 1] == 2 and i + 4 < len(codes):
                colour, i = tuple(codes[i + 2:i + 5]), i + 4
            else:
                colour = None
            state["fg" if code == 38 else "bg"] = colour
        i += 1


def cells(text):
    """Each line as a list of (character, fg, bg, bold)."""
    state = {"fg": None, "bg": None, "bold": False}
    lines = []
    for raw in text.rstrip("\n").split("\n"):
        line = []
        for token in re.split(r"(\x1b\[[0-9;]*m)", raw):
            match = re.fullmatch(r"\x1b\[([0-9;]*)m", token)
            if match:
                apply_sgr(match.group(1), state)
            else:
                line.extend((c, state["fg"], state["bg"], state["bold"]) for c in token)
        lines.append(line)
    return lines


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    lines = cells(open(sys.argv[1], encoding="utf-8").read())
    regular = ImageFont.truetype(FONT_DIR + "DejaVuSansMono.ttf", SIZE)
    bold = ImageFont.truetype(FONT_DIR + "DejaVuSansMono-Bold.ttf", SIZE)
    width = int(regular.getlength("M"))
    height = SIZE + 4
    columns = max(len(line) for line in lines)
    image = Image.new("RGB", (columns * width + 16, len(lines) * height + 16), BACKGROUND)
    draw = ImageDraw.Draw(image)
    for row, line in enumerate(lines):
        for column, (char, fg, bg, is_bold) in enumerate(line):
            x, y = 8 + column * width, 8 + row * height
            if bg:
                draw.rectangle([x, y, x + width, y + height], fill=bg)
            if char != " ":
                draw.text((x, y + 1), char, font=bold if is_bold else regular, fill=fg or FOREGROUND)
    image.save(sys.argv[2])


if __name__ == "__main__":
    main()
