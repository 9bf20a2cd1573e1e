"""A daily animated map of a run: GIF (Pillow) or MP4 (ffmpeg).

ffmpeg comes with the package (the ``imageio-ffmpeg`` wheel ships a static build with
libx264); an ``ffmpeg`` on the PATH is the fallback.  MP4 frames are padded to an even
width and height, which libx264 with yuv420p requires (900 x 675 becomes 900 x 676).

One frame per date of the run, drawn like :func:`campaign.render.maps.render_map` but
900 px wide (:data:`campaign.render.style.ANIMATION_DPI`).  With ``interpolate=N`` every
pair of days gets N extra frames in which the units move in a straight line from one
end-of-day position to the next (territories and fronts change on the day frames only), so
a run of D days has ``D + (D - 1) * N`` frames.  The base map, place names and legend are
drawn once into images (:meth:`MapCanvas.freeze_static`) and only the day's layers are
drawn for each frame. Both formats carry campaign's mark (the GIF comment, the MP4
comment: :data:`campaign.output_files.PICTURE_MARK`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import matplotlib
from PIL import Image
from tqdm import tqdm

from campaign.errors import OutputError
from campaign.output_files import PICTURE_MARK
from campaign.render import style
from campaign.render.maps import MapCanvas, UnitPosition, long_date
from campaign.render.output import check_output
from campaign.render.scene import Scene, load_scene
from campaign.replay.atomic import atomic_open, new_file_mode

__all__ = ["DEFAULT_DAYS_PER_SECOND", "Frame", "frame_plan", "render_animation"]

#: Days shown per second when no ``fps`` is given.
DEFAULT_DAYS_PER_SECOND = 2.0
#: Extra time, seconds, the last frame of a GIF stays on screen.
GIF_FINAL_HOLD_S = 2.0
#: Colours in the GIF palette (shared by all frames, so colours do not flicker).
GIF_COLOURS = 160
#: libx264 preset of MP4s (see :func:`_write_mp4`).
X264_PRESET = "veryfast"

#: One frame: (date, unit positions or None for the end-of-day ones, note for the title).
Frame = tuple[str, dict[str, UnitPosition] | None, str]


def _lerp(a: UnitPosition, b: UnitPosition, f: float) -> UnitPosition:
    return (
        a[0] + (b[0] - a[0]) * f,
        a[1] + (b[1] - a[1]) * f,
        a[2] + (b[2] - a[2]) * f,
        b[3] if f >= 0.5 else a[3],
    )


def frame_plan(scene: Scene, interpolate: int = 0) -> Iterator[Frame]:
    """Frames in order: each date, then ``interpolate`` in-between frames before the next."""
    dates = scene.dates
    for i, date in enumerate(dates):
        yield (date, None, "")
        if interpolate <= 0 or i == len(dates) - 1:
            continue
        here, there = scene.unit_positions(date), scene.unit_positions(dates[i + 1])
        for k in range(1, interpolate + 1):
            f = k / (interpolate + 1)
            moved = {u: _lerp(p, there[u], f) if u in there else p for u, p in here.items()}
            hour = int(round(24 * f))
            yield (date, moved, f"Units on the move, {long_date(dates[i + 1])} {hour:02d}:00")


def find_ffmpeg() -> str | None:
    """Path of an ffmpeg executable: the one of imageio-ffmpeg, else one on the PATH."""
    try:
        import imageio_ffmpeg
    except ImportError:
        return shutil.which("ffmpeg")
    try:
        return imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError:  # no binary for this platform in the wheel
        return shutil.which("ffmpeg")


def frame_count(scene: Scene, interpolate: int = 0) -> int:
    days = len(scene.dates)
    return days + max(0, days - 1) * max(0, interpolate)


def render_animation(
    folder: str | Path | Scene,
    out: str | Path,
    fps: float | None = None,
    mp4: bool = False,
    history: bool = False,
    interpolate: int = 0,
    progress: bool = True,
    dpi: float = style.ANIMATION_DPI,
    width_px: int | None = None,
    lines: str | None = None,
    size_by_men: bool = False,
) -> Path:
    """Write the animated map of a run to ``out`` (``.gif``, or ``.mp4`` with ``mp4``).

    ``fps`` is frames per second (default: two days per second, in-between frames
    included).  Raises OutputError when the output cannot be written or MP4 is asked for
    without ffmpeg.
    """
    suffix = ".mp4" if mp4 else ".gif"
    out = check_output(out, (suffix,))
    if interpolate < 0 or interpolate > 10:
        raise OutputError(f"--interpolate {interpolate}: expected 0 to 10 frames between days")
    if fps is not None and not 0 < fps <= 60:
        raise OutputError(f"--fps {fps}: expected a number of frames per second in (0, 60]")
    ffmpeg = find_ffmpeg() if mp4 else None
    if mp4 and ffmpeg is None:
        raise OutputError(
            f"{out}: writing MP4 needs ffmpeg, which was not found (neither the imageio-ffmpeg "
            "package nor ffmpeg on the PATH); install ffmpeg or write a GIF instead (drop --mp4)"
        )
    scene = folder if isinstance(folder, Scene) else load_scene(folder, lines=lines)
    if width_px is not None:  # e.g. 1600 px: the same layout at a higher resolution
        if not 300 <= width_px <= 4000:
            raise OutputError(f"--width {width_px}: expected 300 to 4000 pixels")
        dpi = width_px / style.FIGSIZE_IN[0]
    if history:
        scene.history()
    fps = fps or DEFAULT_DAYS_PER_SECOND * (interpolate + 1)
    total = frame_count(scene, interpolate)
    with matplotlib.rc_context(style.RC):
        canvas = MapCanvas(scene, dpi=dpi, history=history, size_by_men=size_by_men)
        canvas.freeze_static()
        bar = tqdm(
            total=total,
            desc=f"animating {out.name}",
            unit="frame",
            disable=not progress,
            leave=False,
        )
        try:
            if mp4:
                _write_mp4(canvas, scene, out, fps, interpolate, bar, ffmpeg)
            else:
                _write_gif(canvas, scene, out, fps, interpolate, bar)
        finally:
            bar.close()
    return out


def _grab(canvas: MapCanvas) -> Image.Image:
    canvas.fig.canvas.draw()
    rgba = canvas.fig.canvas.buffer_rgba()
    width, height = canvas.fig.canvas.get_width_height()
    return Image.frombuffer("RGBA", (width, height), rgba, "raw", "RGBA", 0, 1).convert("RGB")


def _write_gif(
    canvas: MapCanvas, scene: Scene, out: Path, fps: float, interpolate: int, bar: tqdm
) -> None:
    frames: list[Image.Image] = []
    palette: Image.Image | None = None
    for date, positions, note in frame_plan(scene, interpolate):
        canvas.draw_day(date, positions, note=note)
        image = _grab(canvas)
        if palette is None:
            palette = image.quantize(colors=GIF_COLOURS, method=Image.Quantize.MEDIANCUT)
        frames.append(image.quantize(palette=palette, dither=Image.Dither.NONE))
        bar.update(1)
    frame_ms = int(round(1000.0 / fps))
    durations = [frame_ms] * len(frames)
    durations[-1] += int(GIF_FINAL_HOLD_S * 1000)
    try:
        with atomic_open(out, "wb") as handle:
            frames[0].save(
                handle,
                format="GIF",
                save_all=True,
                append_images=frames[1:],
                duration=durations,
                loop=0,
                optimize=False,
                disposal=1,
                comment=PICTURE_MARK,
            )
    except OSError as exc:
        raise OutputError(f"{out}: cannot write ({exc.strerror or exc})") from None


def _write_mp4(
    canvas: MapCanvas,
    scene: Scene,
    out: Path,
    fps: float,
    interpolate: int,
    bar: tqdm,
    ffmpeg: str,
) -> None:
    # The frames go to ffmpeg as raw RGBA, straight from the canvas (as matplotlib's
    # FFMpegWriter sends them, without its savefig per frame).
    width, height = canvas.fig.canvas.get_width_height()
    fd, tmp = tempfile.mkstemp(prefix=f".{out.stem}.", suffix=".mp4", dir=out.parent)
    os.close(fd)
    args = [
        ffmpeg, "-f", "rawvideo", "-vcodec", "rawvideo", "-s", f"{width}x{height}",
        "-pix_fmt", "rgba", "-framerate", str(fps), "-loglevel", "error", "-i", "pipe:",
        # yuv420p stores colour per 2 x 2 pixels, so libx264 refuses odd sizes: pad by one
        # pixel.  Preset veryfast: half the encoding time of the default (medium) for the
        # same constant quality (CRF 23; PSNR ~50 dB on the northeast run).
        "-vcodec", "libx264", "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2", "-pix_fmt", "yuv420p",
        "-preset", X264_PRESET, "-metadata", f"comment={PICTURE_MARK}", "-y", tmp,
    ]  # fmt: skip
    try:
        with tempfile.TemporaryFile() as stderr:
            proc = subprocess.Popen(
                args, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=stderr
            )
            try:
                for date, positions, note in frame_plan(scene, interpolate):
                    canvas.draw_day(date, positions, note=note)
                    canvas.fig.canvas.draw()
                    proc.stdin.write(canvas.fig.canvas.buffer_rgba())
                    bar.update(1)
            except BrokenPipeError:
                pass  # ffmpeg stopped: its exit code and message tell why
            finally:
                with contextlib.suppress(BrokenPipeError):
                    proc.stdin.close()
                proc.wait()
            if proc.returncode != 0:
                stderr.seek(0)
                message = stderr.read().decode(errors="replace").strip().splitlines()
                raise OutputError(
                    f"{out}: ffmpeg failed (exit code {proc.returncode})"
                    + (f": {message[-1]}" if message else "")
                )
        os.chmod(tmp, new_file_mode())
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
