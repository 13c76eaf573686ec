"""Pictures from participants: made safe, small and anonymous, then stored under random names.

Participants are anonymous and their pictures come from anywhere: finger drawings from the
canvas (PNG) and phone photos of paper flip charts (JPEG, sometimes WebP). Everything sent
is treated as hostile: only three formats are decoded, oversized headers are refused before
any pixels are allocated, and the stored files are encoded afresh from pixels alone, so no
EXIF (GPS, phone model, time), ICC profile or text chunk from the original survives.

`process_image` is pure CPU work (about a tenth of a second for a canvas drawing, more for a
big photo): call it through `serving.run_off_the_loop`.
"""
from __future__ import annotations

import contextlib
import io
import os
import re
import secrets
import struct
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from .problems import Problem

ALLOWED_FORMATS = ("PNG", "JPEG", "WEBP")
# Width times height read from the header; above this the file is refused as a bomb. A 50 Mpx
# phone photo (8160 × 6120) still fits.
MAX_PIXELS = 50_000_000
MAX_SIDE = 2048  # longest side of the stored picture
THUMB_SIDE = 480  # longest side of the thumbnail
JPEG_QUALITY = 85

_PAPER = (255, 255, 255, 255)  # what transparent parts of a drawing become
# Only names the server made can be served or deleted: 32 hex digits, an optional ".thumb",
# one known extension. No slash, dot-dot or other path can pass this.
_NAME = re.compile(r"[0-9a-f]{32}(?:\.thumb)?\.(?:png|jpg)")
#: The names the server gives stored pictures (and nothing else): what may be served or deleted.
STORED_NAME = _NAME
# The ways Pillow fails on damaged or hostile data (the list its own fuzzing tests accept),
# plus the few plain errors a malformed header can provoke in a plugin.
_DECODE_ERRORS = (
    UnidentifiedImageError,
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    struct.error,
    IndexError,
    KeyError,
    TypeError,
    NotImplementedError,
    OverflowError,
)


@dataclass(frozen=True)
class ProcessedImage:
    """A picture re-encoded from its pixels, with its thumbnail, ready to store."""

    data: bytes
    thumb: bytes
    extension: str  # "png" or "jpg"
    content_type: str  # "image/png" or "image/jpeg"
    width: int
    height: int
    thumb_width: int
    thumb_height: int


@dataclass(frozen=True)
class StoredImage:
    """Where a processed picture was written: two server-made names in the media directory."""

    name: str
    thumb_name: str
    content_type: str
    width: int
    height: int
    thumb_width: int
    thumb_height: int


def _unusable() -> Problem:
    return Problem(
        _l("This file is not a picture we can use. Send a photo or a drawing (PNG, JPEG or WebP)."),
        field="image",
        status=422,
    )


def _too_large() -> Problem:
    return Problem(
        _l(
            "The picture is too large. Send a smaller one (at most %(megapixels)d megapixels).",
            megapixels=MAX_PIXELS // 1_000_000,
        ),
        field="image",
        status=422,
    )


def _fitted_size(size: tuple[int, int], side: int) -> tuple[int, int]:
    """The size `thumbnail` would give: the same shape, longest side at most `side`."""
    width, height = size
    scale = min(1.0, side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _decode(raw: bytes) -> Image.Image:
    """Open with the allow-list, refuse a bomb from its header, then decode every pixel."""
    image = Image.open(io.BytesIO(raw), formats=list(ALLOWED_FORMATS))
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise _too_large()
    if image.format in ("JPEG", "MPO"):  # MPO: the JPEG flavour some phone cameras write
        # libjpeg can decode at 1/2, 1/4 or 1/8 scale: a big camera photo never has to be
        # held at full size when it will be shrunk anyway. Asking for the fitted shape (not
        # a square) lets a long panorama shrink as much as a plain photo.
        image.draft("RGB", _fitted_size(image.size, MAX_SIDE))
    # Decode now, inside the guard, so truncated or corrupt data fails here and not later.
    # The flag is Pillow's global, and WeasyPrint turns it on when it is imported (for the
    # report's PDF): set here, a truncated upload is refused whatever was imported before.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    image.load()
    return image


def _orient(image: Image.Image) -> Image.Image:
    """Turn the pixels the way the camera's EXIF says the picture is meant to be seen."""
    try:
        return ImageOps.exif_transpose(image)
    except Exception:  # a broken EXIF block from some camera should only cost the orientation
        return image


def _is_transparent(image: Image.Image) -> bool:
    # An alpha channel, or a palette or colour key marked transparent (PNG tRNS).
    return image.mode in ("RGBA", "RGBa", "LA", "La", "PA") or "transparency" in image.info


def _flatten(image: Image.Image) -> Image.Image:
    """Plain RGB or greyscale pixels; anything transparent is laid on white paper."""
    if image.mode.startswith("I"):  # 16-bit greyscale PNG: scale down, as convert("L") clips
        return image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    grey = image.mode in ("1", "L", "LA", "La")
    if _is_transparent(image):
        paper = Image.new("RGBA", image.size, _PAPER)
        paper.alpha_composite(image.convert("RGBA"))
        image = paper
    return image.convert("L" if grey else "RGB")


def _pixels_only(image: Image.Image) -> Image.Image:
    """A new image holding nothing but the pixels.

    Pillow copies `info` along with conversions, and its PNG writer falls back to
    `info["icc_profile"]` and `info["transparency"]`; a fresh image has nothing to fall back to.
    """
    return Image.frombytes(image.mode, image.size, image.tobytes())


def _encode(image: Image.Image, as_png: bool) -> bytes:
    buffer = io.BytesIO()
    if as_png:
        # zlib's default level: optimize=True (level 9) took five times as long on a canvas
        # drawing (0.46 s against 0.09 s) to save 3 % of its size.
        image.save(buffer, "PNG")
    else:
        image.save(buffer, "JPEG", quality=JPEG_QUALITY, progressive=True, optimize=True)
    return buffer.getvalue()


def process_image(raw: bytes) -> ProcessedImage:
    """Decode with an allow-list, refuse bombs, auto-orient, strip all metadata by re-encoding,
    downscale to MAX_SIDE and make a THUMB_SIDE thumbnail. Never upscales.

    Drawings (PNG, or anything with transparency) stay PNG, on white; photos become JPEG.
    Only the first frame of an animated file is kept.

    :raise Problem: (field "image", status 422) the bytes are not a PNG, JPEG or WebP picture
        that decodes completely, or it has more than MAX_PIXELS pixels.
    """
    # catch_warnings changes process-wide state and is not thread-safe; it is only a second
    # line: the header check in _decode refuses bombs well below Pillow's own warning limit.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = _decode(raw)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise _too_large() from error
        except _DECODE_ERRORS as error:
            raise _unusable() from error
    with image:
        # A drawing keeps its sharp lines in PNG; a photo is far smaller as JPEG.
        as_png = image.format == "PNG" or _is_transparent(image)
        picture = _flatten(_orient(image))
    picture.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    picture = _pixels_only(picture)
    thumb = picture.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    return ProcessedImage(
        data=_encode(picture, as_png),
        thumb=_encode(thumb, as_png),
        extension="png" if as_png else "jpg",
        content_type="image/png" if as_png else "image/jpeg",
        width=picture.width,
        height=picture.height,
        thumb_width=thumb.width,
        thumb_height=thumb.height,
    )


def _fsync_directory(directory: Path) -> None:
    # A rename or unlink survives a power cut only once the directory itself is on disk.
    # Windows cannot open a directory; there os.replace is as durable as it gets.
    if os.name != "posix":  # pragma: no cover
        return
    fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_durably(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file beside it, synced and renamed over:
    the final name never holds half a file. (Sync the directory too for the rename to
    survive a power cut.) Used for pictures, report exports and imported archives."""
    # The leading dot keeps the temporary name out of _NAME, so it can never be served.
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def store_image(image: ProcessedImage, directory: Path) -> StoredImage:
    """Write the picture and its thumbnail durably under fresh random names.

    Call it BEFORE committing the row that names the files, and `delete_image` them if that
    commit fails: a crash then leaves at worst an unreferenced file, never a row without one.
    Creates `directory` if needed. Files are readable by the server's user only.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    stem = secrets.token_hex(16)  # 128 random bits: unguessable, never taken from user input
    name = f"{stem}.{image.extension}"
    thumb_name = f"{stem}.thumb.{image.extension}"
    written: list[str] = []
    try:
        for file_name, data in ((name, image.data), (thumb_name, image.thumb)):
            write_durably(directory / file_name, data)
            written.append(file_name)
        _fsync_directory(directory)
    except BaseException:
        with contextlib.suppress(OSError):
            delete_image(directory, *written)
        raise
    return StoredImage(
        name=name,
        thumb_name=thumb_name,
        content_type=image.content_type,
        width=image.width,
        height=image.height,
        thumb_width=image.thumb_width,
        thumb_height=image.thumb_height,
    )


def delete_image(directory: Path, *names: str) -> None:
    """Remove stored files; a file already gone is fine.

    Used when a commit fails after `store_image`, and when a participant takes a picture back
    (so the removal is made durable too).

    :raise ValueError: a name is not one the server makes; nothing is removed then.
    """
    directory = Path(directory)
    bad = [name for name in names if not _NAME.fullmatch(name)]
    if bad:
        raise ValueError(f"not a stored image name: {bad[0]!r}")
    removed = False
    for name in names:
        try:
            os.unlink(directory / name)
        except FileNotFoundError:
            continue
        removed = True
    if removed:
        _fsync_directory(directory)


def sweep_unreferenced(directory: Path, referenced: set[str], older_than_s: float, now: float | None = None) -> list[str]:
    """Delete the files in `directory` that no row names, and half-written temporary files.

    A server killed between `store_image` and the commit leaves such a file (never a row
    without its file). Only files older than `older_than_s` go: in a region another process
    may be between its write and its commit right now. Files that are not ours (names
    outside the server's pattern) are left alone. Returns the names removed.
    """
    import time

    directory = Path(directory)
    if not directory.is_dir():
        return []
    cutoff = (time.time() if now is None else now) - older_than_s
    removed = []
    for path in directory.iterdir():
        ours = _NAME.fullmatch(path.name) or (path.name.startswith(".") and path.name.endswith(".part"))
        if not ours or path.name in referenced or not path.is_file():
            continue
        with contextlib.suppress(FileNotFoundError):
            if path.stat().st_mtime <= cutoff:
                path.unlink()
                removed.append(path.name)
    if removed:
        _fsync_directory(directory)
    return sorted(removed)


def media_path(directory: Path, name: str) -> Path | None:
    """The path of a stored file, or None unless `name` is a well-formed server-made name
    and the file exists, so a request can never reach outside `directory`."""
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        return None
    path = Path(directory) / name
    return path if path.is_file() else None


def send_picture(path: Path | None, cache_control: str):
    """The response that serves a stored picture, with `cache_control` (who may keep it
    and how long differs by page), or a 404 when `path` is None (not there, not allowed).
    """
    from flask import abort, send_file

    if path is None:
        abort(404)
    response = send_file(path, max_age=0, conditional=True)
    response.headers["Cache-Control"] = cache_control
    return response
