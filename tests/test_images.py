"""Participants' pictures: only real pictures pass, bombs are refused, nothing but pixels is kept,
and stored files are reachable only by the names the server made."""
from __future__ import annotations

import io
import os
import re
import struct
import warnings
import zlib

import pytest
from PIL import ExifTags, Image, ImageCms, ImageFile
from PIL.PngImagePlugin import PngInfo

from workshop import images
from workshop.images import (
    MAX_SIDE,
    THUMB_SIDE,
    ProcessedImage,
    StoredImage,
    delete_image,
    media_path,
    process_image,
    store_image,
)
from workshop.problems import Problem

WHITE = (255, 255, 255)


def encode(image: Image.Image, format: str, **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format, **params)
    return buffer.getvalue()


def reopen(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_claiming(width: int, height: int) -> bytes:
    """A few dozen bytes of PNG whose header claims a 1-bit picture of `width` × `height`."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\0\0"))
        + png_chunk(b"IEND", b"")
    )


def assert_unusable(raw: bytes) -> Problem:
    with pytest.raises(Problem) as caught:
        process_image(raw)
    assert caught.value.field == "image"
    assert caught.value.status == 422
    return caught.value


# -- what is accepted, and what it becomes ------------------------------------------------


def sixteen_bit_grey() -> Image.Image:
    image = Image.new("I;16", (3, 1))
    for x, value in enumerate((0, 30000, 65535)):
        image.putpixel((x, 0), value)
    return image


def with_transparency(mode: str, color, transparency) -> Image.Image:
    image = Image.new(mode, (8, 8), color)
    image.info["transparency"] = transparency
    return image


@pytest.mark.parametrize(
    ("image", "format", "extension", "mode"),
    [
        (Image.new("RGBA", (30, 20), (255, 0, 0, 255)), "PNG", "png", "RGB"),
        (Image.new("RGB", (30, 20), (255, 0, 0)), "PNG", "png", "RGB"),
        (Image.new("L", (30, 20), 128), "PNG", "png", "L"),
        (Image.new("LA", (30, 20), (128, 255)), "PNG", "png", "L"),
        (Image.new("1", (30, 20), 1), "PNG", "png", "L"),
        (Image.new("P", (30, 20), 3), "PNG", "png", "RGB"),
        (with_transparency("P", 3, 3), "PNG", "png", "RGB"),
        (with_transparency("RGB", (255, 0, 0), (255, 0, 0)), "PNG", "png", "RGB"),
        (sixteen_bit_grey(), "PNG", "png", "L"),
        (Image.new("RGB", (30, 20), (255, 0, 0)), "JPEG", "jpg", "RGB"),
        (Image.new("L", (30, 20), 128), "JPEG", "jpg", "L"),
        (Image.new("CMYK", (30, 20), (0, 255, 255, 0)), "JPEG", "jpg", "RGB"),
        (Image.new("RGB", (30, 20), (255, 0, 0)), "WEBP", "jpg", "RGB"),
        (Image.new("RGBA", (30, 20), (255, 0, 0, 128)), "WEBP", "png", "RGB"),
    ],
    ids=[
        "png-rgba", "png-rgb", "png-grey", "png-grey-alpha", "png-1bit", "png-palette",
        "png-palette-transparent", "png-rgb-colour-key", "png-16bit-grey",
        "jpeg-rgb", "jpeg-grey", "jpeg-cmyk", "webp-rgb", "webp-rgba",
    ],
)
def test_pictures_are_accepted_and_re_encoded(image, format, extension, mode):
    processed = process_image(encode(image, format))
    assert isinstance(processed, ProcessedImage)
    assert processed.extension == extension
    assert processed.content_type == {"png": "image/png", "jpg": "image/jpeg"}[extension]
    for data, size in ((processed.data, (processed.width, processed.height)),
                       (processed.thumb, (processed.thumb_width, processed.thumb_height))):
        out = reopen(data)
        assert out.format == {"png": "PNG", "jpg": "JPEG"}[extension]
        assert out.mode == mode
        assert out.size == size == image.size


def test_photos_become_progressive_jpeg():
    processed = process_image(encode(Image.new("RGB", (64, 48), (10, 120, 200)), "JPEG", quality=100))
    assert processed.data.startswith(b"\xff\xd8")
    assert reopen(processed.data).info.get("progressive")


@pytest.mark.parametrize("format", ["PNG", "WEBP"])
def test_transparency_is_laid_on_white_paper(format):
    drawing = Image.new("RGBA", (20, 10), (0, 0, 0, 0))
    drawing.paste((0, 0, 255, 255), (0, 0, 10, 10))  # a blue stroke on the left half
    out = reopen(process_image(encode(drawing, format, lossless=True)).data)
    assert out.format == "PNG" and out.mode == "RGB"
    assert out.getpixel((15, 5)) == WHITE
    assert out.getpixel((5, 5)) == (0, 0, 255)


def test_palette_transparency_is_laid_on_white_paper():
    drawing = Image.new("P", (4, 4), 0)
    drawing.putpalette([0, 0, 0, 200, 0, 0])
    drawing.putpixel((0, 0), 1)
    out = reopen(process_image(encode(drawing, "PNG", transparency=0)).data)
    assert "transparency" not in out.info
    assert out.getpixel((3, 3)) == WHITE
    assert out.getpixel((0, 0)) == (200, 0, 0)


def test_sixteen_bit_grey_is_scaled_not_clipped():
    out = reopen(process_image(encode(sixteen_bit_grey(), "PNG")).data)
    assert [out.getpixel((x, 0)) for x in range(3)] == [0, 117, 255]


# -- what is refused -----------------------------------------------------------------------


def truncated_jpeg() -> bytes:
    photo = Image.effect_noise((300, 200), 60).convert("RGB")
    data = encode(photo, "JPEG")
    return data[: len(data) // 2]


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(encode(Image.new("P", (10, 10)), "GIF"), id="gif"),
        pytest.param(encode(Image.new("RGB", (10, 10)), "BMP"), id="bmp"),
        pytest.param(encode(Image.new("RGB", (10, 10)), "TIFF"), id="tiff"),
        pytest.param(
            b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
            b'<rect width="10" height="10"/></svg>',
            id="svg",
        ),
        pytest.param(b"Hello, this is text and not a picture.\n", id="text"),
        pytest.param(os.urandom(4096), id="random"),
        pytest.param(b"", id="empty"),
        pytest.param(truncated_jpeg(), id="truncated-jpeg"),
        pytest.param(encode(Image.new("RGB", (50, 50)), "PNG")[:60], id="truncated-png"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + b"\0" * 100, id="png-signature-only"),
        pytest.param(b"\xff\xd8\xff\xe0" + b"\0" * 100, id="jpeg-signature-only"),
    ],
)
def test_other_files_are_refused(raw):
    problem = assert_unusable(raw)
    assert "not a picture" in str(problem)


@pytest.mark.parametrize(
    ("width", "height", "max_pixels"),
    [
        (8_000, 8_000, images.MAX_PIXELS),  # under Pillow's own limits: our header check
        # With our limit out of the way, Pillow's checks must hold on their own:
        (10_000, 10_000, 10**12),  # its DecompressionBombWarning, which we make an error
        (20_000, 20_000, 10**12),  # its DecompressionBombError
    ],
)
def test_bombs_are_refused_from_the_header(monkeypatch, width, height, max_pixels):
    def must_not_decode(self):
        raise AssertionError("the pixels of a bomb were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", must_not_decode)
    monkeypatch.setattr(images, "MAX_PIXELS", max_pixels)
    limit = Image.MAX_IMAGE_PIXELS
    with warnings.catch_warnings():
        # As in production, where the warning would otherwise only be printed (pytest here
        # turns every warning into an error, which would hide a missing filter).
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        problem = assert_unusable(png_claiming(width, height))
    assert "too large" in str(problem)
    assert Image.MAX_IMAGE_PIXELS == limit  # the global limit is left alone


def test_the_pixel_limit_is_inclusive(monkeypatch):
    monkeypatch.setattr(images, "MAX_PIXELS", 100)
    assert process_image(encode(Image.new("L", (10, 10)), "PNG")).width == 10
    assert "too large" in str(assert_unusable(encode(Image.new("L", (10, 11)), "PNG")))


# -- nothing but pixels survives -----------------------------------------------------------


def camera_photo(orientation: int) -> bytes:
    """A 40 × 20 JPEG, red left half and blue right half, with GPS, camera and orientation."""
    photo = Image.new("RGB", (40, 20), (0, 0, 255))
    photo.paste((255, 0, 0), (0, 0, 20, 20))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Phone 12 Secret Edition"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (60.0, 10.0, 12.5),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (24.0, 56.0, 1.5),
    }
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    raw = encode(photo, "JPEG", exif=exif, icc_profile=icc, quality=95)
    sent = reopen(raw)  # the test photo really carries what must be removed
    assert sent.getexif().get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] == "N"
    assert sent.getexif()[ExifTags.Base.Orientation] == orientation
    assert sent.info["icc_profile"]
    return raw


def assert_no_metadata(data: bytes) -> None:
    out = reopen(data)
    assert not out.getexif()
    assert not {"exif", "icc_profile", "xmp", "XML:com.adobe.xmp", "dpi"} & set(out.info)
    assert b"Exif" not in data and b"PhoneMaker" not in data and b"Secret" not in data


def test_exif_is_dropped_and_orientation_applied():
    processed = process_image(camera_photo(orientation=6))  # "turn 90° clockwise to view"
    for data in (processed.data, processed.thumb):
        assert_no_metadata(data)
    out = reopen(processed.data)
    assert out.size == (processed.width, processed.height) == (20, 40)
    red, blue = out.getpixel((10, 5)), out.getpixel((10, 35))  # the left half is now on top
    assert red[0] > 200 and red[2] < 60
    assert blue[2] > 200 and blue[0] < 60


def test_upright_photo_keeps_its_shape():
    processed = process_image(camera_photo(orientation=1))
    assert_no_metadata(processed.data)
    assert (processed.width, processed.height) == (40, 20)


def test_png_text_and_colour_profile_are_dropped():
    info = PngInfo()
    info.add_text("Author", "Jane Participant")
    info.add_text("Comment", "Kallio, Helsinki", zip=True)
    info.add_itxt("Description", "Jane's flip chart", lang="en")
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    raw = encode(Image.new("RGB", (30, 20), (0, 128, 0)), "PNG", pnginfo=info, icc_profile=icc, dpi=(300, 300))
    assert reopen(raw).text["Author"] == "Jane Participant"
    processed = process_image(raw)
    for data in (processed.data, processed.thumb):
        out = reopen(data)
        assert out.text == {}
        assert not {"icc_profile", "dpi", "Author"} & set(out.info)
        assert b"Jane" not in data and b"iCCP" not in data and b"tEXt" not in data


# -- sizes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "format", "full", "thumb"),
    [
        ((4000, 3000), "JPEG", (MAX_SIDE, 1536), (THUMB_SIDE, 360)),
        ((3000, 4000), "PNG", (1536, MAX_SIDE), (360, THUMB_SIDE)),
        ((1080, 1920), "PNG", (1080, 1920), (270, THUMB_SIDE)),
        ((16000, 1000), "JPEG", (MAX_SIDE, 128), (THUMB_SIDE, 30)),  # a panorama
        ((100, 50), "PNG", (100, 50), (100, 50)),  # small: never upscaled
    ],
)
def test_big_pictures_are_shrunk_and_small_ones_kept(size, format, full, thumb):
    processed = process_image(encode(Image.new("RGB", size, (200, 180, 40)), format))
    assert (processed.width, processed.height) == reopen(processed.data).size == full
    assert (processed.thumb_width, processed.thumb_height) == reopen(processed.thumb).size == thumb


# -- storing, serving and deleting ---------------------------------------------------------


@pytest.fixture
def processed() -> ProcessedImage:
    return process_image(encode(Image.new("RGB", (600, 300), (0, 90, 200)), "JPEG"))


def test_store_writes_both_files_under_fresh_names(tmp_path, processed):
    directory = tmp_path / "media"  # created on first use
    stored = store_image(processed, directory)
    assert isinstance(stored, StoredImage)
    stem, extension = stored.name.split(".")
    assert re.fullmatch(r"[0-9a-f]{32}", stem) and extension == "jpg"
    assert stored.thumb_name == f"{stem}.thumb.jpg"
    assert (directory / stored.name).read_bytes() == processed.data
    assert (directory / stored.thumb_name).read_bytes() == processed.thumb
    assert sorted(os.listdir(directory)) == sorted([stored.name, stored.thumb_name])  # no temp files
    assert (stored.content_type, stored.width, stored.height, stored.thumb_width, stored.thumb_height) == (
        "image/jpeg", 600, 300, 480, 240,
    )
    again = store_image(processed, directory)
    assert again.name != stored.name and len(os.listdir(directory)) == 4


def test_store_cleans_up_when_writing_fails(tmp_path, processed, monkeypatch):
    real_replace = os.replace
    calls = []

    def failing_replace(source, target):
        calls.append(target)
        if len(calls) == 2:  # the thumbnail: the disk is full
            raise OSError(28, "No space left on device")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError):
        store_image(processed, tmp_path)
    assert os.listdir(tmp_path) == []  # neither the picture nor a temporary file is left


def test_media_path_finds_stored_files(tmp_path, processed):
    stored = store_image(processed, tmp_path)
    assert media_path(tmp_path, stored.name) == tmp_path / stored.name
    assert media_path(tmp_path, stored.thumb_name) == tmp_path / stored.thumb_name


@pytest.mark.parametrize(
    "name",
    [
        "../x",
        "a/b",
        "..",
        "",
        "/etc/passwd",
        "x.jpg",
        "secret.txt",
        "{stem}.png",  # well-formed, but no such file
        "{stem}.jpeg",
        "{stem}.gif",
        "{stem}.JPG",
        "{STEM}.jpg",
        "{stem}.jpg\n",
        "{stem}.jpg/",
        "./{stem}.jpg",
        "../{dir}/{stem}.jpg",
        "{path}",  # the absolute path of a real file
        "{stem}.thumb.thumb.jpg",
        "{stem}.jpg.thumb.jpg",
        "{missing}.jpg",
    ],
)
def test_media_path_refuses_anything_else(tmp_path, processed, name):
    stored = store_image(processed, tmp_path)
    stem = stored.name.split(".")[0]
    (tmp_path / "secret.txt").write_text("not for you")
    (tmp_path / "x.jpg").write_bytes(processed.data)
    name = name.format(
        stem=stem, STEM=stem.upper(), dir=tmp_path.name, path=tmp_path / stored.name, missing="0" * 32
    )
    assert media_path(tmp_path, name) is None


def test_delete_removes_and_tolerates_missing_files(tmp_path, processed):
    stored = store_image(processed, tmp_path)
    keep = store_image(processed, tmp_path)
    delete_image(tmp_path, stored.name, stored.thumb_name)
    assert media_path(tmp_path, stored.name) is None and media_path(tmp_path, stored.thumb_name) is None
    delete_image(tmp_path, stored.name, stored.thumb_name)  # again: nothing there, no error
    delete_image(tmp_path / "never-made", stored.name)
    delete_image(tmp_path)
    assert sorted(os.listdir(tmp_path)) == sorted([keep.name, keep.thumb_name])


@pytest.mark.parametrize("name", ["../x", "a/b", "secret.txt", "", "{stem}.jpg/../secret.txt"])
def test_delete_refuses_names_the_server_did_not_make(tmp_path, processed, name):
    stored = store_image(processed, tmp_path)
    (tmp_path / "secret.txt").write_text("keep me")
    with pytest.raises(ValueError):
        delete_image(tmp_path, stored.name, name.format(stem=stored.name.split(".")[0]))
    assert (tmp_path / stored.name).exists()  # nothing is removed when one name is bad
    assert (tmp_path / "secret.txt").exists()


def test_a_truncated_picture_is_refused_even_after_the_pdf_export_was_loaded():
    # WeasyPrint turns on Pillow's LOAD_TRUNCATED_IMAGES when imported; uploads must not care.
    import weasyprint  # noqa: F401

    from tests.conftest import make_picture

    ImageFile.LOAD_TRUNCATED_IMAGES = True  # as WeasyPrint's import leaves it
    whole = make_picture("PNG", (64, 48))
    assert_unusable(whole[: len(whole) // 2])
