"""domain.geo: datum conversion, distances, search boxes, speeds."""
from __future__ import annotations

import math
import random

import pytest

from domain.geo import (
    EARTH_RADIUS_M,
    Point,
    bbox,
    bd09_to_gcj02,
    distance_m,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    speed_kmh,
    to_wgs84,
    wgs84_to_gcj02,
)

# One micro-degree is ~0.11 m: tight enough to catch a wrong constant or
# term, loose enough for last-digit differences between implementations.
MICRO_DEG = 1e-6

# (wgs_lat, wgs_lng, gcj_lat, gcj_lng) published by other implementations.
WGS_GCJ_PAIRS = [
    # googollee/eviltransform, python/test.py and go/transform_test.go (TESTS):
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),  # Shanghai
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),  # Shenzhen
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),  # Beijing
    # wandergis/coordtransform, test/app.js: wgs84togcj02(116.404, 39.915)
    (39.915, 116.404, 39.91640428150164, 116.41024449916938),
    # hujiulong/gcoord, test/unit/crs/WGS84.spec.ts: WGS84 -> GCJ02 [123, 45]
    (45.0, 123.0, 45.00197815, 123.00607541),
]

CITIES = {  # WGS-84, roughly the city centres
    "beijing": (39.9042, 116.4074),
    "shanghai": (31.2304, 121.4737),
    "guangzhou": (23.1291, 113.2644),
    "chengdu": (30.5728, 104.0668),
    "urumqi": (43.8256, 87.6168),
    "harbin": (45.8038, 126.5350),
    "lhasa": (29.6520, 91.1721),
    "sanya": (18.2528, 109.5119),
}


def _destination(lat: float, lng: float, bearing_deg: float, dist_m: float) -> tuple[float, float]:
    """Point dist_m away along a great circle on the same sphere as geo."""
    delta = dist_m / EARTH_RADIUS_M
    phi1, lam1, theta = math.radians(lat), math.radians(lng), math.radians(bearing_deg)
    sin_phi2 = math.sin(phi1) * math.cos(delta) + math.cos(phi1) * math.sin(delta) * math.cos(theta)
    phi2 = math.asin(max(-1.0, min(1.0, sin_phi2)))
    lam2 = lam1 + math.atan2(math.sin(theta) * math.sin(delta) * math.cos(phi1),
                             math.cos(delta) - math.sin(phi1) * sin_phi2)
    lng2 = (math.degrees(lam2) + 180.0) % 360.0 - 180.0
    return math.degrees(phi2), lng2


# -- Point ------------------------------------------------------------------------


@pytest.mark.parametrize("system", ["wgs84", "gcj02", "bd09"])
def test_point_accepts_known_systems_and_edges(system):
    assert Point(90, -180, system).system == system
    assert Point(-90.0, 180.0, system).lat == -90.0


@pytest.mark.parametrize("lat, lng, message", [
    (90.0001, 0.0, "latitude"),
    (-91, 0.0, "latitude"),
    (0.0, 180.5, "longitude"),
    (0.0, -181, "longitude"),
    (math.nan, 0.0, "latitude must be finite"),
    (0.0, math.inf, "longitude must be finite"),
    ("39.9", 116.4, "latitude must be a number"),
    (True, 116.4, "latitude must be a number"),
])
def test_point_rejects_out_of_range(lat, lng, message):
    with pytest.raises(ValueError, match=message):
        Point(lat, lng, "wgs84")


def test_point_rejects_unknown_system():
    with pytest.raises(ValueError, match="unknown coordinate system 'wgs-84'"):
        Point(39.9, 116.4, "wgs-84")


def test_point_is_frozen():
    p = Point(39.9, 116.4, "wgs84")
    with pytest.raises(AttributeError):
        p.lat = 0.0  # type: ignore[misc]


@pytest.mark.parametrize("func", [wgs84_to_gcj02, gcj02_to_wgs84, gcj02_to_bd09, bd09_to_gcj02])
def test_conversions_validate_ranges(func):
    with pytest.raises(ValueError, match="latitude"):
        func(95.0, 116.0)


# -- GCJ-02 -----------------------------------------------------------------------


@pytest.mark.parametrize("wgs_lat, wgs_lng, gcj_lat, gcj_lng", WGS_GCJ_PAIRS)
def test_wgs84_to_gcj02_matches_published_pairs(wgs_lat, wgs_lng, gcj_lat, gcj_lng):
    lat, lng = wgs84_to_gcj02(wgs_lat, wgs_lng)
    assert lat == pytest.approx(gcj_lat, abs=MICRO_DEG)
    assert lng == pytest.approx(gcj_lng, abs=MICRO_DEG)


@pytest.mark.parametrize("wgs_lat, wgs_lng, gcj_lat, gcj_lng", WGS_GCJ_PAIRS)
def test_gcj02_to_wgs84_recovers_published_pairs(wgs_lat, wgs_lng, gcj_lat, gcj_lng):
    # eviltransform only promises 0.5 m for its "exact" inverse; ours is
    # iterated to well under a centimetre, so compare at 5 cm.
    lat, lng = gcj02_to_wgs84(gcj_lat, gcj_lng)
    assert distance_m(Point(lat, lng, "wgs84"), Point(wgs_lat, wgs_lng, "wgs84")) < 0.05


def test_gcj02_to_wgs84_matches_gcoord_inverse():
    # hujiulong/gcoord, test/unit/crs/GCJ02.spec.ts: GCJ02 -> WGS84 [123, 45]
    # (gcoord itself iterates to 1e-6 degree and checks 5 decimals).
    lat, lng = gcj02_to_wgs84(45.0, 123.0)
    assert lat == pytest.approx(44.99804071, abs=MICRO_DEG)
    assert lng == pytest.approx(122.99395597, abs=MICRO_DEG)


@pytest.mark.parametrize("city", sorted(CITIES))
def test_round_trips_are_centimetre_exact(city):
    lat, lng = CITIES[city]
    back = gcj02_to_wgs84(*wgs84_to_gcj02(lat, lng))
    assert distance_m(Point(*back, "wgs84"), Point(lat, lng, "wgs84")) < 0.05
    # And the other way: treat the city coordinates as a GCJ-02 reading.
    again = wgs84_to_gcj02(*gcj02_to_wgs84(lat, lng))
    assert distance_m(Point(*again, "wgs84"), Point(lat, lng, "wgs84")) < 0.01


@pytest.mark.parametrize("city", sorted(CITIES))
def test_inverse_beats_the_one_step_shortcut(city):
    # The popular shortcut wgs ~= 2*gcj - wgs84_to_gcj02(gcj) is metres off;
    # the iterated inverse must be much closer than that.
    g_lat, g_lng = wgs84_to_gcj02(*CITIES[city])
    f_lat, f_lng = wgs84_to_gcj02(g_lat, g_lng)
    shortcut = Point(2 * g_lat - f_lat, 2 * g_lng - f_lng, "wgs84")
    exact = Point(*gcj02_to_wgs84(g_lat, g_lng), "wgs84")
    truth = Point(*CITIES[city], "wgs84")
    assert distance_m(exact, truth) < 0.01
    assert distance_m(exact, truth) < distance_m(shortcut, truth)


@pytest.mark.parametrize("lat, lng", [
    (51.5007, -0.1246),    # London
    (40.6892, -74.0445),   # New York
    (-33.8568, 151.2153),  # Sydney
    (0.5, 100.0),          # just south of the box
    (56.0, 120.0),         # just north of the box
])
def test_points_outside_china_are_unchanged(lat, lng):
    assert wgs84_to_gcj02(lat, lng) == (lat, lng)
    assert gcj02_to_wgs84(lat, lng) == (lat, lng)
    assert gcj02_to_bd09(lat, lng) == (lat, lng)
    assert bd09_to_gcj02(lat, lng) == (lat, lng)
    assert to_wgs84(Point(lat, lng, "gcj02")) == Point(lat, lng, "wgs84")


def test_gcj_offset_in_beijing_is_hundreds_of_metres():
    lat, lng = CITIES["beijing"]
    g = wgs84_to_gcj02(lat, lng)
    # The same place, wrongly read as WGS-84, looks hundreds of metres away.
    mislabeled = distance_m(Point(*g, "wgs84"), Point(lat, lng, "wgs84"))
    assert 300 < mislabeled < 900


def test_distance_converts_before_measuring():
    lat, lng = CITIES["beijing"]
    g = wgs84_to_gcj02(lat, lng)
    assert distance_m(Point(*g, "gcj02"), Point(lat, lng, "wgs84")) < 0.05
    assert distance_m(Point(lat, lng, "wgs84"), Point(*g, "gcj02")) < 0.05


def test_to_wgs84_keeps_wgs84_points():
    p = Point(39.9, 116.4, "wgs84")
    assert to_wgs84(p) is p


# -- BD-09 ------------------------------------------------------------------------


@pytest.mark.parametrize("gcj, bd", [
    # wandergis/coordtransform, test/app.js: gcj02tobd09(116.404, 39.915)
    ((39.915, 116.404), (39.92133699351021, 116.41036949371029)),
    # hujiulong/gcoord, test/unit/crs/GCJ02.spec.ts: GCJ02 -> BD09 [123, 45]
    ((45.0, 123.0), (45.00636899, 123.00636499)),
])
def test_gcj02_to_bd09_matches_published_pairs(gcj, bd):
    lat, lng = gcj02_to_bd09(*gcj)
    assert lat == pytest.approx(bd[0], abs=MICRO_DEG)
    assert lng == pytest.approx(bd[1], abs=MICRO_DEG)


def test_bd09_inverse_agrees_with_gcoord():
    # hujiulong/gcoord, test/unit/crs/BD09.spec.ts: BD09 [123, 45] -> GCJ02 and
    # -> WGS84, checked there to 5 decimals. gcoord uses the closed-form
    # approximate inverse, which differs from our exact one by ~0.1 m here,
    # so compare at gcoord's own precision (5e-6 degree).
    assert bd09_to_gcj02(45.0, 123.0) == pytest.approx((44.99365430, 122.99363304), abs=5e-6)
    w = to_wgs84(Point(45.0, 123.0, "bd09"))
    assert (w.lat, w.lng) == pytest.approx((44.99171540, 122.98762210), abs=5e-6)


@pytest.mark.parametrize("city", sorted(CITIES))
def test_bd09_round_trip(city):
    lat, lng = CITIES[city]
    back = bd09_to_gcj02(*gcj02_to_bd09(lat, lng))
    assert distance_m(Point(*back, "wgs84"), Point(lat, lng, "wgs84")) < 0.01
    # Full chain: a WGS-84 place shown on a Baidu map converts back to itself.
    bd = gcj02_to_bd09(*wgs84_to_gcj02(lat, lng))
    assert distance_m(Point(*bd, "bd09"), Point(lat, lng, "wgs84")) < 0.05


# -- distance ---------------------------------------------------------------------


def test_one_degree_of_latitude():
    d = distance_m(Point(0.0, 0.0, "wgs84"), Point(1.0, 0.0, "wgs84"))
    assert d == pytest.approx(2 * math.pi * EARTH_RADIUS_M / 360)
    assert d == pytest.approx(111_195, abs=1)


def test_one_degree_of_longitude_shrinks_with_latitude():
    d = distance_m(Point(60.0, 10.0, "wgs84"), Point(60.0, 11.0, "wgs84"))
    # Along a parallel it would be cos(60) * 111.2 km = 55.6 km; the great
    # circle is a hair shorter.
    assert 55_580 < d < 55_598


def test_beijing_to_shanghai():
    d = distance_m(Point(39.9042, 116.4074, "wgs84"), Point(31.2304, 121.4737, "wgs84"))
    assert 1_067_000 < d < 1_068_000


@pytest.mark.parametrize("lat, lng, bearing", [
    (39.9042, 116.4074, 0.0),
    (39.9042, 116.4074, 90.0),
    (31.2304, 121.4737, 225.0),
    (-33.8568, 151.2153, 135.0),
    (0.0, 179.9995, 90.0),  # crosses the antimeridian
])
def test_points_120_m_apart(lat, lng, bearing):
    other = _destination(lat, lng, bearing, 120.0)
    d = distance_m(Point(lat, lng, "wgs84"), Point(*other, "wgs84"))
    assert d == pytest.approx(120.0, abs=0.001)


def test_distance_is_symmetric_and_zero_for_same_point():
    a, b = Point(39.9, 116.4, "gcj02"), Point(31.2, 121.5, "bd09")
    assert distance_m(a, b) == pytest.approx(distance_m(b, a), abs=1e-6)
    assert distance_m(a, a) == 0.0


def test_antipodal_distance_is_half_circumference():
    d = distance_m(Point(10.0, 20.0, "wgs84"), Point(-10.0, -160.0, "wgs84"))
    assert d == pytest.approx(math.pi * EARTH_RADIUS_M)


# -- bbox -------------------------------------------------------------------------


def _inside(box, lat, lng):
    min_lat, max_lat, min_lng, max_lng = box
    return min_lat <= lat <= max_lat and min_lng <= lng <= max_lng


def test_bbox_contains_random_points_within_radius():
    rng = random.Random(20261123)
    centres = [(rng.uniform(-90, 90), rng.uniform(-180, 180)) for _ in range(150)]
    centres += [(89.99, 0.0), (-89.5, 45.0), (0.0, 179.999), (10.0, -179.99), (65.0, 179.5), (39.9, 116.4)]
    for lat, lng in centres:
        for radius in (1.0, 120.0, 5_000.0, rng.uniform(0, 300_000)):
            box = bbox(lat, lng, radius)
            for _ in range(40):
                dist = radius if rng.random() < 0.25 else radius * math.sqrt(rng.random())
                p_lat, p_lng = _destination(lat, lng, rng.uniform(0, 360), dist)
                # The helper itself rounds by micrometres near the poles.
                assert distance_m(Point(lat, lng, "wgs84"), Point(p_lat, p_lng, "wgs84")) <= radius + 1e-4
                assert _inside(box, p_lat, p_lng), (lat, lng, radius, p_lat, p_lng, box)


def test_bbox_contains_the_circle_extremes_at_high_latitude():
    # At 70 degrees the widest point of a 50 km circle is north of its
    # centre's parallel and reaches further east than radius / (R cos lat).
    lat, lng, radius = 70.0, 20.0, 50_000.0
    box = bbox(lat, lng, radius)
    for bearing10 in range(0, 3600, 5):
        assert _inside(box, *_destination(lat, lng, bearing10 / 10, radius))
    naive = math.degrees(radius / (EARTH_RADIUS_M * math.cos(math.radians(lat))))
    assert box[3] - lng > naive


def test_bbox_is_reasonably_tight():
    min_lat, max_lat, min_lng, max_lng = bbox(39.9042, 116.4074, 1_000.0)
    deg_per_km_lat = 1_000.0 / (2 * math.pi * EARTH_RADIUS_M / 360)
    assert max_lat - min_lat == pytest.approx(2 * deg_per_km_lat, rel=1e-5)
    assert max_lng - min_lng == pytest.approx(2 * deg_per_km_lat / math.cos(math.radians(39.9042)), rel=1e-4)


def test_bbox_reaching_a_pole_spans_all_longitudes():
    assert bbox(89.99, 10.0, 2_000.0)[1:] == (90.0, -180.0, 180.0)
    min_lat, _max_lat, min_lng, max_lng = bbox(-89.99, 10.0, 2_000.0)
    assert (min_lat, min_lng, max_lng) == (-90.0, -180.0, 180.0)


def test_bbox_across_the_antimeridian_widens_to_all_longitudes():
    min_lat, max_lat, min_lng, max_lng = bbox(0.0, 179.99, 5_000.0)
    assert (min_lng, max_lng) == (-180.0, 180.0)
    assert -0.05 < min_lat < max_lat < 0.05
    assert bbox(0.0, -179.99, 5_000.0)[2:] == (-180.0, 180.0)


def test_bbox_of_zero_radius_holds_the_centre():
    assert _inside(bbox(39.9, 116.4, 0.0), 39.9, 116.4)


@pytest.mark.parametrize("radius", [-1.0, math.nan, math.inf, "100"])
def test_bbox_rejects_bad_radius(radius):
    with pytest.raises(ValueError, match="radius_m"):
        bbox(39.9, 116.4, radius)


def test_bbox_rejects_bad_centre():
    with pytest.raises(ValueError, match="longitude"):
        bbox(39.9, 200.0, 100.0)


# -- speed ------------------------------------------------------------------------


@pytest.mark.parametrize("distance, seconds, expected", [
    (1_000.0, 3_600.0, 1.0),
    (100.0, 10.0, 36.0),
    (0.0, 60.0, 0.0),
    (0.0, 0.0, 0.0),
    (0.0, -5.0, 0.0),
    (5.0, 0.0, math.inf),
    (5.0, -1.0, math.inf),
])
def test_speed_kmh(distance, seconds, expected):
    assert speed_kmh(distance, seconds) == pytest.approx(expected)


@pytest.mark.parametrize("distance, seconds", [(-1.0, 10.0), (math.nan, 10.0), (10.0, math.nan)])
def test_speed_kmh_rejects_nonsense(distance, seconds):
    with pytest.raises(ValueError):
        speed_kmh(distance, seconds)
