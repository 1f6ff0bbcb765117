#!/usr/bin/env python3
"""Draws the demo program's reward pictures (a cup of coffee, a cake) as small PNGs and writes
them as base64 into tools/server/storage/demo_pictures.cpp. Flat shapes, anti-aliased by
drawing at 4x and averaging; standard library only. Run from the repository root:
    python3 tools/demo/pictures.py
"""
import base64
import math
import struct
import zlib

W, H, SS = 240, 160, 4  # output size, supersampling


def canvas():
    return [[(0, 0, 0, 0)] * (W * SS) for _ in range(H * SS)]


def fill(px, inside, colour):
    """Paints every supersampled pixel whose centre (in output pixels) inside(x, y) accepts."""
    for y in range(H * SS):
        fy = (y + 0.5) / SS
        row = px[y]
        for x in range(W * SS):
            if inside((x + 0.5) / SS, fy):
                row[x] = colour


def ellipse(cx, cy, rx, ry):
    return lambda x, y: ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1


def rect(x0, y0, x1, y1, r=0):
    def inside(x, y):
        if not (x0 <= x <= x1 and y0 <= y <= y1):
            return False
        cx = min(max(x, x0 + r), x1 - r)
        cy = min(max(y, y0 + r), y1 - r)
        return (x - cx) ** 2 + (y - cy) ** 2 <= r * r
    return inside


def ring(cx, cy, r_out, r_in):
    return lambda x, y: r_in ** 2 <= (x - cx) ** 2 + (y - cy) ** 2 <= r_out ** 2


def png(px):
    rows = []
    for y in range(H):
        row = bytearray([0])
        for x in range(W):
            acc = [0, 0, 0, 0]
            for sy in range(SS):
                for sx in range(SS):
                    r, g, b, a = px[y * SS + sy][x * SS + sx]
                    acc[0] += r * a
                    acc[1] += g * a
                    acc[2] += b * a
                    acc[3] += a
            a = acc[3]
            if a == 0:
                row += bytes(4)
            else:
                row += bytes([acc[0] // a, acc[1] // a, acc[2] // a, a // (SS * SS)])
        rows.append(bytes(row))

    def chunk(kind, data):
        body = kind + data
        return struct.pack('>I', len(data)) + body + struct.pack('>I', zlib.crc32(body))

    header = struct.pack('>IIBBBBB', W, H, 8, 6, 0, 0, 0)
    return (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', header) +
            chunk(b'IDAT', zlib.compress(b''.join(rows), 9)) + chunk(b'IEND', b''))


def coffee():
    px = canvas()
    fill(px, ellipse(120, 140, 92, 14), (214, 205, 195, 255))            # saucer
    fill(px, ring(170, 92, 26, 11), (150, 128, 112, 255))                # handle, outlined
    fill(px, ring(170, 92, 23, 14), (246, 240, 232, 255))
    fill(px, rect(59, 49, 181, 139, 25), (150, 128, 112, 255))           # cup, outlined
    fill(px, rect(62, 52, 178, 136, 22), (246, 240, 232, 255))
    fill(px, ellipse(120, 56, 56, 11), (111, 70, 45, 255))               # coffee
    fill(px, rect(62, 100, 178, 108), (217, 79, 48, 255))                # a band in the accent
    for x0 in (96, 120, 144):                                            # steam
        fill(px, lambda x, y, x0=x0: 8 <= y <= 38 and abs(x - x0 - 5 * math.sin(y / 5)) <= 2.5,
             (190, 184, 178, 255))
    return px


def cake():
    px = canvas()
    fill(px, ellipse(120, 142, 96, 12), (214, 205, 195, 255))            # plate
    fill(px, rect(44, 78, 196, 138, 10), (236, 196, 140, 255))           # sponge
    fill(px, rect(44, 100, 196, 112), (250, 240, 230, 255))              # cream
    fill(px, rect(41, 75, 199, 141, 12), (176, 128, 80, 255))            # the cake's outline
    fill(px, rect(37, 59, 203, 87, 14), (176, 128, 80, 255))
    for cx in (64, 88, 112, 136, 160, 184):
        fill(px, ellipse(cx, 84, 9, 11), (176, 128, 80, 255))
    fill(px, rect(44, 78, 196, 138, 10), (236, 196, 140, 255))           # sponge
    fill(px, rect(44, 100, 196, 112), (250, 240, 230, 255))              # cream
    fill(px, rect(40, 62, 200, 84, 11), (250, 240, 230, 255))            # icing
    for cx in (64, 88, 112, 136, 160, 184):                              # drips
        fill(px, ellipse(cx, 84, 7, 9), (250, 240, 230, 255))
    fill(px, ellipse(120, 48, 13, 13), (200, 40, 50, 255))               # cherry
    fill(px, lambda x, y: 14 <= y <= 38 and abs(x - (124 + (38 - y) * 0.35)) <= 1.8,
         (90, 120, 60, 255))                                             # its stalk
    return px


def main():
    out = ['// The demo program\'s reward pictures, drawn by tools/demo/pictures.py (do not edit).',
           '#include "storage/demo_pictures.hpp"', '', 'namespace kopilka::server {', '']
    for name, draw in (('kDemoCoffeePng', coffee), ('kDemoCakePng', cake)):
        b64 = base64.b64encode(png(draw())).decode()
        out.append(f'const char* const {name} =')
        for i in range(0, len(b64), 88):
            out.append(f'    "{b64[i:i + 88]}"')
        out[-1] += ';'
        out.append('')
    out.append('}  // namespace kopilka::server')
    with open('tools/server/storage/demo_pictures.cpp', 'w') as f:
        f.write('\n'.join(out) + '\n')


if __name__ == '__main__':
    main()
