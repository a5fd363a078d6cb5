#!/usr/bin/env python3
"""Writes the package's icon (ARPPRODUCTICON: the one Programs and Features shows): a brick wall,
the picture of a firewall, at 16x16 and 32x32, 32 bits per pixel. Made at build time so that no
binary image sits in the sources.

Usage: make-icon.py OUT.ico

An .ico is an ICONDIR, one ICONDIRENTRY per image, then each image as a BITMAPINFOHEADER (its
height doubled: the colour bitmap and the AND mask) followed by the bottom-up BGRA rows and the
1-bit mask (all zero: the alpha channel decides)."""
import struct
import sys

MORTAR = (0xC8, 0xD0, 0xD8, 0xFF)  # B, G, R, A: light grey
BRICK = (0x2A, 0x3C, 0xB0, 0xFF)   # a brick red


def pixels(size):
    """Rows top to bottom: courses of bricks, each course half a brick offset from the last."""
    course = size // 4
    brick = size // 2
    rows = []
    for y in range(size):
        shift = brick // 2 if (y // course) % 2 else 0
        row = []
        for x in range(size):
            joint = y % course == course - 1 or (x + shift) % brick == brick - 1
            row.append(MORTAR if joint else BRICK)
        rows.append(row)
    return rows


def image(size):
    header = struct.pack("<IiiHHIIiiII", 40, size, size * 2, 1, 32, 0, 0, 0, 0, 0, 0)
    colour = b"".join(bytes(p) for row in reversed(pixels(size)) for p in row)
    mask_row = ((size + 31) // 32) * 4
    return header + colour + bytes(mask_row * size)


def icon(sizes):
    images = [image(s) for s in sizes]
    out = struct.pack("<HHH", 0, 1, len(sizes))
    offset = 6 + 16 * len(sizes)
    for s, data in zip(sizes, images):
        out += struct.pack("<BBBBHHII", s, s, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
    return out + b"".join(images)


if __name__ == "__main__":
    with open(sys.argv[1], "wb") as f:
        f.write(icon((16, 32)))
