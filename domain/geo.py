"""Coordinates for visit check-ins: datum conversion, distances, search boxes.

Phones and map SDKs in China report positions in different systems: raw GPS
is WGS-84, Tencent's and AMap's SDKs report GCJ-02 (the state-mandated
obfuscated datum), Baidu reports BD-09 (a further offset on top of GCJ-02).
The GCJ-02 offset is several hundred metres, far larger than a check-in
radius, so every distance here is measured only after converting both ends
to WGS-84. Stored coordinates should be WGS-84 for the same reason.

Conversions follow the widely published GCJ-02 formula (Krasovsky 1940
ellipsoid constants) and the usual BD-09 polar offset. Inverses are solved by
fixed-point iteration, because the one-step "subtract the offset" shortcut
found in many libraries is off by up to ~5 m.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

WGS84 = "wgs84"
GCJ02 = "gcj02"
BD09 = "bd09"
SYSTEMS = frozenset({WGS84, GCJ02, BD09})

# Mean Earth radius R1 = (2a + b) / 3 of WGS-84 (IUGG). A sphere with this
# radius keeps haversine within about 0.5 % of the ellipsoidal distance
# everywhere, far below the GPS and GCJ-02 errors that matter for check-ins.
EARTH_RADIUS_M = 6_371_008.8

# Krasovsky 1940 ellipsoid, which the GCJ-02 formula is defined on.
_KRASOVSKY_A = 6378245.0
_KRASOVSKY_EE = 0.00669342162296594323  # first eccentricity squared

# BD-09 rotates and stretches GCJ-02 with this angular frequency.
_BD_FACTOR = math.pi * 3000.0 / 180.0

# Inverse iteration: stop when the forward image is within ~0.1 mm of the
# target (1e-9 degree), far under the 0.01 m accuracy we promise. The
# offset's slope is ~1e-3 per unit, so each step gains ~3 digits and the
# bound is only a safety net.
_INVERSE_TOLERANCE_DEG = 1e-9
_INVERSE_MAX_STEPS = 20


@dataclass(frozen=True)
class Point:
    """A position in degrees, tagged with the coordinate system it came in."""

    lat: float
    lng: float
    system: str = WGS84

    def __post_init__(self) -> None:
        _check_lat_lng(self.lat, self.lng)
        if self.system not in SYSTEMS:
            raise ValueError(f"unknown coordinate system {self.system!r}; expected one of {sorted(SYSTEMS)}")


def _check_lat_lng(lat: float, lng: float) -> None:
    for name, value, limit in (("latitude", lat, 90.0), ("longitude", lng, 180.0)):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{name} must be a number, got {value!r}")
        if not math.isfinite(value):
            raise ValueError(f"{name} must be finite, got {value!r}")
        if abs(value) > limit:
            raise ValueError(f"{name} must be within [-{limit:g}, {limit:g}], got {value!r}")


# The customary rough box around China: south, west, north, east (degrees).
CHINA_BOX = (0.8293, 72.004, 55.8271, 137.8347)


def outside_china(lat: float, lng: float) -> bool:
    """Outside the customary box (CHINA_BOX) GCJ-02 equals WGS-84.

    The box also covers parts of neighbouring countries; every published
    implementation uses it, so we do too, to stay consistent with map SDKs.
    """
    south, west, north, east = CHINA_BOX
    return not (west <= lng <= east and south <= lat <= north)


def _gcj_offset_deg(lat: float, lng: float) -> tuple[float, float]:
    """GCJ-02 minus WGS-84 at a WGS-84 position, in degrees (lat, lng)."""
    x = lng - 105.0
    y = lat - 35.0
    # Shared high-frequency wobble, then per-axis terms; both are in metres.
    wobble = (20.0 * math.sin(6.0 * math.pi * x) + 20.0 * math.sin(2.0 * math.pi * x)) * 2.0 / 3.0
    north_m = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
               + wobble
               + (20.0 * math.sin(math.pi * y) + 40.0 * math.sin(math.pi * y / 3.0)) * 2.0 / 3.0
               + (160.0 * math.sin(math.pi * y / 12.0) + 320.0 * math.sin(math.pi * y / 30.0)) * 2.0 / 3.0)
    east_m = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
              + wobble
              + (20.0 * math.sin(math.pi * x) + 40.0 * math.sin(math.pi * x / 3.0)) * 2.0 / 3.0
              + (150.0 * math.sin(math.pi * x / 12.0) + 300.0 * math.sin(math.pi * x / 30.0)) * 2.0 / 3.0)
    # Metres to degrees on the Krasovsky ellipsoid: meridian radius of
    # curvature for latitude, prime-vertical radius times cos(lat) for longitude.
    phi = math.radians(lat)
    w2 = 1.0 - _KRASOVSKY_EE * math.sin(phi) ** 2
    meridian_radius = _KRASOVSKY_A * (1.0 - _KRASOVSKY_EE) / (w2 * math.sqrt(w2))
    parallel_radius = _KRASOVSKY_A / math.sqrt(w2) * math.cos(phi)
    return math.degrees(north_m / meridian_radius), math.degrees(east_m / parallel_radius)


def wgs84_to_gcj02(lat: float, lng: float) -> tuple[float, float]:
    """WGS-84 to GCJ-02 (lat, lng); points outside China come back unchanged."""
    _check_lat_lng(lat, lng)
    return _gcj_forward(lat, lng)


def _gcj_forward(lat: float, lng: float) -> tuple[float, float]:
    # Unvalidated core, also used by the inverse: its iterates may step just
    # outside the box near the edge, where the same rule must apply.
    if outside_china(lat, lng):
        return lat, lng
    dlat, dlng = _gcj_offset_deg(lat, lng)
    return lat + dlat, lng + dlng


def _invert(forward: Callable[[float, float], tuple[float, float]], lat: float, lng: float,
            guess: tuple[float, float]) -> tuple[float, float]:
    """Solve forward(p) == (lat, lng) by fixed-point iteration from guess.

    Works because both offsets are nearly constant over a few hundred
    metres: correcting by the residual shrinks the error ~1000x per step.
    """
    cur_lat, cur_lng = guess
    for _ in range(_INVERSE_MAX_STEPS):
        img_lat, img_lng = forward(cur_lat, cur_lng)
        err_lat, err_lng = img_lat - lat, img_lng - lng
        if abs(err_lat) < _INVERSE_TOLERANCE_DEG and abs(err_lng) < _INVERSE_TOLERANCE_DEG:
            break
        cur_lat, cur_lng = cur_lat - err_lat, cur_lng - err_lng
    return cur_lat, cur_lng


def gcj02_to_wgs84(lat: float, lng: float) -> tuple[float, float]:
    """GCJ-02 to WGS-84 (lat, lng), accurate to well under a centimetre."""
    _check_lat_lng(lat, lng)
    if outside_china(lat, lng):
        return lat, lng
    dlat, dlng = _gcj_offset_deg(lat, lng)
    # The one-step estimate (up to ~5 m off across China) seeds the iteration.
    return _invert(_gcj_forward, lat, lng, (lat - dlat, lng - dlng))


def gcj02_to_bd09(lat: float, lng: float) -> tuple[float, float]:
    """GCJ-02 to Baidu BD-09 (lat, lng).

    Like eviltransform, points outside China are left unchanged, the same
    rule as GCJ-02: Baidu's offset only matters on its China maps.
    """
    _check_lat_lng(lat, lng)
    if outside_china(lat, lng):
        return lat, lng
    return _bd_forward(lat, lng)


def _bd_forward(lat: float, lng: float) -> tuple[float, float]:
    radius = math.hypot(lng, lat) + 0.00002 * math.sin(lat * _BD_FACTOR)
    angle = math.atan2(lat, lng) + 0.000003 * math.cos(lng * _BD_FACTOR)
    return radius * math.sin(angle) + 0.006, radius * math.cos(angle) + 0.0065


def bd09_to_gcj02(lat: float, lng: float) -> tuple[float, float]:
    """Baidu BD-09 to GCJ-02 (lat, lng), solved exactly rather than by the
    usual closed-form approximation (off by up to ~0.2 m across China)."""
    _check_lat_lng(lat, lng)
    if outside_china(lat, lng):
        return lat, lng
    x, y = lng - 0.0065, lat - 0.006
    radius = math.hypot(x, y) - 0.00002 * math.sin(y * _BD_FACTOR)
    angle = math.atan2(y, x) - 0.000003 * math.cos(x * _BD_FACTOR)
    guess = (radius * math.sin(angle), radius * math.cos(angle))
    return _invert(_bd_forward, lat, lng, guess)


def to_wgs84(point: Point) -> Point:
    """The same place expressed in WGS-84."""
    if point.system == WGS84:
        return point
    lat, lng = point.lat, point.lng
    if point.system == BD09:
        lat, lng = bd09_to_gcj02(lat, lng)
    lat, lng = gcj02_to_wgs84(lat, lng)
    # Converted points sit within a kilometre of the input, inside China, so
    # they are always in range; clamp anyway against float edge cases.
    return Point(max(-90.0, min(90.0, lat)), max(-180.0, min(180.0, lng)), WGS84)


def distance_m(a: Point, b: Point) -> float:
    """Great-circle distance in metres, after converting both points to WGS-84.

    Haversine on a sphere of the mean Earth radius (see EARTH_RADIUS_M): it is
    numerically stable for the short distances check-ins care about, and the
    spherical approximation error (<0.5 %) is negligible at that scale.
    """
    a, b = to_wgs84(a), to_wgs84(b)
    phi_a, phi_b = math.radians(a.lat), math.radians(b.lat)
    half_dphi = (phi_b - phi_a) / 2.0
    half_dlambda = math.radians(b.lng - a.lng) / 2.0
    h = math.sin(half_dphi) ** 2 + math.cos(phi_a) * math.cos(phi_b) * math.sin(half_dlambda) ** 2
    # Rounding can push h a hair past 1 for antipodal points.
    h = min(1.0, max(0.0, h))
    return 2.0 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def bbox(lat: float, lng: float, radius_m: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lng, max_lng) surely containing every point whose
    distance_m from (lat, lng) is at most radius_m, for an indexed SQL
    pre-filter followed by an exact distance_m check.

    Coordinates are taken as WGS-84 (the box is in the same system as its
    input; do not mix it with GCJ-02 columns).

    - If the circle reaches a pole, the latitude range is clamped at ±90 and
      the longitude range is the full [-180, 180].
    - If the longitude range would cross the ±180° antimeridian, it is
      widened to the full [-180, 180] instead of being split in two, so the
      result is always one plain ``min <= lng <= max`` range. That only costs
      extra rows for searches in the mid-Pacific.
    """
    _check_lat_lng(lat, lng)
    if isinstance(radius_m, bool) or not isinstance(radius_m, (int, float)) or not math.isfinite(radius_m) \
            or radius_m < 0:
        raise ValueError(f"radius_m must be a finite number >= 0, got {radius_m!r}")
    # A millimetre of slack so points exactly on the circle survive rounding.
    angle = (radius_m + 0.001) / EARTH_RADIUS_M
    dlat = math.degrees(angle)
    min_lat, max_lat = lat - dlat, lat + dlat
    if max_lat >= 90.0 or min_lat <= -90.0:
        return max(min_lat, -90.0), min(max_lat, 90.0), -180.0, 180.0
    # Widest longitude reached by a spherical cap that does not contain a
    # pole: sin(dlng) = sin(angle) / cos(lat). This is wider than radius /
    # (R cos lat) at high latitudes, where the naive formula misses points.
    ratio = min(1.0, math.sin(angle) / math.cos(math.radians(lat)))
    dlng = math.degrees(math.asin(ratio))
    min_lng, max_lng = lng - dlng, lng + dlng
    if min_lng < -180.0 or max_lng > 180.0:
        return min_lat, max_lat, -180.0, 180.0
    return min_lat, max_lat, min_lng, max_lng


def speed_kmh(distance_m: float, seconds: float) -> float:
    """Average speed in km/h, for flagging impossible jumps between check-ins.

    A zero or negative interval (same timestamp, clock skew) means "instant":
    infinitely fast if the position changed, 0 if it did not.
    """
    if not math.isfinite(distance_m) or distance_m < 0:
        raise ValueError(f"distance_m must be a finite number >= 0, got {distance_m!r}")
    if math.isnan(seconds):
        raise ValueError("seconds must not be NaN")
    if seconds <= 0:
        return math.inf if distance_m > 0 else 0.0
    return distance_m / seconds * 3.6
