"""Draw the sample's images (content/images/kohoku-*.jpg) with Pillow.

The third sample interview (content/kohoku-design-lab.yaml) shows designers a cover photo,
profile photos and a figure with a caption. Its "photos" are drawn here from shapes,
gradients, blur and grain, so they are our own work, free of any rights: CC0 (see
content/images/LICENSE.md). They are committed; run this again only to change them:

    .venv/bin/python tools/make_sample_images.py

Sizes: the cover is A4 plus 3 mm bleed on every side at 300 ppi (216 × 303 mm →
2551 × 3579 px), as layouts/README.md asks; the profile photos are 720 px square (22 mm at
300 ppi needs 260 px); the figure is 1800 × 1200 px (a 79 mm column at 300 ppi needs 933).
Deterministic: the same pixels on every run (fixed random seed).
"""

from __future__ import annotations

import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

OUT = Path(__file__).resolve().parents[1] / "content" / "images"
COVER = (2551, 3579)


def vertical_gradient(size, top, bottom) -> Image.Image:
    w, h = size
    column = Image.new("RGB", (1, h))
    for y in range(h):
        t = y / max(1, h - 1)
        column.putpixel((0, y), tuple(round(a + (b - a) * t) for a, b in zip(top, bottom)))
    return column.resize(size)


def grain(image: Image.Image, amount: int, seed: int) -> Image.Image:
    """Film grain: a small noise image scaled up, blended in softly."""
    rng = random.Random(seed)
    small = Image.new("L", (image.width // 4, image.height // 4))
    small.putdata([128 + rng.randint(-amount, amount) for _ in range(small.width * small.height)])
    noise = small.resize(image.size, Image.BILINEAR).convert("RGB")
    return Image.blend(image, noise, 0.06)


def cover() -> Image.Image:
    """A design studio at dusk: a tall window, pinned sheets on the wall, a lamp's glow
    over a wooden table with a model of a building."""
    w, h = COVER
    rng = random.Random(12)
    image = vertical_gradient(COVER, (52, 70, 86), (24, 30, 38))
    draw = ImageDraw.Draw(image)
    # the window: evening sky with a city's lights
    wx0, wy0, wx1, wy1 = int(w * 0.52), int(h * 0.06), int(w * 0.94), int(h * 0.56)
    sky = vertical_gradient((wx1 - wx0, wy1 - wy0), (92, 128, 170), (232, 170, 120))
    image.paste(sky, (wx0, wy0))
    for _ in range(26):  # distant buildings
        bw = rng.randint(60, 180)
        bx = rng.randint(wx0, wx1 - bw)
        bh = rng.randint(int(h * 0.05), int(h * 0.2))
        draw.rectangle((bx, wy1 - bh, bx + bw, wy1), fill=(40 + rng.randint(0, 20), 46, 60))
        for _ in range(bh // 60):
            lx, ly = rng.randint(bx + 8, bx + bw - 16), rng.randint(wy1 - bh + 10, wy1 - 20)
            draw.rectangle((lx, ly, lx + 10, ly + 14), fill=(250, 214, 150))
    for x in (wx0, (wx0 + wx1) // 2, wx1):  # mullions
        draw.rectangle((x - 14, wy0, x + 14, wy1), fill=(30, 34, 40))
    draw.rectangle((wx0 - 14, wy0 - 14, wx1 + 14, wy0 + 14), fill=(30, 34, 40))
    draw.rectangle((wx0 - 14, wy1 - 14, wx1 + 14, wy1 + 14), fill=(30, 34, 40))
    # pinned sheets and sticky notes on the wall
    colours = [(236, 232, 220), (244, 205, 96), (120, 190, 200), (238, 150, 130), (200, 220, 160)]
    for _ in range(34):
        sx = rng.randint(int(w * 0.04), int(w * 0.46))
        sy = rng.randint(int(h * 0.10), int(h * 0.50))
        sw, sh = rng.choice([(300, 420), (180, 180), (220, 300), (160, 160)])
        draw.rectangle((sx, sy, sx + sw, sy + sh), fill=rng.choice(colours))
        for line in range(rng.randint(2, 6)):  # scribbles
            ly = sy + 30 + line * 34
            if ly < sy + sh - 20:
                draw.line((sx + 20, ly, sx + sw - rng.randint(30, 90), ly), fill=(90, 90, 96), width=6)
    # the table
    draw.polygon([(0, int(h * 0.60)), (w, int(h * 0.56)), (w, h), (0, h)], fill=(150, 104, 68))
    for i in range(50):  # wood grain
        y = int(h * 0.60) + i * 30
        draw.line((0, y, w, y - int(h * 0.04) + rng.randint(-10, 10)), fill=(132, 90, 58), width=4)
    # a white model of a building, lit from the left
    bx, by = int(w * 0.30), int(h * 0.41)
    draw.polygon([(bx, by + 420), (bx + 520, by + 300), (bx + 520, by + 900), (bx, by + 1020)], fill=(238, 236, 230))
    draw.polygon([(bx + 520, by + 300), (bx + 900, by + 380), (bx + 900, by + 950), (bx + 520, by + 900)],
                 fill=(176, 176, 172))
    draw.polygon([(bx, by + 420), (bx + 520, by + 300), (bx + 900, by + 380), (bx + 380, by + 500)],
                 fill=(250, 250, 246))
    for row in range(5):  # its windows
        for col in range(4):
            x0 = bx + 60 + col * 110
            y0 = by + 480 + row * 100 - col * 24
            draw.polygon([(x0, y0), (x0 + 60, y0 - 14), (x0 + 60, y0 + 46), (x0, y0 + 60)], fill=(120, 160, 190))
    image = image.filter(ImageFilter.GaussianBlur(3))
    # the lamp's warm glow over the model
    glow = Image.new("L", COVER, 0)
    ImageDraw.Draw(glow).ellipse((int(w * 0.15), int(h * 0.22), int(w * 0.85), int(h * 0.72)), fill=120)
    glow = glow.filter(ImageFilter.GaussianBlur(260))
    image = Image.composite(Image.new("RGB", COVER, (255, 196, 120)), image, glow.point(lambda v: v // 2))
    return grain(image, 60, 3)


def portrait(seed: int, background, jacket, hair, long_hair: bool = False) -> Image.Image:
    """A head-and-shoulders portrait against a soft, out-of-focus background."""
    size = 720
    rng = random.Random(seed)
    image = vertical_gradient((size, size), background, tuple(max(0, c - 40) for c in background))
    draw = ImageDraw.Draw(image)
    for _ in range(12):  # bokeh
        r = rng.randint(30, 90)
        x, y = rng.randint(0, size), rng.randint(0, size // 2)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(min(255, c + 30) for c in background))
    image = image.filter(ImageFilter.GaussianBlur(24))
    draw = ImageDraw.Draw(image)
    skin = (226, 188, 160)
    if long_hair:
        draw.rounded_rectangle((200, 150, 520, 600), radius=150, fill=hair)
    draw.ellipse((110, 520, 610, 1000), fill=jacket)  # shoulders
    draw.polygon([(300, 520), (420, 520), (360, 640)], fill=(245, 245, 242))  # collar
    draw.rectangle((320, 420, 400, 540), fill=tuple(c - 16 for c in skin))  # neck
    draw.ellipse((240, 170, 480, 470), fill=skin)  # face
    draw.chord((228, 140, 492, 400), 180, 360, fill=hair)  # hair
    draw.ellipse((300, 300, 320, 316), fill=(60, 46, 40))
    draw.ellipse((400, 300, 420, 316), fill=(60, 46, 40))
    draw.arc((320, 340, 400, 400), 20, 160, fill=(170, 100, 90), width=6)
    return grain(image.filter(ImageFilter.GaussianBlur(1.5)), 40, seed)


def figure() -> Image.Image:
    """A workshop's wall of sticky notes in four columns, seen slightly from the side."""
    w, h = 1800, 1200
    rng = random.Random(7)
    image = vertical_gradient((w, h), (236, 234, 228), (206, 204, 198))
    draw = ImageDraw.Draw(image)
    notes = [(250, 214, 92), (132, 200, 214), (240, 160, 150), (190, 222, 150)]
    for col in range(4):
        x0 = 120 + col * 410
        draw.rectangle((x0, 90, x0 + 340, 150), fill=(60, 70, 84))  # column heading
        for row in range(rng.randint(4, 6)):
            for k in range(2):
                nx = x0 + k * 170 + rng.randint(-8, 8)
                ny = 190 + row * 165 + rng.randint(-8, 8)
                draw.rectangle((nx, ny, nx + 150, ny + 140), fill=rng.choice(notes))
                for line in range(3):
                    ly = ny + 34 + line * 30
                    draw.line((nx + 16, ly, nx + 150 - rng.randint(24, 60), ly), fill=(80, 80, 86), width=5)
    image = image.filter(ImageFilter.GaussianBlur(1.2))
    return grain(image, 40, 11)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    images = {
        "kohoku-cover.jpg": cover(),
        "kohoku-mori.jpg": portrait(1, (120, 150, 160), (46, 58, 80), (40, 32, 30)),
        "kohoku-aoki.jpg": portrait(2, (176, 150, 120), (150, 60, 50), (70, 46, 36), long_hair=True),
        "kohoku-workshop.jpg": figure(),
    }
    for name, image in images.items():
        path = OUT / name
        image.save(path, "JPEG", quality=84, optimize=True, progressive=False, dpi=(300, 300))
        print(f"wrote {path.relative_to(OUT.parents[1])} ({image.width}×{image.height} px, "
              f"{path.stat().st_size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
